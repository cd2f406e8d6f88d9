#!/usr/bin/python3
"""Montage for the README from a demo run: overlays on top, heat maps below.

  scripts/ast demo --out target/demo && /usr/bin/python3 scripts/figures/readme_figure.py target/demo/results docs/demo-result.png
"""
import sys

from PIL import Image

STEMS = ["good_000", "spot_000", "scratch_002", "missing_003"]


def main(results, out):
    tiles = [Image.open("%s/%s_overlay.png" % (results, s)).convert("RGB") for s in STEMS]
    tiles += [Image.open("%s/%s_heatmap.png" % (results, s)).convert("RGB") for s in STEMS]
    w, h = tiles[0].size
    pad = 4
    sheet = Image.new("RGB", (4 * w + 3 * pad, 2 * h + pad), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, ((i % 4) * (w + pad), (i // 4) * (h + pad)))
    sheet = sheet.resize((sheet.width * 2, sheet.height * 2), Image.NEAREST)
    sheet.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
