#!/usr/bin/python3
"""Montage for the README from a demo run: overlays on top, heat maps below.

  scripts/ast demo --out target/demo && /usr/bin/python3 scripts/figures/readme_figure.py target/demo/results docs/demo-result.png
  (a third argument, comma-separated, picks other output stems; scripts/figures/microscopy_figure.sh uses it)
"""
import sys

from PIL import Image

STEMS = ["good_000", "spot_000", "scratch_002", "missing_003"]


def main(results, out, stems=STEMS):
    tiles = [Image.open("%s/%s_overlay.png" % (results, s)).convert("RGB") for s in stems]
    tiles += [Image.open("%s/%s_heatmap.png" % (results, s)).convert("RGB") for s in stems]
    w, h = tiles[0].size
    pad = 4
    n = len(stems)
    sheet = Image.new("RGB", (n * w + (n - 1) * pad, 2 * h + pad), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, ((i % n) * (w + pad), (i // n) * (h + pad)))
    sheet = sheet.resize((sheet.width * 2, sheet.height * 2), Image.NEAREST)
    sheet.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *([sys.argv[3].split(",")] if len(sys.argv) > 3 else []))
