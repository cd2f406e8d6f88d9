#!/usr/bin/env bash
# Regenerates the README's macro lines from the current build: ImageJ 1 (Debian's, under
# Xvfb) runs Train AST (ast, then rd) and Detect Anomalies (then again with overwrite) from
# the menu with every field at its default except the files, and the Macro Recorder's lines
# replace those between the README's "recorded-macros" markers. Paths are recorded below a
# scratch folder and shown as /data/...
# Needs Debian's imagej and xvfb; run after `mvn -DskipTests verify` (plugin jar, target/lib,
# target/test-classes).   scripts/docs/recorded_macros.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(mktemp -d /tmp/astfiji-readme.XXXXXX)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/imagej/plugins/jars" "$root/data/normal" "$root/data/new"
jar="$(ls target/AST_Anomaly_Detection-*.jar | grep -Ev -- '-(sources|tests)\.jar$' | head -1)"
cp "$jar" "$root/imagej/plugins/"
find target/lib -name '*.jar' ! -name 'ij-*.jar' -exec cp {} "$root/imagej/plugins/jars/" \;
cp test-images/train/good/*.png "$root/data/normal/"
cp test-images/test/scratch/00[0-2].png "$root/data/new/"
xvfb-run -a java -Dplugins.dir="$root/imagej" -cp "/usr/share/java/ij.jar:$(pwd)/target/test-classes" \
  io.github.astfiji.fiji.RecorderDriver readme "$root" >"$root/driver.log" 2>&1 || { cat "$root/driver.log"; exit 1; }
grep '^README: ' "$root/driver.log" | sed -e 's/^README: //' -e "s#$root##g" >"$root/lines.txt"
[ "$(wc -l <"$root/lines.txt")" = 4 ] || { echo "expected 4 recorded lines:"; cat "$root/driver.log"; exit 1; }
python3 - "$root/lines.txt" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
blocks = {"train": [l for l in lines if l.startswith('run("Train AST"')][:1] + [l for l in lines if l.startswith('run("Detect Anomalies"')][:1],
          "more": [lines[3], lines[1]]}
readme = open("README.md").read()
for name, block in blocks.items():
    pattern = re.compile(r"(<!-- recorded-macros:%s -->\n```\n).*?(\n```)" % name, re.S)
    readme, n = pattern.subn(lambda m: m.group(1) + "\n".join(block) + m.group(2), readme)
    if n != 1:
        sys.exit("README.md has no '<!-- recorded-macros:%s -->' block" % name)
open("README.md", "w").write(readme)
print("README.md: macro lines updated:\n" + "\n".join(lines))
PY
