#!/usr/bin/env bash
# Microscopy-style benchmark for BENCHMARKS.md (Divergence; microscopy): a spot field and a
# fluorescence-style nuclei set of 256 px images drawn by `make-samples --scene` (60 normal
# training images; test: 20 normal, 10 each of local defocus blur, debris and a thin scratch),
# AST, RD and US with their CPU presets and built-in backbones, each with the default sizing
# and with tiles at full resolution (--sizing tile --scale 1), for each training seed; one JVM
# per data set, sizing and seed. Run after `mvn package`; then
#   python3 scripts/summarise_methods.py target/microscopy-bench
# prints the tables (mean and standard deviation over seeds; false alarms, misses and
# recoveries per run), and `python3 scripts/loss_rises.py target/microscopy-bench` the largest
# rise of each phase's epoch loss over its best so far (what the divergence rule is set by). SETS, SIZINGS, SEEDS and METHODS choose what runs.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/microscopy-bench}"
SEEDS="${SEEDS:-0 1 2}"
METHODS="${METHODS:-ast,rd,us}"
SETS="${SETS:-spots nuclei}"
SIZINGS="${SIZINGS:-default tile}"
for s in $SETS; do
  [ -d "$WORK/micro-$s" ] || run make-samples --scene "$s" --out "$WORK/micro-$s" --size 256 --train 60 --test-good 20 \
    --per-defect 10 --seed 5
done
for s in $SETS; do
  for sizing in $SIZINGS; do
    for seed in $SEEDS; do
      dest="$OUT/$s-$sizing/seed$seed"
      [ -f "$dest/results.csv" ] && continue
      extra=()
      [ "$sizing" = tile ] && extra=(--sizing tile --scale 1)
      echo "== $s $sizing seed $seed $(date +%T)"
      mkdir -p "$OUT/$s-$sizing"
      # progress and errors kept beside the results
      run evaluate --data "$WORK/micro-$s" --methods "$METHODS" --seed "$seed" --out "$dest" "${extra[@]}" 2> "$dest.log"
    done
  done
done
