package io.github.astfiji.core.depth;

import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.Resample;

/**
 * The paper's depth pipeline (section 4.2.2, constants from the reference code): fill
 * missing values, fit the background as a plane through the four corners, call every pixel
 * more than 7 mm off that plane foreground, dilate, normalise, and pixel-unshuffle the
 * depth to the feature grid so it can be concatenated with the image features.
 */
public final class DepthProcessing {

    /** Passes of missing-value filling from the 8 neighbours. */
    public static final int FILL_PASSES = 3;
    /** Distance from the background plane above which a pixel is foreground (metres). */
    public static final float FOREGROUND_THRESHOLD = 7e-3f;
    /** Side of the square structuring element that dilates the foreground. */
    public static final int DILATION = 8;
    /** Normalised depth = (z - foreground mean) * SCALE: centimetres for z in metres. */
    public static final float SCALE = 100f;
    /** Pixel-unshuffle factor: 8 x 8 depth pixels become 64 channels of one grid cell. */
    public static final int UNSHUFFLE = 8;

    /** Everything derived from one depth map, at the map's own resolution. */
    public static final class Result {
        public final int width;
        public final int height;
        /** z after filling; still-missing pixels (large holes) are set to the background plane. */
        public final float[] filled;
        public final float[] plane;
        /** Dilated foreground; null when nothing stands off the plane (then every pixel counts). */
        public final boolean[] foreground;
        /**
         * (z - foreground mean) * 100 with the background set to the foreground mean (so 0);
         * without foreground, (z - plane) * 100.
         */
        public final float[] normalised;

        Result(int width, int height, float[] filled, float[] plane, boolean[] foreground, float[] normalised) {
            this.width = width;
            this.height = height;
            this.filled = filled;
            this.plane = plane;
            this.foreground = foreground;
            this.normalised = normalised;
        }

        /** The foreground as a float mask (1/0) for the scoring code, or null when there is none. */
        public float[] mask() {
            if (foreground == null) {
                return null;
            }
            float[] m = new float[foreground.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = foreground[i] ? 1f : 0f;
            }
            return m;
        }

        /** The normalised depth as UNSHUFFLE^2 channels on a grid x grid map, channel-major. */
        public float[] channels(int gridWidth, int gridHeight) {
            return unshuffle(normalised, width, height, gridWidth, gridHeight, UNSHUFFLE);
        }
    }

    private DepthProcessing() {
    }

    public static Result process(DepthMap depth) {
        int w = depth.width();
        int h = depth.height();
        float[] filled = fillMissing(depth.z(), w, h, FILL_PASSES);
        float[] plane = backgroundPlane(filled, w, h);
        for (int i = 0; i < filled.length; i++) {
            if (DepthMap.missing(filled[i])) {
                filled[i] = plane[i];
            }
        }
        boolean[] fg = dilate(foreground(filled, plane, FOREGROUND_THRESHOLD), w, h, DILATION);
        boolean any = false;
        for (boolean b : fg) {
            any |= b;
        }
        float[] normalised;
        if (any) {
            normalised = normalise(filled, fg);
        } else {
            // Nothing stands off the plane: a flat surface (a texture) fills the view. The paper's
            // rule (mean of the foreground) is undefined here; the height above the fitted plane
            // keeps what matters (dents, bumps) instead of the table's tilt.
            normalised = new float[filled.length];
            for (int i = 0; i < filled.length; i++) {
                normalised[i] = (filled[i] - plane[i]) * SCALE;
            }
        }
        return new Result(w, h, filled, plane, any ? fg : null, normalised);
    }

    /**
     * Each pass sets every missing pixel that has valid 8-neighbours to their mean, reading
     * only the previous pass's values, so holes close from their rim inwards by one pixel
     * per pass.
     */
    public static float[] fillMissing(float[] z, int w, int h, int passes) {
        float[] cur = z.clone();
        for (int p = 0; p < passes; p++) {
            float[] next = cur.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (!DepthMap.missing(cur[y * w + x])) {
                        continue;
                    }
                    double sum = 0;
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = x + dx;
                            int yy = y + dy;
                            if ((dx != 0 || dy != 0) && xx >= 0 && yy >= 0 && xx < w && yy < h && !DepthMap.missing(cur[yy * w + xx])) {
                                sum += cur[yy * w + xx];
                                n++;
                            }
                        }
                    }
                    if (n > 0) {
                        next[y * w + x] = (float) (sum / n);
                    }
                }
            }
            cur = next;
        }
        return cur;
    }

    /** Side of the square corner patches whose means define the background plane. */
    static int cornerSize(int w, int h) {
        return Math.max(1, Math.round(Math.min(w, h) * 0.05f));
    }

    /**
     * The background: the means of the four corner patches, interpolated bilinearly between
     * the patch centres (and extrapolated to the border). A tilted flat table is reproduced
     * exactly. A corner with no valid value is completed from the other three.
     */
    public static float[] backgroundPlane(float[] z, int w, int h) {
        int c = cornerSize(w, h);
        double[] corner = {
            patchMean(z, w, 0, 0, c), patchMean(z, w, w - c, 0, c),
            patchMean(z, w, 0, h - c, c), patchMean(z, w, w - c, h - c, c)
        };
        completeCorners(corner);
        double x0 = (c - 1) / 2.0;
        double x1 = w - 1 - (c - 1) / 2.0;
        double y0 = (c - 1) / 2.0;
        double y1 = h - 1 - (c - 1) / 2.0;
        float[] plane = new float[w * h];
        for (int y = 0; y < h; y++) {
            double v = y1 > y0 ? (y - y0) / (y1 - y0) : 0;
            for (int x = 0; x < w; x++) {
                double u = x1 > x0 ? (x - x0) / (x1 - x0) : 0;
                double top = corner[0] + u * (corner[1] - corner[0]);
                double bottom = corner[2] + u * (corner[3] - corner[2]);
                plane[y * w + x] = (float) (top + v * (bottom - top));
            }
        }
        return plane;
    }

    private static double patchMean(float[] z, int w, int x0, int y0, int c) {
        double sum = 0;
        int n = 0;
        for (int y = y0; y < y0 + c; y++) {
            for (int x = x0; x < x0 + c; x++) {
                float v = z[y * w + x];
                if (!DepthMap.missing(v)) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Corners in order top-left, top-right, bottom-left, bottom-right; fills NaNs. */
    static void completeCorners(double[] k) {
        int missing = 0;
        double sum = 0;
        for (double v : k) {
            if (Double.isNaN(v)) {
                missing++;
            } else {
                sum += v;
            }
        }
        if (missing == 4) {
            throw new IllegalArgumentException("the depth map has no valid value in any corner; the background plane cannot be estimated");
        }
        if (missing == 1) {
            // a plane through three corners: the fourth is the sum of its neighbours minus the opposite one
            int[][] rule = {{1, 2, 3}, {0, 3, 2}, {0, 3, 1}, {1, 2, 0}};
            for (int i = 0; i < 4; i++) {
                if (Double.isNaN(k[i])) {
                    k[i] = k[rule[i][0]] + k[rule[i][1]] - k[rule[i][2]];
                }
            }
        } else if (missing > 1) {
            double mean = sum / (4 - missing);
            for (int i = 0; i < 4; i++) {
                if (Double.isNaN(k[i])) {
                    k[i] = mean;
                }
            }
        }
    }

    public static boolean[] foreground(float[] z, float[] plane, float threshold) {
        boolean[] fg = new boolean[z.length];
        for (int i = 0; i < z.length; i++) {
            fg[i] = Math.abs(plane[i] - z[i]) > threshold;
        }
        return fg;
    }

    /**
     * Binary dilation with a size x size square (for an even size the element reaches one
     * pixel further up/left than down/right). Separable: rows, then columns.
     */
    public static boolean[] dilate(boolean[] m, int w, int h, int size) {
        int before = size / 2;
        int after = size - 1 - before;
        boolean[] rows = new boolean[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean on = false;
                for (int xx = Math.max(0, x - after); xx <= Math.min(w - 1, x + before) && !on; xx++) {
                    on = m[y * w + xx];
                }
                rows[y * w + x] = on;
            }
        }
        boolean[] out = new boolean[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean on = false;
                for (int yy = Math.max(0, y - after); yy <= Math.min(h - 1, y + before) && !on; yy++) {
                    on = rows[yy * w + x];
                }
                out[y * w + x] = on;
            }
        }
        return out;
    }

    /** Background to the foreground mean, then (z - mean) * SCALE; without a foreground, all pixels count. */
    public static float[] normalise(float[] z, boolean[] fg) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < z.length; i++) {
            if (fg == null || fg[i]) {
                sum += z[i];
                n++;
            }
        }
        float mean = (float) (sum / Math.max(1, n));
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = fg == null || fg[i] ? (z[i] - mean) * SCALE : 0f;
        }
        return out;
    }

    /**
     * Resizes to (factor*gw) x (factor*gh) and moves each factor x factor block into
     * channels, in PyTorch's pixel_unshuffle order: channel = dy * factor + dx.
     */
    public static float[] unshuffle(float[] d, int w, int h, int gw, int gh, int factor) {
        int rw = gw * factor;
        int rh = gh * factor;
        float[] r = Resample.resize(d, w, h, rw, rh);
        float[] out = new float[factor * factor * gw * gh];
        for (int dy = 0; dy < factor; dy++) {
            for (int dx = 0; dx < factor; dx++) {
                int c = dy * factor + dx;
                for (int gy = 0; gy < gh; gy++) {
                    for (int gx = 0; gx < gw; gx++) {
                        out[(c * gh + gy) * gw + gx] = r[(gy * factor + dy) * rw + gx * factor + dx];
                    }
                }
            }
        }
        return out;
    }
}
