#!/usr/bin/env bash
# EfficientAD rows of BENCHMARKS.md (issue 21): `evaluate --methods efficientad` (CPU preset,
# built-in teacher and penalty images) on the sets of the method comparison (brick, gravel,
# grass, synthetic RGB-D in RGB mode) and of the microscopy benchmark (fluorescence,
# tissue), for each seed in SEEDS (0 1 2), one JVM per set and seed. EXTRA passes options
# to evaluate (e.g. EXTRA="--epochs 1000" to compare training lengths). Run after
# `mvn package`; then
#   python3 scripts/benchmarks/summarise_methods.py target/efficientad-bench/methods
#   python3 scripts/benchmarks/summarise_methods.py target/efficientad-bench/microscopy
# print the tables, beside the AST, RD and US rows of the same scripts.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-$here/target/efficientad-bench}"
export SEEDS="${SEEDS:-0 1 2}"
export METHODS=efficientad
METHOD_SETS="${METHOD_SETS-brick gravel grass synthetic-rgb}"
MICROSCOPY_SETS="${MICROSCOPY_SETS-fluorescence tissue}"
if [ -n "$MICROSCOPY_SETS" ]; then
  OUT="$OUT/microscopy" SETS="$MICROSCOPY_SETS" "$here/scripts/benchmarks/benchmark_fluorescence.sh"
fi
if [ -n "$METHOD_SETS" ]; then
  OUT="$OUT/methods" SETS="$METHOD_SETS" "$here/scripts/benchmarks/benchmark_methods.sh"
fi
