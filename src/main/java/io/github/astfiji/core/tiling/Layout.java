package io.github.astfiji.core.tiling;

import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.image.Resample;

import java.util.ArrayList;
import java.util.List;

/**
 * How an image becomes the networks' square inputs (views) and where each view's map
 * goes in the map of the whole image. Three ways, stored in the model:
 * <ul>
 * <li>{@link Sizing#RESIZE}: the whole image stretched to the input size (the papers' way,
 * and every model made before tiling existed);</li>
 * <li>{@link Sizing#FIT}: the whole image scaled to fit, keeping its aspect ratio, the
 * rest of the square filled by mirroring; the map is cropped back to the image;</li>
 * <li>{@link Sizing#TILE}: the image at a fixed working scale (working pixels per image
 * pixel), cut into overlapping square tiles; the tile maps are stitched by averaging
 * where they overlap, so a large image keeps its detail and a small defect stays small.</li>
 * </ul>
 * Positions are in map cells (a cell is {@code cell} working pixels: the backbone stride
 * for grid maps, 1 for pixel maps). For very large images several cells are pooled into
 * one, so the stitched map stays below {@link #MAX_MAP_CELLS}.
 */
public final class Layout {

    /** Cells of a stitched map at most (64 MB of floats per map). */
    public static final long MAX_MAP_CELLS = 16L << 20;

    /** One network input: which part of the image (in image pixels; may reach outside, then mirrored) and where its map goes. */
    public static final class View {
        /** Source rectangle in image pixels (fractional at non-integer scales). */
        public final double x;
        public final double y;
        public final double width;
        public final double height;
        /** Offset of this view's map in the whole map, in (pooled) cells. */
        public final int mapX;
        public final int mapY;
        /** Input pixels (from the top left) that hold image content; the rest is mirrored padding (FIT only). */
        public final int contentWidth;
        public final int contentHeight;

        View(double x, double y, double width, double height, int mapX, int mapY, int contentWidth, int contentHeight) {
            this.x = x;
            this.y = y;
            this.width = width;
            this.height = height;
            this.mapX = mapX;
            this.mapY = mapY;
            this.contentWidth = contentWidth;
            this.contentHeight = contentHeight;
        }
    }

    public final Sizing sizing;
    public final int tile;
    public final List<View> views;
    /** Cells of a view's map per side after pooling, and the pooling factor. */
    public final int viewCells;
    public final int pool;
    /** Size of the whole stitched map in (pooled) cells, and the part of it that covers the image. */
    public final int mapWidth;
    public final int mapHeight;
    public final int contentCellsX;
    public final int contentCellsY;

    private Layout(Sizing sizing, int tile, List<View> views, int viewCells, int pool, int mapWidth, int mapHeight,
                   int contentCellsX, int contentCellsY) {
        this.sizing = sizing;
        this.tile = tile;
        this.views = views;
        this.viewCells = viewCells;
        this.pool = pool;
        this.mapWidth = mapWidth;
        this.mapHeight = mapHeight;
        this.contentCellsX = contentCellsX;
        this.contentCellsY = contentCellsY;
    }

    /**
     * The views of a width x height image.
     *
     * @param tile    the networks' input side (the model's image size)
     * @param cell    working pixels per map cell (backbone stride, or 1 for pixel maps)
     * @param scale   working pixels per image pixel (TILE)
     * @param overlap share of a tile that overlaps its neighbour (TILE, detection)
     * @param training TILE: tiles side by side without overlap (each image pixel once)
     */
    public static Layout of(Sizing sizing, int width, int height, int tile, int cell, double scale, double overlap, boolean training) {
        int cells = tile / cell;
        switch (sizing) {
            case RESIZE:
                return new Layout(sizing, tile, List.of(new View(0, 0, width, height, 0, 0, tile, tile)), cells, 1, cells, cells,
                        cells, cells);
            case FIT: {
                double f = (double) tile / Math.max(width, height);
                int cw = Math.max(1, Math.min(tile, (int) Math.round(width * f)));
                int ch = Math.max(1, Math.min(tile, (int) Math.round(height * f)));
                // the source rectangle that fills the whole square at that scale (beyond the image: mirrored)
                View v = new View(0, 0, tile / f, tile / f, 0, 0, cw, ch);
                return new Layout(sizing, tile, List.of(v), cells, 1, cells, cells, ceilDiv(cw, cell), ceilDiv(ch, cell));
            }
            default: {
                int ww = Math.max(1, (int) Math.round(width * scale));
                int wh = Math.max(1, (int) Math.round(height * scale));
                int pool = poolFor(ww, wh, cell, cells);
                int unit = cell * pool;
                int pw = Math.max(tile, ceilDiv(ww, unit) * unit);
                int ph = Math.max(tile, ceilDiv(wh, unit) * unit);
                int stride = training ? tile : Math.max(unit, (int) Math.floor(tile * (1 - overlap) / unit) * unit);
                List<View> views = new ArrayList<>();
                for (int ty : starts(ph, tile, stride)) {
                    for (int tx : starts(pw, tile, stride)) {
                        views.add(new View(tx / scale, ty / scale, tile / scale, tile / scale, tx / unit, ty / unit, tile, tile));
                    }
                }
                return new Layout(sizing, tile, views, tile / unit, pool, pw / unit, ph / unit, ceilDiv(ww, unit), ceilDiv(wh, unit));
            }
        }
    }

    /** Tile starts 0, stride, 2 stride, ... and one flush with the end, so the whole length is covered. */
    static List<Integer> starts(int length, int tile, int stride) {
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s + tile < length; s += stride) {
            out.add(s);
        }
        out.add(length - tile);
        return out;
    }

    /** The smallest pooling that divides a view's cells and keeps the stitched map under the cap. */
    static int poolFor(int workingWidth, int workingHeight, int cell, int cells) {
        for (int f = 1; f <= cells; f++) {
            if (cells % f != 0) {
                continue;
            }
            long mapCells = (long) ceilDiv(workingWidth, cell * f) * ceilDiv(workingHeight, cell * f);
            if (mapCells <= MAX_MAP_CELLS) {
                return f;
            }
        }
        return cells;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * The pixels of a view, in image units, resampled to the input side: the source
     * rectangle read from the image (only the part inside it; the rest mirrored at the
     * image's edges) and, for FIT, mirrored beyond the content area.
     */
    public FloatImage pixels(PixelSource image, View v) {
        int w = image.width();
        int h = image.height();
        int x0 = (int) Math.floor(v.x);
        int y0 = (int) Math.floor(v.y);
        int x1 = (int) Math.ceil(v.x + v.width);
        int y1 = (int) Math.ceil(v.y + v.height);
        if (sizing == Sizing.FIT) {
            x1 = w;
            y1 = h;
        }
        int[] xs = mirrored(x0, x1, w);
        int[] ys = mirrored(y0, y1, h);
        int rx0 = min(xs);
        int ry0 = min(ys);
        int rw = max(xs) - rx0 + 1;
        int rh = max(ys) - ry0 + 1;
        float[] read = image.region(rx0, ry0, rw, rh);
        int c = image.channels();
        float[] ext = new float[c * xs.length * ys.length];
        for (int ch = 0; ch < c; ch++) {
            for (int r = 0; r < ys.length; r++) {
                int srcRow = (ch * rh + ys[r] - ry0) * rw;
                int dstRow = (ch * ys.length + r) * xs.length;
                for (int k = 0; k < xs.length; k++) {
                    ext[dstRow + k] = read[srcRow + xs[k] - rx0];
                }
            }
        }
        if (sizing != Sizing.FIT) {
            return resized(ext, xs.length, ys.length, c, image.bitDepth(), tile, tile);
        }
        FloatImage content = resized(ext, xs.length, ys.length, c, image.bitDepth(), v.contentWidth, v.contentHeight);
        int[] px = mirrored(0, tile, v.contentWidth);
        int[] py = mirrored(0, tile, v.contentHeight);
        float[] out = new float[c * tile * tile];
        float[] d = content.data();
        for (int ch = 0; ch < c; ch++) {
            for (int r = 0; r < tile; r++) {
                for (int k = 0; k < tile; k++) {
                    out[(ch * tile + r) * tile + k] = d[(ch * v.contentHeight + py[r]) * v.contentWidth + px[k]];
                }
            }
        }
        return new FloatImage(tile, tile, c, image.bitDepth(), out);
    }

    private static FloatImage resized(float[] data, int w, int h, int c, int bitDepth, int nw, int nh) {
        if (w == nw && h == nh) {
            return new FloatImage(w, h, c, bitDepth, data);
        }
        float[] out = new float[c * nw * nh];
        for (int ch = 0; ch < c; ch++) {
            float[] plane = java.util.Arrays.copyOfRange(data, ch * w * h, (ch + 1) * w * h);
            System.arraycopy(Resample.resize(plane, w, h, nw, nh), 0, out, ch * nw * nh, nw * nh);
        }
        return new FloatImage(nw, nh, c, bitDepth, out);
    }

    /** Indices from..to-1 mapped into 0..n-1 by mirroring at the edges (edge pixel repeated), repeatedly if needed. */
    static int[] mirrored(int from, int to, int n) {
        int[] out = new int[to - from];
        int period = 2 * n;
        for (int i = from; i < to; i++) {
            int m = Math.floorMod(i, period);
            out[i - from] = m < n ? m : period - 1 - m;
        }
        return out;
    }

    private static int min(int[] a) {
        int m = Integer.MAX_VALUE;
        for (int v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static int max(int[] a) {
        int m = Integer.MIN_VALUE;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The cells of a view's (unpooled) map that hold image content, 1, and mirrored padding, 0: for masking training losses. */
    public float[] contentMask(View v, int cell) {
        int n = tile / cell;
        float[] m = new float[n * n];
        int cx = ceilDiv(v.contentWidth, cell);
        int cy = ceilDiv(v.contentHeight, cell);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                m[y * n + x] = x < cx && y < cy ? 1f : 0f;
            }
        }
        return m;
    }
}
