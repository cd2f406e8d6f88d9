#!/usr/bin/env bash
# The README's microscopy picture from the current build: a fluorescence set drawn by
# make-samples (3-channel 16-bit composites), AST trained on its 40 normal images with the CPU
# preset, detect on one normal and one image of each defect type; the overlays (composites
# drawn as Fiji shows them) above the colour maps. Run after `mvn package`:
#   scripts/figures/microscopy_figure.sh [out.png]      (default docs/microscopy-result.png)
set -euo pipefail
. "$(dirname "$0")/../benchmarks/bench_env.sh"
out="${1:-$here/docs/microscopy-result.png}"
work="$here/target/microscopy-figure"
rm -rf "$work" && mkdir -p "$work/pick"
run make-samples --scene fluorescence --out "$work/data" --size 128 --train 40 --test-good 2 --per-defect 1 --seed 11 >/dev/null
for t in good saturated blur debris missing; do
  cp "$work/data/test/$t/000.tif" "$work/pick/$t.tif"
done
run train --images "$work/data/train/good" --model "$work/cells.ast" --seed 0 >/dev/null 2>&1
run detect --model "$work/cells.ast" --images "$work/pick" --out "$work/results" 2>/dev/null | tail -8
/usr/bin/python3 "$here/scripts/figures/readme_figure.py" "$work/results" "$out" good,saturated,blur,debris,missing
