#!/usr/bin/env bash
# Rebuilds the built-in Uninformed Students teacher shipped in the plugin
# (src/main/resources/io/github/astfiji/core/us/builtin-teacher.zip): 1000 steps per patch
# size on 8 CC0/public-domain photos of Debian's python3-skimage, distilled from the
# built-in filter bank. About 10 minutes on 2 cores. Run after `mvn package`; then
# `mvn package` again to put the new teacher into the jar.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/ast" make-us-teacher --out "$here/src/main/resources/io/github/astfiji/core/us/builtin-teacher.zip" \
    --steps 1000 --seed 0 --overwrite "$@"
