#!/usr/bin/env bash
# Microscopy-style benchmark for BENCHMARKS.md (Divergence; microscopy): a spot field and a
# fluorescence-style nuclei set of 256 px images drawn by `make-samples --scene` (TRAIN normal
# training images, default 60; test: TEST_GOOD normal, PER_DEFECT each of local defocus blur,
# debris and a thin scratch; defaults 20 and 10),
# AST, RD and US with their CPU presets and built-in backbones, each with the default sizing
# and with tiles at full resolution (--sizing tile --scale 1), for each training seed; one JVM
# per data set, sizing and seed. Run after `mvn package`; then
#   python3 scripts/benchmarks/summarise_methods.py target/microscopy-bench
# prints the tables (mean and standard deviation over seeds; false alarms, misses and
# recoveries per run), and `python3 scripts/benchmarks/loss_rises.py target/microscopy-bench` the largest
# rise of each phase's epoch loss over its best so far (what the divergence rule is set by). SETS, SIZINGS, SEEDS and METHODS choose what runs.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/microscopy-bench}"
SEEDS="${SEEDS:-0 1 2}"
METHODS="${METHODS:-ast,rd,us}"
SETS="${SETS:-spots nuclei}"
SIZINGS="${SIZINGS:-default tile}"
TRAIN="${TRAIN:-60}"
TEST_GOOD="${TEST_GOOD:-20}"
PER_DEFECT="${PER_DEFECT:-10}"
# extra settings for every run (e.g. EXTRA="--set featureNoise=0.1") and a name for them in the output folders
EXTRA="${EXTRA:-}"
TAG="${TAG:-}"
for s in $SETS; do
  data="$WORK/micro-$s-$TRAIN"
  [ -d "$data" ] || run make-samples --scene "$s" --out "$data" --size 256 --train "$TRAIN" --test-good "$TEST_GOOD" \
    --per-defect "$PER_DEFECT" --seed 5
done
for s in $SETS; do
  for sizing in $SIZINGS; do
    for seed in $SEEDS; do
      dest="$OUT/$s-$sizing$TAG/seed$seed"
      [ -f "$dest/results.csv" ] && continue
      extra=()
      [ "$sizing" = tile ] && extra=(--sizing tile --scale 1)
      echo "== $s $sizing seed $seed $(date +%T)"
      mkdir -p "$OUT/$s-$sizing$TAG"
      # progress and errors kept beside the results
      # shellcheck disable=SC2086
      run evaluate --data "$WORK/micro-$s-$TRAIN" --methods "$METHODS" --seed "$seed" --out "$dest" "${extra[@]}" $EXTRA 2> "$dest.log"
    done
  done
done
