#!/usr/bin/env bash
# A busy machine (BENCHMARKS.md, Threads): AST training (CPU preset, 20 epochs, bundled
# samples) with 0, 1 or 2 competing CPU-bound processes (`yes > /dev/null`), each with
# --threads 1 and 2. Prints one CSV line per run: competing_processes,threads,train_seconds
# (the training time the tool reports: features and both phases). Run after `mvn package`
# on an otherwise idle machine.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
OUT="${OUT:-$here/target/threads-bench}"
mkdir -p "$OUT"
echo "competing_processes,threads,train_seconds"
for load in 0 1 2; do
  pids=()
  for ((i = 0; i < load; i++)); do yes > /dev/null & pids+=($!); done
  for threads in 2 1; do
    log="$OUT/load$load-threads$threads.log"
    java -Djava.awt.headless=true -jar "$JAR" train --images "$here/test-images/train/good" --model "$OUT/m.ast" --overwrite \
        --epochs 20 --calibration-folds 0 --threads "$threads" > "$log" 2>&1
    secs=$(grep -o "Trained AST on [0-9]* images in [0-9.]* s" "$log" | grep -o "[0-9.]* s$" | tr -d ' s')
    echo "$load,$threads,$secs"
  done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p"; done
  wait 2>/dev/null || true
done
