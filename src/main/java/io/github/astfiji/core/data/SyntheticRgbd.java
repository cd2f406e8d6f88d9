package io.github.astfiji.core.data;

import io.github.astfiji.core.image.FloatImage;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic generator of RGB-D inspection scenes in the spirit of MVTec 3D-AD:
 * textures that fill the view and objects on a slightly tilted table, seen by a pinhole
 * camera about 45 cm away, with sensor noise and missing depth values. Defects are visible
 * in RGB only (stains, colour spots), in depth only (dents, bumps: shading is computed from
 * the defect-free surface, so the image does not change), in both (scratches, cracks,
 * missing pieces), or are intact parts in the wrong place (which only a position-aware
 * model can flag). Every sample is a pure function of (category, defect, size, seed).
 */
public final class SyntheticRgbd {

    /** What a defect changes. */
    public enum Visibility { RGB, DEPTH, BOTH }

    public enum Defect {
        STAIN(Visibility.RGB), COLOUR(Visibility.RGB), DENT(Visibility.DEPTH), BUMP(Visibility.DEPTH),
        SCRATCH(Visibility.BOTH), CRACK(Visibility.BOTH), MISSING(Visibility.BOTH), MISPLACED(Visibility.BOTH);

        public final Visibility visibility;

        Defect(Visibility v) {
            this.visibility = v;
        }

        public String folder() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Category {
        WEAVE(true), GRANITE(true), PUCK(false), BOARD(false);

        public final boolean texture;

        Category(boolean texture) {
            this.texture = texture;
        }

        public String folder() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Defects that make sense for this category (misplaced parts need parts). */
        public List<Defect> defects() {
            return this == BOARD ? List.of(Defect.values())
                    : List.of(Defect.STAIN, Defect.COLOUR, Defect.DENT, Defect.BUMP, Defect.SCRATCH, Defect.CRACK, Defect.MISSING);
        }
    }

    /** One scene: 8-bit RGB, x/y/z in metres (0 where missing), and the defect mask (1 = defect). */
    public static final class Sample {
        public final int size;
        public final FloatImage rgb;
        public final float[] x;
        public final float[] y;
        public final float[] z;
        public final float[] mask;

        Sample(int size, FloatImage rgb, float[] x, float[] y, float[] z, float[] mask) {
            this.size = size;
            this.rgb = rgb;
            this.x = x;
            this.y = y;
            this.z = z;
            this.mask = mask;
        }
    }

    static final double CAMERA_DISTANCE = 0.45;
    static final double PUCK_HEIGHT = 0.020;
    static final double BOARD_HEIGHT = 0.010;

    private final int n;
    /** Scene layout and texture phases. */
    private final SplittableRandom rng;
    /** Defect placement and shape: its own stream, so a defect never changes the rest of the scene. */
    private final SplittableRandom defectRng;
    /** Sensor noise and missing values. */
    private final SplittableRandom sensorRng;
    /** Height above the table (m) and albedo (0..1) per pixel. */
    private final double[] height;
    private final double[][] albedo = new double[3][];
    private final boolean[] mask;
    /** Object footprint, where defects are placed on objects. */
    private final boolean[] object;
    private final double lighting;

    private SyntheticRgbd(int size, long seed, long defectSeed) {
        this.n = size;
        this.rng = new SplittableRandom(seed);
        this.sensorRng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.defectRng = new SplittableRandom(defectSeed);
        this.height = new double[size * size];
        for (int c = 0; c < 3; c++) {
            albedo[c] = new double[size * size];
        }
        this.mask = new boolean[size * size];
        this.object = new boolean[size * size];
        this.lighting = 0.95 + 0.1 * rng.nextDouble();
    }

    public static Sample normal(Category category, int size, long seed) {
        return generate(category, null, size, seed);
    }

    /**
     * A scene with one defect; defect null gives a normal scene. The same seed gives the same
     * scene with and without a defect, so what a defect changes can be checked exactly.
     */
    public static Sample generate(Category category, Defect defect, int size, long seed) {
        if (size < 32) {
            throw new IllegalArgumentException("synthetic images need at least 32 pixels per side, got " + size);
        }
        if (defect != null && !category.defects().contains(defect)) {
            throw new IllegalArgumentException(defect.folder() + " defects do not apply to " + category.folder());
        }
        long sceneSeed = seed * 0x9E3779B97F4A7C15L + category.ordinal() * 7919L;
        SyntheticRgbd s = new SyntheticRgbd(size, sceneSeed, sceneSeed + 31L * (defect == null ? 0 : defect.ordinal() + 1));
        double[] parts = s.scene(category, defect == Defect.MISPLACED);
        if (defect != null && defect.visibility != Visibility.DEPTH) {
            s.applyVisible(category, defect, parts);
        }
        double[] shaded = s.shade();
        if (defect != null && defect.visibility == Visibility.DEPTH) {
            s.applyDepthOnly(defect);
        }
        return s.render(shaded);
    }

    // ---- scenes ----

    /** Builds the normal scene; returns, for BOARD, the part placements (for misplacing). */
    private double[] scene(Category c, boolean misplace) {
        switch (c) {
            case WEAVE: weave(); return null;
            case GRANITE: granite(); return null;
            case PUCK: table(); puck(); return null;
            default: table(); return board(misplace);
        }
    }

    private void weave() {
        double period = n / 12.0;
        double ox = rng.nextDouble() * period * 2;
        double oy = rng.nextDouble() * period * 2;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double a = (u + ox) / period;
                double b = (v + oy) / period;
                boolean over = (((int) Math.floor(a) + (int) Math.floor(b)) & 1) == 0;
                double across = over ? Math.sin(Math.PI * (b - Math.floor(b))) : Math.sin(Math.PI * (a - Math.floor(a)));
                int i = v * n + u;
                height[i] = 0.0004 * across;
                double t = 0.75 + 0.25 * across + 0.05 * noise(u * 0.5, v * 0.5, 3);
                albedo[0][i] = (over ? 0.80 : 0.35) * t;
                albedo[1][i] = (over ? 0.70 : 0.45) * t;
                albedo[2][i] = (over ? 0.50 : 0.70) * t;
            }
        }
    }

    private void granite() {
        double ox = rng.nextDouble() * 1000;
        double oy = rng.nextDouble() * 1000;
        double scale = 6.0 / n;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double g = fbm((u + ox * n) * scale, (v + oy * n) * scale, 1);
                double speck = fbm((u + ox * n) * scale * 5, (v + oy * n) * scale * 5, 2);
                int i = v * n + u;
                height[i] = 0.0003 * g;
                double dark = speck > 0.35 ? 0.35 : 1.0;
                albedo[0][i] = (0.62 + 0.15 * g) * dark;
                albedo[1][i] = (0.52 + 0.12 * g) * dark;
                albedo[2][i] = (0.50 + 0.10 * g) * dark;
            }
        }
    }

    /** A dark, finely grained table. */
    private void table() {
        double ox = rng.nextDouble() * 1000;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double g = noise((u + ox) * 0.4, v * 0.4, 4);
                int i = v * n + u;
                height[i] = 0.0001 * g;
                albedo[0][i] = 0.22 + 0.03 * g;
                albedo[1][i] = 0.23 + 0.03 * g;
                albedo[2][i] = 0.25 + 0.03 * g;
            }
        }
    }

    private void puck() {
        double cx = n / 2.0 + (rng.nextDouble() - 0.5) * 0.04 * n;
        double cy = n / 2.0 + (rng.nextDouble() - 0.5) * 0.04 * n;
        double r = 0.30 * n;
        double turn = (rng.nextDouble() - 0.5) * 0.35;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double d = Math.hypot(u - cx, v - cy);
                if (d > r) {
                    continue;
                }
                int i = v * n + u;
                object[i] = true;
                double bevel = Math.min(1, (r - d) / (0.04 * n));
                height[i] = PUCK_HEIGHT * (0.85 + 0.15 * bevel);
                double angle = Math.atan2(v - cy, u - cx) - turn;
                boolean ring = Math.abs(d - 0.62 * r) < 0.05 * r;
                boolean marker = d > 0.72 * r && d < 0.9 * r && Math.abs(Math.IEEEremainder(angle, 2 * Math.PI)) < 0.2;
                double t = 0.95 + 0.05 * noise(u * 0.7, v * 0.7, 5);
                albedo[0][i] = (ring || marker ? 0.15 : 0.90) * t;
                albedo[1][i] = (ring || marker ? 0.12 : 0.50) * t;
                albedo[2][i] = (ring || marker ? 0.10 : 0.15) * t;
            }
        }
    }

    /**
     * A green board with three parts at fixed places. When misplacing, one part is moved to
     * a free spot on the board. Returns the part centres and sizes that were drawn.
     */
    private double[] board(boolean misplace) {
        double jx = (rng.nextDouble() - 0.5) * 0.03 * n;
        double jy = (rng.nextDouble() - 0.5) * 0.03 * n;
        double x0 = 0.15 * n + jx;
        double y0 = 0.2 * n + jy;
        double bw = 0.7 * n;
        double bh = 0.6 * n;
        fillRect(x0, y0, bw, bh, BOARD_HEIGHT, new double[] {0.15, 0.45, 0.20}, object);
        // part: relative centre x, y, half-size, height, colour
        double[][] parts = {
            {0.25, 0.30, 0.07, 0.008, 0.85, 0.15, 0.12},
            {0.70, 0.30, 0.06, 0.006, 0.15, 0.25, 0.85},
            {0.45, 0.72, 0.08, 0.005, 0.90, 0.80, 0.20}};
        int moved = misplace ? defectRng.nextInt(3) : -1;
        for (int k = 0; k < parts.length; k++) {
            double[] p = parts[k];
            double px = x0 + p[0] * bw;
            double py = y0 + p[1] * bh;
            if (k == moved) {
                // mark where the part should be, then put it in the free lower-right corner
                markRect(px - p[2] * n, py - p[2] * n, 2 * p[2] * n, 2 * p[2] * n);
                px = x0 + 0.82 * bw;
                py = y0 + 0.72 * bh;
                markRect(px - p[2] * n, py - p[2] * n, 2 * p[2] * n, 2 * p[2] * n);
            }
            fillRect(px - p[2] * n, py - p[2] * n, 2 * p[2] * n, 2 * p[2] * n, BOARD_HEIGHT + p[3],
                    new double[] {p[4], p[5], p[6]}, null);
        }
        return new double[] {x0, y0, bw, bh};
    }

    private void fillRect(double x, double y, double w, double h, double top, double[] colour, boolean[] footprint) {
        for (int v = Math.max(0, (int) Math.floor(y)); v < Math.min(n, Math.ceil(y + h)); v++) {
            for (int u = Math.max(0, (int) Math.floor(x)); u < Math.min(n, Math.ceil(x + w)); u++) {
                int i = v * n + u;
                height[i] = top;
                double t = 0.95 + 0.05 * noise(u * 0.6, v * 0.6, 6);
                for (int c = 0; c < 3; c++) {
                    albedo[c][i] = colour[c] * t;
                }
                if (footprint != null) {
                    footprint[i] = true;
                }
            }
        }
    }

    private void markRect(double x, double y, double w, double h) {
        for (int v = Math.max(0, (int) Math.floor(y)); v < Math.min(n, Math.ceil(y + h)); v++) {
            for (int u = Math.max(0, (int) Math.floor(x)); u < Math.min(n, Math.ceil(x + w)); u++) {
                mask[v * n + u] = true;
            }
        }
    }

    // ---- defects ----

    /** A point away from the border, on the object when there is one. */
    private double[] site() {
        boolean hasObject = false;
        for (boolean b : object) {
            hasObject |= b;
        }
        for (int tries = 0; tries < 1000; tries++) {
            double u = n * (0.2 + 0.6 * defectRng.nextDouble());
            double v = n * (0.2 + 0.6 * defectRng.nextDouble());
            if (!hasObject || object[(int) v * n + (int) u]) {
                return new double[] {u, v};
            }
        }
        return new double[] {n / 2.0, n / 2.0};
    }

    /** An irregular blob: a noisy ellipse around a site; returns the pixels' weights (0..1). */
    private double[] blob(double[] at, double radius) {
        double[] w = new double[n * n];
        double ax = radius * (0.8 + 0.4 * defectRng.nextDouble());
        double ay = radius * (0.8 + 0.4 * defectRng.nextDouble());
        double off = defectRng.nextDouble() * 100;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double d = Math.hypot((u - at[0]) / ax, (v - at[1]) / ay) + 0.25 * noise(u * 0.3 + off, v * 0.3, 7);
                w[v * n + u] = d < 1 ? Math.min(1, (1 - d) * 4) : 0;
            }
        }
        return w;
    }

    /** A polyline of steps (straight for scratches, jagged for cracks); returns covered pixels. */
    private boolean[] line(double[] at, double length, double jag, double width) {
        boolean[] on = new boolean[n * n];
        double angle = defectRng.nextDouble() * Math.PI;
        double x = at[0] - Math.cos(angle) * length / 2;
        double y = at[1] - Math.sin(angle) * length / 2;
        for (double s = 0; s < length; s += 0.5) {
            angle += jag * (defectRng.nextDouble() - 0.5);
            x += 0.5 * Math.cos(angle);
            y += 0.5 * Math.sin(angle);
            for (int v = (int) Math.floor(y - width); v <= Math.ceil(y + width); v++) {
                for (int u = (int) Math.floor(x - width); u <= Math.ceil(x + width); u++) {
                    if (u >= 0 && v >= 0 && u < n && v < n && Math.hypot(u - x, v - y) <= width / 2 + 0.35) {
                        on[v * n + u] = true;
                    }
                }
            }
        }
        return on;
    }

    private void applyVisible(Category c, Defect d, double[] parts) {
        double[] at = site();
        switch (d) {
            case STAIN: {
                double[] w = blob(at, 0.06 * n);
                for (int i = 0; i < w.length; i++) {
                    if (w[i] > 0) {
                        for (int k = 0; k < 3; k++) {
                            albedo[k][i] *= 1 - 0.6 * w[i];
                        }
                        mask[i] = true;
                    }
                }
                break;
            }
            case COLOUR: {
                double[] w = blob(at, 0.05 * n);
                for (int i = 0; i < w.length; i++) {
                    if (w[i] > 0) {
                        double r = albedo[0][i];
                        albedo[0][i] = r + w[i] * (albedo[2][i] - r);
                        albedo[2][i] = albedo[2][i] + w[i] * (r - albedo[2][i]);
                        albedo[1][i] = albedo[1][i] + w[i] * (0.75 - albedo[1][i]);
                        mask[i] = true;
                    }
                }
                break;
            }
            case SCRATCH: {
                boolean[] on = line(at, (0.3 + 0.2 * defectRng.nextDouble()) * n, 0.02, Math.max(1.5, n / 80.0));
                carve(on, 0.0015, 0.55, c);
                break;
            }
            case CRACK: {
                boolean[] on = line(at, (0.2 + 0.15 * defectRng.nextDouble()) * n, 0.9, Math.max(1.5, n / 64.0));
                carve(on, 0.003, 0.2, c);
                break;
            }
            case MISSING: {
                double[] w = blob(at, 0.07 * n);
                for (int i = 0; i < w.length; i++) {
                    if (w[i] > 0) {
                        if (c.texture) {
                            height[i] -= 0.005; // a hole through the surface layer
                            for (int k = 0; k < 3; k++) {
                                albedo[k][i] = 0.08;
                            }
                        } else {
                            height[i] = Math.min(height[i], 0.0001); // down to the table
                            albedo[0][i] = 0.22;
                            albedo[1][i] = 0.23;
                            albedo[2][i] = 0.25;
                        }
                        mask[i] = true;
                    }
                }
                break;
            }
            default:
                break; // MISPLACED happened while building the board
        }
    }

    private void carve(boolean[] on, double depth, double darken, Category c) {
        for (int i = 0; i < on.length; i++) {
            if (on[i] && (c.texture || object[i])) {
                height[i] -= depth;
                for (int k = 0; k < 3; k++) {
                    albedo[k][i] *= darken;
                }
                mask[i] = true;
            }
        }
    }

    private void applyDepthOnly(Defect d) {
        double[] at = site();
        double sigma = (0.04 + 0.02 * defectRng.nextDouble()) * n;
        double amp = (d == Defect.DENT ? -1 : 1) * 0.003;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double g = Math.exp(-((u - at[0]) * (u - at[0]) + (v - at[1]) * (v - at[1])) / (2 * sigma * sigma));
                int i = v * n + u;
                height[i] += amp * g;
                if (g > 0.2) {
                    mask[i] = true;
                }
            }
        }
    }

    // ---- rendering ----

    /** Lambertian shading of the current surface, light from the upper left. */
    private double[] shade() {
        double[] s = new double[n * n];
        double metresPerPixel = CAMERA_DISTANCE / (1.2 * n);
        double lx = -0.4;
        double ly = -0.4;
        double lz = 0.82;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                double gx = (height[v * n + Math.min(n - 1, u + 1)] - height[v * n + Math.max(0, u - 1)]) / (2 * metresPerPixel);
                double gy = (height[Math.min(n - 1, v + 1) * n + u] - height[Math.max(0, v - 1) * n + u]) / (2 * metresPerPixel);
                double norm = Math.sqrt(gx * gx + gy * gy + 1);
                double dot = (-gx * lx - gy * ly + lz) / norm;
                s[v * n + u] = lighting * (0.35 + 0.65 * Math.max(0, dot) / lz);
            }
        }
        return s;
    }

    private Sample render(double[] shading) {
        int size = n * n;
        float[] rgb = new float[3 * size];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < size; i++) {
                double val = 255 * albedo[c][i] * shading[i] + 2.0 * sensorRng.nextGaussian();
                rgb[c * size + i] = (float) Math.max(0, Math.min(255, Math.round(val)));
            }
        }
        double f = 1.2 * n;
        double tiltX = 0.030 + 0.004 * (rng.nextDouble() - 0.5);
        double tiltY = 0.015 + 0.004 * (rng.nextDouble() - 0.5);
        float[] x = new float[size];
        float[] y = new float[size];
        float[] z = new float[size];
        float[] m = new float[size];
        double metresPerPixel = CAMERA_DISTANCE / f;
        for (int v = 0; v < n; v++) {
            for (int u = 0; u < n; u++) {
                int i = v * n + u;
                m[i] = mask[i] ? 1f : 0f;
                double gx = Math.abs(height[v * n + Math.min(n - 1, u + 1)] - height[v * n + Math.max(0, u - 1)]);
                double gy = Math.abs(height[Math.min(n - 1, v + 1) * n + u] - height[Math.max(0, v - 1) * n + u]);
                boolean steep = Math.max(gx, gy) > 4 * metresPerPixel;
                // the same draws for every pixel keep the noise identical with and without a defect
                double edgeLoss = sensorRng.nextDouble();
                double dropout = sensorRng.nextDouble();
                double noise = 0.0001 * sensorRng.nextGaussian();
                // sensors lose steep edges and a few scattered points
                if ((steep && edgeLoss < 0.4) || dropout < 0.002) {
                    continue;
                }
                double zt = CAMERA_DISTANCE + tiltX * (u / (double) n - 0.5) + tiltY * (v / (double) n - 0.5);
                double zz = zt - height[i] + noise;
                z[i] = (float) zz;
                x[i] = (float) ((u - n / 2.0) * zz / f);
                y[i] = (float) ((v - n / 2.0) * zz / f);
            }
        }
        return new Sample(n, new FloatImage(n, n, 3, 24, rgb), x, y, z, m);
    }

    // ---- deterministic value noise ----

    private static double hash(long x, long y, long salt) {
        long h = x * 0x9E3779B97F4A7C15L ^ y * 0xC2B2AE3D27D4EB4FL ^ salt * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return ((h >>> 11) * 0x1.0p-53) * 2 - 1;
    }

    /** Smooth value noise in [-1, 1] on a unit lattice. */
    static double noise(double x, double y, long salt) {
        long xi = (long) Math.floor(x);
        long yi = (long) Math.floor(y);
        double fx = x - xi;
        double fy = y - yi;
        double sx = fx * fx * (3 - 2 * fx);
        double sy = fy * fy * (3 - 2 * fy);
        double a = hash(xi, yi, salt) + sx * (hash(xi + 1, yi, salt) - hash(xi, yi, salt));
        double b = hash(xi, yi + 1, salt) + sx * (hash(xi + 1, yi + 1, salt) - hash(xi, yi + 1, salt));
        return a + sy * (b - a);
    }

    static double fbm(double x, double y, long salt) {
        double sum = 0;
        double amp = 0.5;
        for (int o = 0; o < 4; o++) {
            sum += amp * noise(x, y, salt + o);
            x *= 2;
            y *= 2;
            amp *= 0.5;
        }
        return sum;
    }
}
