package io.github.astfiji.core.data;

import io.github.astfiji.core.image.FloatImage;

import java.util.SplittableRandom;

/**
 * Microscopy-style images drawn from a seed, for benchmarks and tests where the users'
 * images are fluorescence or spot fields rather than textures: a dark, noisy, unevenly lit
 * background with many small bright spots (a spot field), or with nuclei (textured blobs
 * of 8-16 px radius). Defects of the sizes microscopists meet: a local defocus (a disc of
 * the image blurred), debris (a small irregular bright or dark clump) and a thin scratch.
 * 8-bit intensities (0..255), one channel.
 */
public final class MicroscopySamples {

    /** What the normal images show. */
    public enum Scene { SPOTS, NUCLEI }

    /** Defect types, named as MVTec-style test sub-folders. */
    public enum Defect { BLUR, DEBRIS, SCRATCH }

    private MicroscopySamples() {
    }

    /** A normal image of the scene. */
    public static FloatImage normal(Scene scene, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] d = new float[size * size];
        // uneven illumination: a faint plane plus camera offset
        double gx = rng.nextDouble(-4, 4) / size;
        double gy = rng.nextDouble(-4, 4) / size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                d[y * size + x] = (float) (12 + gx * x + gy * y);
            }
        }
        if (scene == Scene.SPOTS) {
            int n = 120 + rng.nextInt(120);
            for (int i = 0; i < n; i++) {
                gaussian(d, size, rng.nextDouble(size), rng.nextDouble(size), rng.nextDouble(0.9, 1.8), rng.nextDouble(60, 200));
            }
        } else {
            int n = 14 + rng.nextInt(10);
            for (int i = 0; i < n; i++) {
                nucleus(d, size, rng);
            }
        }
        for (int i = 0; i < d.length; i++) {
            // shot noise grows with brightness, read noise does not
            double v = d[i] + rng.nextGaussian() * (2.5 + 0.06 * d[i]);
            d[i] = (float) Math.max(0, Math.min(255, Math.round(v)));
        }
        return new FloatImage(size, size, 1, 8, d);
    }

    /** The image with one defect painted in, and its mask (1 = defect); every channel gets the same defect (RGB tissue too). */
    public static DefectSynthesizer.Result defect(FloatImage normal, Defect kind, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int w = normal.width();
        int h = normal.height();
        int n = w * h;
        int channels = normal.channels();
        float[] out = normal.data().clone();
        float[] mask = new float[n];
        // alpha: how much of each pixel the defect replaces; target: what it is replaced by, per channel
        float[] alpha = new float[n];
        float[][] target = new float[channels][];
        double cx = rng.nextDouble(0.2, 0.8) * w;
        double cy = rng.nextDouble(0.2, 0.8) * h;
        switch (kind) {
            case BLUR: {
                // defocus: the disc's content blurred, blended in over a soft rim
                double r = rng.nextDouble(0.08, 0.14) * w;
                double sigma = rng.nextDouble(2.5, 3.5);
                for (int c = 0; c < channels; c++) {
                    target[c] = blur(java.util.Arrays.copyOfRange(out, c * n, (c + 1) * n), w, h, sigma);
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        alpha[y * w + x] = (float) Math.max(0, Math.min(1, (r - Math.hypot(x - cx, y - cy)) / 4 + 0.5));
                    }
                }
                break;
            }
            case DEBRIS: {
                // an irregular clump: a few overlapping blobs, bright (aggregate) or dark (dust)
                boolean bright = rng.nextBoolean();
                int parts = 3 + rng.nextInt(3);
                double radius = rng.nextDouble(3, 6);
                for (int p = 0; p < parts; p++) {
                    double px = cx + rng.nextGaussian() * radius;
                    double py = cy + rng.nextGaussian() * radius;
                    disc(alpha, w, h, px, py, radius * rng.nextDouble(0.6, 1.2));
                }
                float level = bright ? 170f : 2f;
                float[] speckle = new float[n];
                for (int i = 0; i < n; i++) {
                    speckle[i] = level + (float) rng.nextDouble(0, 20);
                }
                java.util.Arrays.fill(target, speckle);
                break;
            }
            default: {
                // a thin straight scratch of 1-2 px, 30-50 % of the image long
                double angle = rng.nextDouble(Math.PI);
                double half = rng.nextDouble(0.15, 0.25) * w;
                double width = rng.nextDouble(0.8, 1.4);
                float[] level = new float[n];
                java.util.Arrays.fill(level, rng.nextBoolean() ? 150f : 0f);
                double ux = Math.cos(angle);
                double uy = Math.sin(angle);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double along = (x - cx) * ux + (y - cy) * uy;
                        double across = Math.abs(-(x - cx) * uy + (y - cy) * ux);
                        alpha[y * w + x] = (float) (Math.max(0, Math.min(1, width + 0.5 - across)) * (Math.abs(along) <= half ? 1 : 0));
                    }
                }
                java.util.Arrays.fill(target, level);
                break;
            }
        }
        float inside = kind == Defect.BLUR ? 0.5f : 0.25f;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                out[c * n + i] = (1 - alpha[i]) * out[c * n + i] + alpha[i] * target[c][i];
            }
            mask[i] = alpha[i] > inside ? 1f : 0f;
        }
        return new DefectSynthesizer.Result(new FloatImage(w, h, channels, normal.bitDepth(), out), mask);
    }

    private static void gaussian(float[] d, int size, double cx, double cy, double sigma, double amplitude) {
        int r = (int) Math.ceil(3 * sigma);
        for (int y = Math.max(0, (int) cy - r); y <= Math.min(size - 1, (int) cy + r); y++) {
            for (int x = Math.max(0, (int) cx - r); x <= Math.min(size - 1, (int) cx + r); x++) {
                double q = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma);
                d[y * size + x] += (float) (amplitude * Math.exp(-q));
            }
        }
    }

    /** A textured ellipse with a soft edge (chromatin texture as low-frequency noise). */
    private static void nucleus(float[] d, int size, SplittableRandom rng) {
        double cx = rng.nextDouble(size);
        double cy = rng.nextDouble(size);
        double a = rng.nextDouble(8, 16);
        double b = a * rng.nextDouble(0.6, 1.0);
        double t = rng.nextDouble(Math.PI);
        double level = rng.nextDouble(70, 150);
        double p1 = rng.nextDouble(2 * Math.PI);
        double p2 = rng.nextDouble(2 * Math.PI);
        double f = rng.nextDouble(0.25, 0.45);
        int r = (int) Math.ceil(a + 3);
        for (int y = Math.max(0, (int) cy - r); y <= Math.min(size - 1, (int) cy + r); y++) {
            for (int x = Math.max(0, (int) cx - r); x <= Math.min(size - 1, (int) cx + r); x++) {
                double u = (x - cx) * Math.cos(t) + (y - cy) * Math.sin(t);
                double v = -(x - cx) * Math.sin(t) + (y - cy) * Math.cos(t);
                double rho = Math.sqrt(u * u / (a * a) + v * v / (b * b));
                double edge = 1 / (1 + Math.exp((rho - 1) * 10));
                double texture = 1 + 0.15 * Math.sin(f * x + p1) * Math.sin(f * y + p2);
                d[y * size + x] += (float) (level * edge * texture);
            }
        }
    }

    private static void disc(float[] alpha, int w, int h, double cx, double cy, double r) {
        for (int y = Math.max(0, (int) (cy - r - 2)); y <= Math.min(h - 1, (int) (cy + r + 2)); y++) {
            for (int x = Math.max(0, (int) (cx - r - 2)); x <= Math.min(w - 1, (int) (cx + r + 2)); x++) {
                double a = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(x - cx, y - cy)));
                alpha[y * w + x] = (float) Math.max(alpha[y * w + x], a);
            }
        }
    }

    /** Separable Gaussian blur with mirrored borders. */
    static float[] blur(float[] src, int w, int h, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        float[] tmp = new float[w * h];
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * src[y * w + mirror(x + i, w)];
                }
                tmp[y * w + x] = (float) (s / sum);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * tmp[mirror(y + i, h) * w + x];
                }
                out[y * w + x] = (float) (s / sum);
            }
        }
        return out;
    }

    private static int mirror(int i, int n) {
        if (i < 0) {
            return Math.min(n - 1, -i);
        }
        return i >= n ? Math.max(0, 2 * n - 2 - i) : i;
    }
}
