#!/usr/bin/env bash
# Screenshots of the real ImageJ 1 window for the README: the Plugins > Anomaly Detection
# menu, and a result (input with region overlay, anomaly map, results table, ROI Manager).
# Needs Debian's imagej, xvfb, xdotool and imagemagick; run after `mvn package`.
#   scripts/figures/screenshots.sh [out_dir]        (default docs/)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-docs}"
work="target/screenshots"
rm -rf "$work" && mkdir -p "$work/imagej/plugins/jars" "$out"
cp target/AST_Anomaly_Detection-*-SNAPSHOT.jar "$work/imagej/plugins/" 2>/dev/null || cp target/AST_Anomaly_Detection-*.jar "$work/imagej/plugins/"
find target/lib -name '*.jar' ! -name 'ij-*.jar' -exec cp {} "$work/imagej/plugins/jars/" \;
[ -f "${MODEL:-}" ] && cp "$MODEL" "$work/brick.ast" || java -Djava.awt.headless=true -jar target/AST_Anomaly_Detection-*-SNAPSHOT.jar train \
  --images test-images/train/good --model "$work/brick.ast" >/dev/null 2>&1
model="$(pwd)/$work/brick.ast"
img="$(pwd)/test-images/test/scratch/002.png"
cat > "$work/result.ijm" <<MACRO
open("$img");
rename("scratch_002.png");
run("Detect Anomalies", "model_file=[$model] input_folder=[] output_folder=[] backbone_file=[] add_to_roi_manager");
selectWindow("scratch_002.png"); run("Set... ", "zoom=300"); setLocation(0, 130);
selectWindow("scratch_002_anomaly_map"); run("Set... ", "zoom=300"); setLocation(420, 130);
selectWindow("Anomaly Detection Results"); setLocation(0, 560);
MACRO
Xvfb :77 -screen 0 1100x820x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=:77
sleep 2
java -Dplugins.dir="$(pwd)/$work/imagej" -jar /usr/share/java/ij.jar -macro "$(pwd)/$work/result.ijm" >"$work/imagej.log" 2>&1 &
ij=$!
sleep 25
import -window root "$work/screenshot-result.png"
# open Plugins > Anomaly Detection: ImageJ centres its window at the top of this
# 1100-pixel screen, which puts "Plugins" at x=705 in the menu bar
xdotool mousemove 705 12; sleep 0.5; xdotool mousedown 1; sleep 0.3; xdotool mouseup 1
sleep 2
import -window root "$work/menu-plugins.png"
MENU_ITEM_Y="${MENU_ITEM_Y:-156}"  # the "Anomaly Detection" entry in that menu
if [ -n "$MENU_ITEM_Y" ]; then
  xdotool mousemove 730 "$MENU_ITEM_Y"; sleep 0.5; xdotool click 1
  sleep 2
  import -window root "$out/screenshot-menu.png"
  echo "wrote $out/screenshot-menu.png"
fi

kill $ij 2>/dev/null || true
wait $ij 2>/dev/null || true

# the Train AST dialog as a user first sees it (the macro waits on the open dialog)
printf 'run("Train AST");\n' >"$work/dialog.ijm"
java -Dplugins.dir="$(pwd)/$work/imagej" -jar /usr/share/java/ij.jar -macro "$(pwd)/$work/dialog.ijm" >>"$work/imagej.log" 2>&1 &
ij=$!
sleep 12
import -window root "$work/dialog-full.png"
# the dialog is the topmost window: crop the screen to it
geometry="$(xdotool search --name '^Train AST$' getwindowgeometry --shell | tail -n 5)"
eval "$geometry"
import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" "$out/screenshot-train-dialog.png"
echo "wrote $out/screenshot-train-dialog.png"
kill $ij 2>/dev/null || true
