package io.github.astfiji.core.tiling;

/**
 * Puts the maps of a layout's views together into one map of the whole image: each view's
 * map is pooled to the layout's cells, added at its place, and overlaps are averaged (sum
 * over count, as anomalib's tiler does). The result is cropped to the cells that cover
 * the image.
 */
public final class MapStitcher {

    private final Layout layout;
    private final float[] sum;
    private final float[] count;

    public MapStitcher(Layout layout) {
        this.layout = layout;
        this.sum = new float[layout.mapWidth * layout.mapHeight];
        this.count = new float[sum.length];
    }

    /** Adds one view's map (side x side values, row-major; side = viewCells x pool). */
    public void add(Layout.View v, float[] map, int side) {
        int f = layout.pool;
        int n = layout.viewCells;
        if (side != n * f) {
            throw new IllegalArgumentException("a view's map has " + side + " cells per side, expected " + n * f);
        }
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double acc = 0;
                for (int dy = 0; dy < f; dy++) {
                    for (int dx = 0; dx < f; dx++) {
                        acc += map[(y * f + dy) * side + x * f + dx];
                    }
                }
                int at = (v.mapY + y) * layout.mapWidth + v.mapX + x;
                sum[at] += (float) (acc / (f * f));
                count[at] += 1f;
            }
        }
    }

    /** The averaged map of the image's cells: contentCellsX x contentCellsY, row-major. */
    public float[] result() {
        int w = layout.contentCellsX;
        int h = layout.contentCellsY;
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = y * layout.mapWidth + x;
                out[y * w + x] = count[at] > 0 ? sum[at] / count[at] : 0f;
            }
        }
        return out;
    }
}
