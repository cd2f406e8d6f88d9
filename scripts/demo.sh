#!/usr/bin/env bash
# The main job on the bundled samples: build, train AST on test-images/train/good,
# detect on test-images/test, print scores and AUROC, write heat maps to target/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -Djava.awt.headless=true -jar target/AST_Anomaly_Detection-0.1.0-SNAPSHOT.jar demo "$@"
