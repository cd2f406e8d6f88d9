#!/usr/bin/env bash
# Large images with small defects (BENCHMARKS.md): 2048 x 2048 px images built from random
# flipped 128 px crops of freely licensed textures in Debian's python3-skimage (brick:
# CC0 texture; ihc: immunohistochemistry tissue; cell: a fluorescence micrograph, CC0),
# with 10-22 px spots and holes and thin scratches painted into one 128 px block. AST
# (CPU preset) trained and evaluated once with tiles at full resolution and once with the
# whole image scaled to the network input (the papers' way). Run after `mvn package`.
# Results: $OUT/<data>-<sizing>/results.{md,csv}.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/large-bench}"
METHODS="${METHODS:-ast}"
for src in brick ihc cell; do
  data="$WORK/large-$src"
  [ -d "$data" ] || run make-samples --source "$SKIMAGE/$src.png" --out "$data" --size 2048 --block 128 \
      --train 8 --test-good 6 --per-defect 4 --seed 5
  for sizing in tile fit; do
    dest="$OUT/$src-$sizing"
    [ -f "$dest/results.csv" ] && continue
    echo "== $src $sizing"
    run evaluate --data "$data" --methods "$METHODS" --sizing "$sizing" --out "$dest" 2>/dev/null
  done
done
