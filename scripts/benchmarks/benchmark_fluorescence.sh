#!/usr/bin/env bash
# Microscopy benchmark of issue 22 for BENCHMARKS.md: a fluorescence set (3-channel 16-bit
# TIFF composites drawn by `make-samples --scene fluorescence`: nuclei, cytoplasm and spots on
# a dark noisy background; defects local defocus blur, debris, scratch, a saturated and a
# missing channel region) and a tissue set (128 px crops of scikit-image's CC0 ihc.png,
# immunohistochemistry, with `--defects microscopy`: blur, debris, scratch). TRAIN normal
# training images (default 40), TEST_GOOD normal test images (20), PER_DEFECT per defect type
# (8); AST, RD and US with their CPU presets and the built-in backbones, for each seed in
# SEEDS (0 1 2), one JVM per set and seed. Run after `mvn package`; then
#   python3 scripts/benchmarks/summarise_methods.py target/fluorescence-bench
# prints the tables; each run's types.csv has the image AUROC per defect type.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/fluorescence-bench}"
SEEDS="${SEEDS:-0 1 2}"
METHODS="${METHODS:-ast,rd,us}"
SETS="${SETS:-fluorescence tissue}"
TRAIN="${TRAIN:-40}"
TEST_GOOD="${TEST_GOOD:-20}"
PER_DEFECT="${PER_DEFECT:-8}"
for s in $SETS; do
  data="$WORK/$s-$TRAIN"
  [ -d "$data" ] && continue
  if [ "$s" = tissue ]; then
    run make-samples --source "$SKIMAGE/ihc.png" --defects microscopy --out "$data" --size 128 --train "$TRAIN" \
      --test-good "$TEST_GOOD" --per-defect "$PER_DEFECT" --seed 5
  else
    run make-samples --scene fluorescence --out "$data" --size 128 --train "$TRAIN" --test-good "$TEST_GOOD" \
      --per-defect "$PER_DEFECT" --seed 5
  fi
done
for s in $SETS; do
  for seed in $SEEDS; do
    dest="$OUT/$s/seed$seed"
    [ -f "$dest/results.csv" ] && continue
    echo "== $s seed $seed $(date +%T)"
    mkdir -p "$OUT/$s"
    # shellcheck disable=SC2086  # EXTRA: further evaluate options, split into words
    run evaluate --data "$WORK/$s-$TRAIN" --methods "$METHODS" --seed "$seed" --out "$dest" ${EXTRA:-} 2> "$dest.log"
  done
done
