#!/usr/bin/env bash
# Ablation benchmark on the synthetic RGB-D data set (BENCHMARKS.md): AST and teacher-only
# in rgb, depth and rgb+depth modes, each with and without positional encoding and
# foreground masking. Run after `mvn package`. Results: $OUT/<setting>/results.{md,csv}.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
JAR="${JAR:-$here/target/AST_Anomaly_Detection-0.1.0-SNAPSHOT.jar}"
DATA="${DATA:-$here/target/synthetic-large}"
OUT="${OUT:-$here/target/synthetic-bench}"
SIZE="${IMAGE_SIZE:-128}"
run() { java -Djava.awt.headless=true -jar "$JAR" "$@"; }
[ -d "$DATA" ] || run make-synthetic --out "$DATA" --size large
for mode in rgb depth rgb+depth; do
  for variant in full no-positional no-foreground-mask; do
    name="${mode/+/-}_${variant}"
    extra=()
    [ "$variant" = full ] || extra=("--$variant")
    [ -f "$OUT/$name/results.csv" ] && continue
    echo "== $name"
    run evaluate --data "$DATA" --input "$mode" --image-size "$SIZE" --out "$OUT/$name" "${extra[@]}" 2>/dev/null
  done
done
