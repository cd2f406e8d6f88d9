#!/usr/bin/python3
"""Montage for scripts/figures/large_figure.sh: top row the whole 2048 px image, the tiling model's
heat map and the whole-image model's heat map (each shown at 344 px); bottom row the
same three as full-resolution 256 px crops around the defect (from its ground-truth mask).

  python3 scripts/figures/large_figure.py IMAGE MASK TILE_OUT FIT_OUT STEM OUT.png
"""
import glob
import sys

from PIL import Image, ImageDraw


def main(image, mask, tile_dir, fit_dir, _stem, out):
    src = Image.open(image).convert("RGB")
    tile = Image.open(glob.glob("%s/*_heatmap.png" % tile_dir)[0]).convert("RGB")
    fit = Image.open(glob.glob("%s/*_heatmap.png" % fit_dir)[0]).convert("RGB")
    fit = fit.resize(src.size, Image.BILINEAR)
    tile = tile.resize(src.size, Image.BILINEAR)
    box = Image.open(mask).convert("L").getbbox()
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    half = 128
    x0 = min(max(0, cx - half), src.width - 2 * half)
    y0 = min(max(0, cy - half), src.height - 2 * half)
    crop = (x0, y0, x0 + 2 * half, y0 + 2 * half)
    side = 344
    pad = 6
    sheet = Image.new("RGB", (3 * side + 2 * pad, 2 * side + pad), "white")
    for i, im in enumerate([src, tile, fit]):
        small = im.resize((side, side), Image.BILINEAR)
        draw = ImageDraw.Draw(small)
        f = side / src.width
        draw.rectangle([crop[0] * f, crop[1] * f, crop[2] * f, crop[3] * f], outline=(0, 255, 0), width=2)
        sheet.paste(small, (i * (side + pad), 0))
        sheet.paste(im.crop(crop).resize((side, side), Image.NEAREST), (i * (side + pad), side + pad))
    sheet.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main(*sys.argv[1:7])
