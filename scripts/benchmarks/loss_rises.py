#!/usr/bin/env python3
"""Largest rise of a training phase's epoch loss above its best so far, as a share of the
progress the phase had made (first epoch's loss minus the best so far): the quantity the
divergence guard bounds (DivergenceGuard.RISE_LIMIT). Reads every losses.csv that `evaluate`
wrote under the given folders and prints one line per trained phase, largest share first.
Usage: python3 scripts/benchmarks/loss_rises.py target/microscopy-bench [more folders]"""
import csv
import os
import sys


def worst_rise(losses):
    first, best, worst, at = losses[0], losses[0], 0.0, 0
    for i, v in enumerate(losses[1:], start=1):
        progress = max(first - best, 1e-3 * abs(best) + 1e-6)
        if (v - best) / progress > worst:
            worst, at = (v - best) / progress, i + 1
        best = min(best, v)
    return worst, at


def main(folders):
    rows = []
    for folder in folders:
        for d, _, files in os.walk(folder):
            if "losses.csv" not in files:
                continue
            curves = {}
            for r in csv.DictReader(open(os.path.join(d, "losses.csv"))):
                curves.setdefault((r["method"], r["category"], r["phase"]), []).append(float(r["loss"]))
            for (method, category, phase), losses in curves.items():
                if len(losses) > 1:
                    share, epoch = worst_rise(losses)
                    rows.append((share, method, phase, epoch, len(losses), os.path.relpath(d, folder)))
    for share, method, phase, epoch, n, where in sorted(rows, reverse=True):
        print("%8.3f  %-4s %-24s epoch %3d of %3d  %s" % (share, method, phase, epoch, n, where))


if __name__ == "__main__":
    main(sys.argv[1:] or ["target/microscopy-bench"])
