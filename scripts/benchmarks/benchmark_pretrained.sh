#!/usr/bin/env bash
# The Java ImageNet feature extractors (core/backbone/pretrained) against TorchScript exports
# of the same networks with the same weights, on the same images: ms per image and peak
# memory of the whole process. Weights are seeded random (no published file can be fetched
# here; speed and memory do not depend on the values). Needs Debian's python3-torchvision
# and GNU time; run after `mvn package`, with nothing else running.
# Java and TorchScript runs alternate, ROUNDS times (default 3): this machine's timings drift
# by 2x between minutes, so only pairs run side by side compare.
#   scripts/benchmarks/benchmark_pretrained.sh [SIZE]    (default 384)
set -euo pipefail
source "$(dirname "$0")/bench_env.sh"
SIZE="${1:-384}"
OUT="$WORK/pretrained"
mkdir -p "$OUT"
# the same network twice: its state dict as torch.save writes it, and export_backbone.py's TorchScript
/usr/bin/python3 - "$OUT" "$SIZE" "$here/scripts" <<'PY'
import os, sys, torch
out, size, scripts = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, scripts)
import export_backbone as eb
for arch in ["resnet18", "wide_resnet50_2", "efficientnet_b5"]:
    if os.path.exists(os.path.join(out, arch + ".pt")):
        continue
    torch.manual_seed(0)
    full = {"resnet18": lambda: __import__("torchvision").models.resnet18(),
            "wide_resnet50_2": lambda: __import__("torchvision").models.wide_resnet50_2(),
            "efficientnet_b5": lambda: __import__("torchvision").models.efficientnet_b5()}[arch]()
    torch.save(full.state_dict(), os.path.join(out, arch + ".pth"))
    # export_backbone's cut of this very network (its builders take torchvision's pretrained flag; here the weights are ours)
    if arch == "resnet18":
        body = torch.nn.Sequential(full.conv1, full.bn1, full.relu, full.maxpool, full.layer1, full.layer2, full.layer3)
    elif arch == "wide_resnet50_2":
        body = eb.ThreeScales(full)
    else:
        body = torch.nn.Sequential(*list(full.features.children())[:7])
    body = eb.ChannelsLast(body).eval()
    with torch.no_grad():
        torch.jit.trace(body, torch.zeros(1, 3, size, size)).save(os.path.join(out, arch + ".pt"))
    print("exported", arch)
PY
timed() { /usr/bin/time -f "peak %M kB" java -Djava.awt.headless=true -jar "$JAR" time-backbone --size "$SIZE" --images 16 --backbone "$1" 2>&1 | grep -E "median|peak"; }
for round in $(seq 1 "${ROUNDS:-3}"); do
  for pair in "resnet18 resnet18" "wide-resnet50-2 wide_resnet50_2" "efficientnet-b5 efficientnet_b5"; do
    set -- $pair
    echo "== round $round: $1 at $SIZE px"
    echo "-- Java (DJL, weights read from the .pth):"; timed "$1=$OUT/$2.pth"
    echo "-- TorchScript export (channels-last, as scripts/export_backbone.py writes it):"; timed "$OUT/$2.pt"
  done
done
