#!/usr/bin/env bash
# One 20000 x 20000 px 8-bit image scored with tiles at full resolution: time and peak
# resident memory (BENCHMARKS.md). A tiling AST model (CPU preset) is trained on 2048 px
# mosaics of the brick texture, then `detect` runs on a 20000 px mosaic of the same
# texture with painted defects, under /usr/bin/time -v. Run after `mvn package`; needs
# about 3 GB of memory to make the image and writes about 0.5 GB under target/.
set -euo pipefail
. "$(dirname "$0")/bench_env.sh"
run() { java -Djava.awt.headless=true "$@" -jar "$JAR"; }  # here: JVM options first, then the jar
[ -d "$WORK/huge-train" ] || java -jar "$JAR" make-samples --source "$SKIMAGE/brick.png" --out "$WORK/huge-train" \
    --size 2048 --block 128 --train 8 --test-good 1 --per-defect 1 --seed 5
[ -d "$WORK/huge" ] || java -Xmx8g -jar "$JAR" make-samples --source "$SKIMAGE/brick.png" --out "$WORK/huge" \
    --size 20000 --block 125 --train 0 --test-good 0 --per-defect 1 --seed 9
model="$WORK/huge-brick.ast"
[ -f "$model" ] || java -jar "$JAR" train --images "$WORK/huge-train/train/good" --model "$model" --sizing tile
rm -rf "$WORK/huge-out"
/usr/bin/time -v java -Djava.awt.headless=true -jar "$JAR" detect --model "$model" --images "$WORK/huge/test/spot/000.png" \
    --out "$WORK/huge-out" 2>&1 | grep -E "images scored|Elapsed|Maximum resident|Skipped|Error"
