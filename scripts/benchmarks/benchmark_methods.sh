#!/usr/bin/env bash
# Method comparison for BENCHMARKS.md: AST, its teacher-only baseline and Reverse
# Distillation (CPU presets, built-in backbones) on the bundled samples, two CC0 photo
# textures (gravel, grass) and the synthetic RGB-D set in RGB mode, for each training
# seed, one JVM per data set and seed. Run after `mvn package`; then
#   python3 scripts/benchmarks/summarise_methods.py target/methods-bench
# prints the tables (mean and standard deviation over seeds).
# Results: $OUT/<data>/seed<N>/results.{md,csv}, results_by_type.csv. METHODS, SETS and
# SEEDS choose what runs (e.g. METHODS=us SETS=brick SEEDS="0 1 2").
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/methods-bench}"
SEEDS="${SEEDS:-0 1 2}"
METHODS="${METHODS:-ast,rd}"
SETS="${SETS:-brick gravel grass synthetic-rgb}"
for t in gravel grass; do
  [ -d "$WORK/bench-$t" ] || run make-samples --source "$SKIMAGE/$t.png" --out "$WORK/bench-$t" --seed 11
done
[ -d "$WORK/synthetic-large" ] || run make-synthetic --out "$WORK/synthetic-large" --size large
declare -A DATA=([brick]="$here/test-images" [gravel]="$WORK/bench-gravel" [grass]="$WORK/bench-grass"
                 [synthetic-rgb]="$WORK/synthetic-large")
for name in $SETS; do
  for seed in $SEEDS; do
    dest="$OUT/$name/seed$seed"
    [ -f "$dest/results.csv" ] && continue
    extra=()
    # the synthetic scenes are 128 px: the same 128 px input for both methods, as in the AST ablations
    [ "$name" = synthetic-rgb ] && extra=(--image-size 128)
    echo "== $name seed $seed"
    # shellcheck disable=SC2086  # EXTRA: further evaluate options, split into words
    run evaluate --data "${DATA[$name]}" --methods "$METHODS" --input rgb --seed "$seed" --out "$dest" "${extra[@]}" ${EXTRA:-} 2>/dev/null
  done
done
