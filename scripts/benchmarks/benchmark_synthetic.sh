#!/usr/bin/env bash
# Ablation benchmark on the synthetic RGB-D data set (BENCHMARKS.md): AST and teacher-only
# in rgb, depth and rgb+depth modes, each with and without positional encoding and
# foreground masking, for each training seed. Run after `mvn package`.
# Results: $OUT/seed<N>/<mode>_<setting>/results.{md,csv}, results_by_type.csv.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
DATA="${DATA:-$here/target/synthetic-large}"
OUT="${OUT:-$here/target/synthetic-bench}"
SIZE="${IMAGE_SIZE:-128}"
SEEDS="${SEEDS:-0 1 2}"
[ -d "$DATA" ] || run make-synthetic --out "$DATA" --size large
for seed in $SEEDS; do
  for mode in rgb depth rgb+depth; do
    for variant in full no-positional no-foreground-mask; do
      name="${mode/+/-}_${variant}"
      extra=()
      [ "$variant" = full ] || extra=("--$variant")
      dest="$OUT/seed$seed/$name"
      [ -f "$dest/results.csv" ] && continue
      echo "== seed $seed $name"
      run evaluate --data "$DATA" --input "$mode" --image-size "$SIZE" --seed "$seed" --out "$dest" "${extra[@]}" 2>/dev/null
    done
  done
done
