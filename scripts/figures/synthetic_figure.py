#!/usr/bin/python3
"""README figure of the synthetic RGB-D data set: per category, a normal scene and one
of each defect type, image on top and depth (nearer = brighter) below.
Needs Debian's python3-numpy, python3-pil, python3-tifffile.
    scripts/ast make-synthetic --out target/synthetic-large --size large
    /usr/bin/python3 scripts/figures/synthetic_figure.py target/synthetic-large docs/synthetic-rgbd.png
"""
import sys

import numpy as np
import tifffile
from PIL import Image, ImageDraw

root, out = sys.argv[1], sys.argv[2]
types = ["good", "stain", "colour", "dent", "bump", "scratch", "crack", "missing", "misplaced"]
rows = []
for cat in ["weave", "granite", "puck", "board"]:
    tiles = []
    for t in types:
        try:
            rgb = np.array(Image.open(f"{root}/{cat}/test/{t}/rgb/000.png").convert("RGB"))
            z = tifffile.imread(f"{root}/{cat}/test/{t}/xyz/000.tiff")[..., 2]
        except FileNotFoundError:
            tiles.append(np.full((256, 128, 3), 255, np.uint8))
            continue
        valid = z > 0
        lo, hi = np.percentile(z[valid], [1, 99])
        d = np.where(valid, (hi - z) / max(hi - lo, 1e-9), 0)
        d = (np.clip(d, 0, 1) * 255).astype(np.uint8)
        tiles.append(np.concatenate([rgb, np.stack([d] * 3, -1)], 0))
    rows.append(np.concatenate([np.pad(t, ((0, 0), (2, 2), (0, 0)), constant_values=255) for t in tiles], 1))
grid = np.concatenate([np.pad(r, ((4, 4), (0, 0), (0, 0)), constant_values=255) for r in rows], 0)
header = Image.new("RGB", (grid.shape[1], 18), "white")
draw = ImageDraw.Draw(header)
for i, t in enumerate(types):
    draw.text((i * 132 + 6, 3), t, fill="black")
Image.fromarray(np.concatenate([np.array(header), grid], 0)).quantize(colors=192).save(out, optimize=True)
print("wrote", out)
