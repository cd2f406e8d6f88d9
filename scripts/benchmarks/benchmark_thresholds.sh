#!/usr/bin/env bash
# Operating points (BENCHMARKS.md, Verdicts): AST, CPU preset, trained per data set and
# seed with thresholds from a 20 % hold-out and from 5-fold scoring (FOLDS="0 5");
# verdicts on the test images at the model's own operating point (1 expected false alarm
# per 100 normal parts) and at other sensitivities without retraining. Prints one CSV line
# per model and sensitivity: data,seed,calibration,normal_images_used,sensitivity,
# false_alarms,normal_test,misses,defect_test. Run after `mvn package` and
# scripts/benchmarks/benchmark_methods.sh (which makes the data sets). SETS picks data sets (names
# below); TAG labels a variant (another JAR) so that two builds can be compared.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/threshold-bench}"
SEEDS="${SEEDS:-0 1 2}"
FOLDS="${FOLDS:-0 5}"
TAG="${TAG:-}"
SETS="${SETS:-brick gravel grass synthetic-weave synthetic-granite synthetic-puck synthetic-board}"
count() { # scores.csv -> "false_alarms,normal,misses,defects"
  awk -F, 'NR > 1 && $5 != "error" { if ($2 == "good") { n++; if ($5 == "anomalous") fa++ } else { d++; if ($5 == "normal") m++ } }
           END { printf "%d,%d,%d,%d", fa, n, m, d }' "$1"
}
sets=("brick:$here/test-images" "gravel:$WORK/bench-gravel" "grass:$WORK/bench-grass")
for c in weave granite puck board; do sets+=("synthetic-$c:$WORK/synthetic-large/$c"); done
echo "data,seed,calibration,normal_images_used,sensitivity,false_alarms,normal_test,misses,defect_test"
for entry in "${sets[@]}"; do
  name="${entry%%:*}"; data="${entry#*:}"
  [[ " $SETS " == *" $name "* ]] || continue
  extra=()
  [[ "$name" == synthetic-* ]] && extra=(--image-size 128 --input rgb)
  for seed in $SEEDS; do
    for folds in $FOLDS; do
      dir="$OUT/$name/seed$seed/folds$folds$TAG"
      mkdir -p "$dir"
      model="$dir/model.ast"
      [ -f "$model" ] || run train --images "$data/train/good" --model "$model" --seed "$seed" --calibration-folds "$folds" \
          "${extra[@]}" > "$dir/train.log" 2>&1
      used=$(grep -o "Thresholds from [0-9]*" "$dir/train.log" | grep -o "[0-9]*$")
      label=$([ "$folds" = 0 ] && echo "hold-out 20%" || echo "$folds-fold$TAG")
      for s in model 0.2 5 20; do
        out="$dir/detect-$s"
        opts=()
        [ "$s" = model ] || opts=(--false-alarms "$s")
        [ -f "$out/scores.csv" ] || run detect --model "$model" --images "$data/test" --out "$out" "${opts[@]}" > /dev/null 2>&1 || true
        echo "$name,$seed,$label,$used,$([ "$s" = model ] && echo 1 || echo "$s"),$(count "$out/scores.csv")"
      done
    done
  done
done
