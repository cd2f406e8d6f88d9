package io.github.astfiji.core.data;

import io.github.astfiji.core.image.FloatImage;

import java.util.SplittableRandom;

/**
 * Paints realistic synthetic defects into a normal image and returns the ground-truth
 * mask: thin scratches, stains/spots, and missing pieces. Deterministic for a seed.
 * Intensities are 0..255 (8-bit or RGB images).
 */
public final class DefectSynthesizer {

    /** Defect types, named as MVTec-style test sub-folders. */
    public enum Kind { SCRATCH, SPOT, MISSING }

    /** An image with a painted defect and its mask (1 = defect). */
    public static final class Result {
        public final FloatImage image;
        public final float[] mask;

        Result(FloatImage image, float[] mask) {
            this.image = image;
            this.mask = mask;
        }
    }

    private DefectSynthesizer() {
    }

    public static Result paint(FloatImage normal, Kind kind, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int w = normal.width();
        int h = normal.height();
        float[] alpha = new float[w * h];
        switch (kind) {
            case SCRATCH: scratch(alpha, w, h, rng); break;
            case SPOT: spot(alpha, w, h, rng); break;
            default: missing(alpha, w, h, rng); break;
        }
        // a scratch is bright or dark; a spot a stain; a missing piece shows a dark hole
        float[] target = new float[normal.channels()];
        boolean bright = rng.nextBoolean();
        for (int c = 0; c < target.length; c++) {
            switch (kind) {
                case SCRATCH: target[c] = bright ? 245f : 15f; break;
                case SPOT: target[c] = bright ? 220f - 40f * c : 40f + 15f * c; break;
                default: target[c] = 10f; break;
            }
        }
        float[] src = normal.data();
        float[] out = src.clone();
        float[] mask = new float[w * h];
        for (int i = 0; i < w * h; i++) {
            float a = alpha[i];
            if (a <= 0) {
                continue;
            }
            for (int c = 0; c < target.length; c++) {
                int k = c * w * h + i;
                float noise = kind == Kind.MISSING ? (float) (rng.nextDouble() * 8) : 0f;
                out[k] = (1 - a) * src[k] + a * (target[c] + noise);
            }
            mask[i] = a > 0.25f ? 1f : 0f;
        }
        return new Result(new FloatImage(w, h, normal.channels(), normal.bitDepth(), out), mask);
    }

    /** A thin curved line (quadratic Bezier), anti-aliased, 1.5 to 3 px wide. */
    private static void scratch(float[] alpha, int w, int h, SplittableRandom rng) {
        double x0 = rng.nextDouble() * w, y0 = rng.nextDouble() * h * 0.3;
        double x2 = rng.nextDouble() * w, y2 = h * (0.7 + rng.nextDouble() * 0.3);
        double x1 = rng.nextDouble() * w, y1 = rng.nextDouble() * h;
        if (rng.nextBoolean()) { // horizontal instead of vertical
            double t;
            t = x0; x0 = y0; y0 = t;
            t = x1; x1 = y1; y1 = t;
            t = x2; x2 = y2; y2 = t;
        }
        double half = 0.75 + rng.nextDouble() * 0.75;
        int steps = 4 * (w + h);
        for (int s = 0; s <= steps; s++) {
            double t = (double) s / steps;
            double px = (1 - t) * (1 - t) * x0 + 2 * (1 - t) * t * x1 + t * t * x2;
            double py = (1 - t) * (1 - t) * y0 + 2 * (1 - t) * t * y1 + t * t * y2;
            stamp(alpha, w, h, px, py, half, 0.8);
        }
    }

    /** A soft-edged elliptical stain, 5 to 11 px radius. */
    private static void spot(float[] alpha, int w, int h, SplittableRandom rng) {
        double rx = 5 + rng.nextDouble() * 6;
        double ry = rx * (0.6 + rng.nextDouble() * 0.8);
        double cx = rx + rng.nextDouble() * (w - 2 * rx);
        double cy = ry + rng.nextDouble() * (h - 2 * ry);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot((x - cx) / rx, (y - cy) / ry);
                double a = d < 0.7 ? 0.85 : d < 1.0 ? 0.85 * (1.0 - d) / 0.3 : 0;
                alpha[y * w + x] = Math.max(alpha[y * w + x], (float) a);
            }
        }
    }

    /** A chipped-off piece: an irregular polygon, 10 to 22 px across, fully replaced. */
    private static void missing(float[] alpha, int w, int h, SplittableRandom rng) {
        double r = 5 + rng.nextDouble() * 6;
        double cx = r + rng.nextDouble() * (w - 2 * r);
        double cy = r + rng.nextDouble() * (h - 2 * r);
        int n = 7;
        double[] radius = new double[n];
        for (int i = 0; i < n; i++) {
            radius[i] = r * (0.6 + rng.nextDouble() * 0.6);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ang = Math.atan2(y - cy, x - cx);
                double pos = (ang + Math.PI) / (2 * Math.PI) * n;
                int i0 = (int) Math.floor(pos) % n;
                double f = pos - Math.floor(pos);
                double edge = radius[i0] * (1 - f) + radius[(i0 + 1) % n] * f;
                if (Math.hypot(x - cx, y - cy) <= edge) {
                    alpha[y * w + x] = 1f;
                }
            }
        }
    }

    private static void stamp(float[] alpha, int w, int h, double px, double py, double half, double strength) {
        int x0 = (int) Math.floor(px - half - 1);
        int y0 = (int) Math.floor(py - half - 1);
        for (int y = y0; y <= y0 + 2 * half + 2; y++) {
            for (int x = x0; x <= x0 + 2 * half + 2; x++) {
                if (x < 0 || y < 0 || x >= w || y >= h) {
                    continue;
                }
                double d = Math.hypot(x - px, y - py);
                double a = strength * Math.max(0, Math.min(1, half + 0.5 - d));
                alpha[y * w + x] = Math.max(alpha[y * w + x], (float) a);
            }
        }
    }
}
