#!/usr/bin/env bash
# Speed and memory of this project against the AST authors' PyTorch code, side by side on
# this machine: same images, same EfficientNet-B5 file, the paper's MVTec AD (2-D) setting
# (flow hidden 1024, clamp 3, student 4 x 1024, batch 8, lr 2e-4) at SIZE px, EPOCHS epochs
# per phase. Prints a Markdown table (BENCHMARKS.md, "Speed and memory against the authors' code").
#
#   AST_REPO=/path/to/marco-rudolph/AST scripts/benchmarks/compare_authors.sh
#
# Needs: the jar (mvn -B package -DskipTests), Debian's python3 with torch, torchvision,
# scipy, scikit-learn, tifffile and tqdm, and a checkout of github.com/marco-rudolph/AST
# (fetched by whoever runs this; none of it is copied into this project). Without ImageNet
# weights the backbone is an untrained EfficientNet-B5 whose batch-norm statistics are set
# from the training images (scripts/export_backbone.py --random-weights --bn-images): the
# same network and cost as the paper's, not its detection quality.
# Run it on a quiet machine: every figure is a wall-clock time.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
AST_REPO=${AST_REPO:?set AST_REPO to a checkout of github.com/marco-rudolph/AST}
PY=${PY:-/usr/bin/python3}
SIZE=${SIZE:-384}
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-$(nproc)}
IMAGES=${IMAGES:-$here/test-images}
WORK=${WORK:-$here/target/compare-authors}
rm -rf "$WORK"
mkdir -p "$WORK/data/samples/train/good"
# 20 normal images for training (both sides take 2 steps of 8 per epoch: the authors' loader
# drops the last partial batch, this project holds 4 out for its thresholds), the test folder as is
ls "$IMAGES/train/good" | head -20 | while read -r f; do cp "$IMAGES/train/good/$f" "$WORK/data/samples/train/good/"; done
cp -r "$IMAGES/test" "$WORK/data/samples/"
[ -d "$IMAGES/ground_truth" ] && cp -r "$IMAGES/ground_truth" "$WORK/data/samples/"
BACKBONE=$WORK/efficientnet_b5_untrained.pt
"$PY" "$here/scripts/export_backbone.py" efficientnet_b5 "$BACKBONE" --random-weights \
    --bn-images "$WORK/data/samples/train/good" --size "$SIZE" >&2

common=(--ast-repo "$AST_REPO" --data "$WORK/data" --backbone "$BACKBONE" --work "$WORK/authors" --size "$SIZE" --threads "$THREADS")
echo "authors' code: training ..." >&2
"$PY" "$here/scripts/benchmarks/compare_authors.py" train "${common[@]}" --epochs "$EPOCHS" 2>"$WORK/authors-train.err" | tail -1 > "$WORK/authors-train.json"
echo "authors' code: detection ..." >&2
"$PY" "$here/scripts/benchmarks/compare_authors.py" detect "${common[@]}" 2>"$WORK/authors-detect.err" | tail -1 > "$WORK/authors-detect.json"

echo "this project: training ..." >&2
/usr/bin/time -f "%M" -o "$WORK/ours-train.rss" "$here/scripts/ast" train \
    --images "$WORK/data/samples/train/good" --model "$WORK/ours.ast" --preset paper-2d --backbone "$BACKBONE" \
    --image-size "$SIZE" --epochs "$EPOCHS" --set batchSize=8 --threads "$THREADS" > "$WORK/ours-train.log" 2>"$WORK/ours-train.err"
echo "this project: detection ..." >&2
/usr/bin/time -f "%M" -o "$WORK/ours-detect.rss" "$here/scripts/ast" detect \
    --model "$WORK/ours.ast" --images "$WORK/data/samples/test" --out "$WORK/ours-detect" --threads "$THREADS" \
    > "$WORK/ours-detect.log" 2>"$WORK/ours-detect.err"

"$PY" - "$WORK" "$SIZE" "$EPOCHS" <<'EOF'
import json, re, sys
w = sys.argv[1]
at = json.load(open(w + "/authors-train.json"))
ad = json.load(open(w + "/authors-detect.json"))
train_log = open(w + "/ours-train.log").read()
detect_log = open(w + "/ours-detect.log").read()
per_epoch = dict(re.findall(r"(teacher \(flow\)|student) ([0-9.]+) s per epoch", train_log))
features_s = float(re.search(r"Time: features ([0-9.]+) s", train_log).group(1))
trained_on = int(re.search(r"Thresholds from (\d+) held-out", train_log).group(1))
train_images = 20 - trained_on
load_s, run_s, ms, scoring_ms = re.search(r"loaded in ([0-9.]+) s; images read, scored and written in ([0-9.]+) s "
                                          r"\(([0-9.]+) ms per image, of which scoring ([0-9.]+) ms\)", detect_log).groups()
auroc = float(re.search(r"Image AUROC \(good vs defect sub-folders\): \S+ ([0-9.]+)", detect_log).group(1))
rss_train = int(open(w + "/ours-train.rss").read().split()[-1]) / 1024
rss_detect = int(open(w + "/ours-detect.rss").read().split()[-1]) / 1024
rows = [
    ("feature extraction, ms per image (batch of the whole set)", at["feature_ms_per_image"], 1000 * features_s / train_images),
    ("teacher (flow), s per epoch", at["teacher_s_per_epoch"], float(per_epoch["teacher (flow)"])),
    ("student, s per epoch", at["student_s_per_epoch"], float(per_epoch["student"])),
    ("detection, ms per image over the whole run (first image's warm-up included; here also writing 3 maps per image)",
     ad["ms_per_image_run"], float(ms)),
    ("detection, ms per image: reading and scoring only (authors: median after warm-up; here: mean incl. warm-up)",
     ad["ms_per_image"], float(scoring_ms)),
    ("loading the model before the first image, s", ad["load_s"], float(load_s)),
    ("peak memory (RSS), training, MB", at["peak_rss_mb"], rss_train),
    ("peak memory (RSS), detection, MB", ad["peak_rss_mb"], rss_detect),
]
rows.append(("image AUROC on the test images, mean of the map (the paper preset's image score; a check that both "
             "compute the same method)", ad["image_auroc_mean"], auroc))
print("| figure | authors' code | this project | ratio |")
print("| --- | ---: | ---: | ---: |")
for name, a, o in rows:
    print("| %s | %.3g | %.3g | %.2f |" % (name, a, o, o / a))
print()
print("%d threads, %s px, %s epochs per phase, %d training images (authors) / %d (here, %d held out), "
      "%d test images; steps per epoch (authors) teacher %d, student %d"
      % (at["threads"], sys.argv[2], sys.argv[3], at["train_images"], train_images, trained_on, ad["images"],
         at["teacher_steps_per_epoch"], at["student_steps_per_epoch"]))
print("the authors' feature extractor (their code on torchvision's B5 with the file's weights) against the TorchScript "
      "file: max relative difference %.1e" % ad["feature_max_relative_error"])
EOF
