#!/usr/bin/env bash
# Picture of one large image (README, Large images): a 2048 x 2048 px tissue mosaic (ihc,
# python3-skimage) with a small painted defect, scored by a tiling AST model and by a
# whole-image (fit) model; docs/large-image-result.png shows both heat maps and a
# full-resolution crop around the defect. Run after `mvn package` (about 3 minutes).
set -euo pipefail
. "$(dirname "$0")/../benchmarks/bench_env.sh"
OUT="${OUT:-$here/target/large-figure}"
data="$WORK/large-ihc"
[ -d "$data" ] || run make-samples --source "$SKIMAGE/ihc.png" --out "$data" --size 2048 --block 128 \
    --train 8 --test-good 6 --per-defect 4 --seed 5
mkdir -p "$OUT"
image="${IMAGE:-missing/000.png}"
for sizing in tile fit; do
  [ -f "$OUT/$sizing.ast" ] || run train --images "$data/train/good" --model "$OUT/$sizing.ast" --sizing "$sizing" > "$OUT/$sizing-train.log" 2>&1
  rm -rf "$OUT/$sizing-out"
  run detect --model "$OUT/$sizing.ast" --images "$data/test/$image" --out "$OUT/$sizing-out" > "$OUT/$sizing-detect.log" 2>&1 || true
done
stem="$(basename "$image" .png)"
mask="$data/ground_truth/$(dirname "$image")/${stem}_mask.png"
/usr/bin/python3 "$here/scripts/figures/large_figure.py" "$data/test/$image" "$mask" "$OUT/tile-out" "$OUT/fit-out" "$stem" \
    "${FIGURE:-$here/docs/large-image-result.png}"
