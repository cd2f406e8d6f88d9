# Sourced by the benchmark scripts: the repository, the plugin jar, where data sets are made,
# python3-skimage's images (each overridable from the environment) and `run`, the command line.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${JAR:-$here/target/AST_Anomaly_Detection-0.1.0-SNAPSHOT.jar}"
WORK="${WORK:-$here/target/bench-data}"
SKIMAGE="${SKIMAGE:-/usr/lib/python3/dist-packages/skimage/data}"
run() { java -Djava.awt.headless=true -jar "$JAR" "$@"; }
