#!/usr/bin/env python3
"""Summarises scripts/benchmarks/benchmark_methods.sh: per data set and method, the mean and standard
deviation over seeds of each metric (per data set: the mean over its categories first).
Usage: python3 scripts/benchmarks/summarise_methods.py target/methods-bench"""
import csv
import os
import statistics
import sys

METRICS = [("image_auroc_max", "image AUROC (max)", 100), ("image_auroc_mean", "image AUROC (mean)", 100),
           ("image_auroc_score", "image AUROC (model's score)", 100),
           ("pixel_auroc", "pixel AUROC", 100), ("aupro", "AUPRO", 100), ("f1_max", "F1-max", 100),
           ("missed_at_5pct_false_alarms", "missed at 5 % false alarms", 100),
           ("train_seconds", "train s", 1), ("ms_per_image", "ms/image", 1), ("peak_memory_mb", "peak MB", 1),
           ("false_alarms", "false alarms", 0), ("misses", "misses", 0), ("recoveries", "recoveries", 0)]


def main(root):
    print("| data | method | seeds | " + " | ".join(m[1] for m in METRICS) + " |")
    print("|" + " --- |" * (len(METRICS) + 3))
    for data in sorted(os.listdir(root)):
        per_method = {}
        for seed in sorted(os.listdir(os.path.join(root, data))):
            path = os.path.join(root, data, seed, "results.csv")
            if not os.path.exists(path):
                continue
            rows = list(csv.DictReader(open(path)))
            for method in dict.fromkeys(r["method"] for r in rows):
                mine = [r for r in rows if r["method"] == method]
                values = {}
                for key, _, scale in METRICS:
                    v = [float(r[key]) for r in mine if r.get(key, "") != ""]
                    if scale == 0:  # counts: summed over the data set's categories
                        values[key] = sum(v) if v else float("nan")
                    else:
                        values[key] = scale * statistics.mean(v) if v else float("nan")
                per_method.setdefault(method, []).append(values)
        for method, runs in per_method.items():
            cells = []
            for key, _, scale in METRICS:
                v = [r[key] for r in runs]
                fmt = "%.1f" if scale == 100 or key == "ms_per_image" else "%.0f"
                if scale == 0:  # counts: the runs' values side by side, e.g. "1, 0, 2"
                    cells.append(", ".join("%.0f" % x if x == x else "-" for x in v))
                    continue
                v = [x for x in v if x == x]  # runs written before a column existed have none
                if not v:
                    cells.append("n/a")
                    continue
                sd = statistics.stdev(v) if len(v) > 1 else 0.0
                cells.append((fmt + " ± " + fmt) % (statistics.mean(v), sd) if scale == 100 else fmt % statistics.mean(v))
            print("| %s | %s | %d | %s |" % (data, method, len(runs), " | ".join(cells)))


def types(root):
    """Per data set, method and defect type: image AUROC (mean over seeds) and misses per run, from results_by_type.csv."""
    table = {}
    for data in sorted(os.listdir(root)):
        for seed in sorted(os.listdir(os.path.join(root, data))):
            path = os.path.join(root, data, seed, "results_by_type.csv")
            if not os.path.exists(path):
                continue
            for r in csv.DictReader(open(path)):
                cell = table.setdefault((data, r["method"], r["defect_type"]), ([], []))
                cell[0].append(100 * float(r["image_auroc"]))
                cell[1].append(r["misses"])
    if not table:
        return
    print()
    print("| data | method | defect type | image AUROC | misses per run |")
    print("| --- | --- | --- | --- | --- |")
    for (data, method, kind), (aurocs, misses) in table.items():
        print("| %s | %s | %s | %.1f | %s |" % (data, method, kind, statistics.mean(aurocs), ", ".join(misses)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/methods-bench")
    types(sys.argv[1] if len(sys.argv) > 1 else "target/methods-bench")
