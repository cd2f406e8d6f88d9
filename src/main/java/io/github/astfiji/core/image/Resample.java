package io.github.astfiji.core.image;

/**
 * Separable resampling of one float plane with a triangle (bilinear) kernel whose
 * support widens when shrinking, so downscaling averages instead of aliasing.
 * Pixel centres are aligned (align_corners = false).
 */
public final class Resample {

    private Resample() {
    }

    public static float[] resize(float[] src, int w, int h, int nw, int nh) {
        if (w == nw && h == nh) {
            return src.clone();
        }
        float[] rows = new float[nw * h];
        for (int y = 0; y < h; y++) {
            resample1d(src, y * w, 1, w, rows, y * nw, 1, nw);
        }
        float[] out = new float[nw * nh];
        for (int x = 0; x < nw; x++) {
            resample1d(rows, x, nw, h, out, x, nw, nh);
        }
        return out;
    }

    private static void resample1d(float[] src, int srcOff, int srcStep, int n,
                                   float[] dst, int dstOff, int dstStep, int m) {
        double scale = (double) n / m;
        double support = Math.max(1.0, scale);
        for (int i = 0; i < m; i++) {
            double centre = (i + 0.5) * scale - 0.5;
            int lo = (int) Math.floor(centre - support);
            int hi = (int) Math.ceil(centre + support);
            double acc = 0;
            double norm = 0;
            for (int j = lo; j <= hi; j++) {
                double wgt = 1 - Math.abs(j - centre) / support;
                if (wgt <= 0) {
                    continue;
                }
                int jj = Math.min(Math.max(j, 0), n - 1);
                acc += wgt * src[srcOff + jj * srcStep];
                norm += wgt;
            }
            dst[dstOff + i * dstStep] = (float) (acc / norm);
        }
    }

    /**
     * Bilinear resampling with corner pixels aligned (PyTorch's align_corners = True): output
     * pixel i samples the input at i * (n - 1) / (m - 1). No smoothing when shrinking.
     */
    public static float[] resizeAlignCorners(float[] src, int w, int h, int nw, int nh) {
        float[] out = new float[nw * nh];
        double sx = nw > 1 ? (double) (w - 1) / (nw - 1) : 0;
        double sy = nh > 1 ? (double) (h - 1) / (nh - 1) : 0;
        for (int y = 0; y < nh; y++) {
            double fy = y * sy;
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double ty = fy - y0;
            for (int x = 0; x < nw; x++) {
                double fx = x * sx;
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double tx = fx - x0;
                double top = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
                double bottom = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
                out[y * nw + x] = (float) (top * (1 - ty) + bottom * ty);
            }
        }
        return out;
    }

    /**
     * Gaussian smoothing of one plane, separable, truncated at 4 sigma and mirrored at the
     * borders (edge pixel repeated: d c b a | a b c d), like scipy.ndimage.gaussian_filter.
     */
    public static float[] gaussianBlur(float[] src, int w, int h, double sigma) {
        int radius = (int) (4.0 * sigma + 0.5);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] rows = new float[w * h];
        for (int y = 0; y < h; y++) {
            convolve1d(src, y * w, 1, w, k, rows);
        }
        float[] out = new float[w * h];
        for (int x = 0; x < w; x++) {
            convolve1d(rows, x, w, h, k, out);
        }
        return out;
    }

    private static void convolve1d(float[] src, int off, int step, int n, double[] k, float[] dst) {
        int r = k.length / 2;
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int j = -r; j <= r; j++) {
                acc += k[j + r] * src[off + mirror(i + j, n) * step];
            }
            dst[off + i * step] = (float) acc;
        }
    }

    /** Index reflected about the edges, the edge itself repeated (scipy's 'reflect'). */
    static int mirror(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }
}
