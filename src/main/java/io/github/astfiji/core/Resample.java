package io.github.astfiji.core;

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
}
