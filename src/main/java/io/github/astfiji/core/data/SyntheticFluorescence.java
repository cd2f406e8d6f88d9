package io.github.astfiji.core.data;

import io.github.astfiji.core.image.FloatImage;

import java.util.Random;

/**
 * Fluorescence-style images for tests and benchmarks, made here so that nothing depends on
 * a licence: 16-bit, 2 or 3 channels, cells on a dark noisy background (camera offset 100,
 * Gaussian read noise): nuclei (channel 1), cytoplasm around them (channel 2) and small
 * spots inside it (channel 3). Defects of the kinds a microscopist meets: local defocus
 * blur, debris, a scratch, a channel region saturated or missing. Seeded: the same seed
 * gives the same image. (MicroscopySamples is the 8-bit single-channel counterpart.)
 */
public final class SyntheticFluorescence {

    /** The defects, each with the ground-truth mask it leaves. */
    public enum Defect {
        NONE, BLUR, DEBRIS, SCRATCH, SATURATED, MISSING;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final float OFFSET = 100;
    private static final float READ_NOISE = 20;

    private SyntheticFluorescence() {
    }

    /** An image and where its defect is (1 inside, 0 outside; all 0 for NONE). */
    public static DefectSynthesizer.Result make(int size, int channels, Defect defect, long seed) {
        if (channels < 1 || channels > 3) {
            throw new IllegalArgumentException("1 to 3 channels, got " + channels);
        }
        Random rnd = new Random(seed);
        int n = size * size;
        float[][] signal = new float[channels][n];
        int cells = Math.max(3, n / (34 * 34));
        for (int k = 0; k < cells; k++) {
            float cx = rnd.nextFloat() * size;
            float cy = rnd.nextFloat() * size;
            float r = 5 + rnd.nextFloat() * 3;
            float elong = 0.75f + rnd.nextFloat() * 0.5f;
            double angle = rnd.nextDouble() * Math.PI;
            float nucleus = 1200 + rnd.nextFloat() * 800;
            blob(signal[0], size, cx, cy, r, r * elong, angle, nucleus);
            if (channels > 1) {
                blob(signal[1], size, cx, cy, r * 2.1f, r * 1.8f * elong, angle, 500 + rnd.nextFloat() * 300);
            }
            if (channels > 2) {
                for (int s = 0, spots = 2 + rnd.nextInt(4); s < spots; s++) {
                    double a = rnd.nextDouble() * 2 * Math.PI;
                    float d = r * (1.1f + rnd.nextFloat());
                    blob(signal[2], size, cx + (float) (d * Math.cos(a)), cy + (float) (d * Math.sin(a)), 1.3f, 1.3f, 0, 1800 + rnd.nextFloat() * 800);
                }
            }
        }
        float[] mask = new float[n];
        applyDefect(signal, size, defect, rnd, mask);
        float[] data = new float[channels * n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                float v = OFFSET + signal[c][i] + (float) rnd.nextGaussian() * (READ_NOISE + (float) Math.sqrt(Math.max(0, signal[c][i])));
                data[c * n + i] = Math.max(0, Math.min(65535, Math.round(v)));
            }
        }
        if (defect == Defect.SATURATED) {
            for (int i = 0; i < n; i++) {
                if (mask[i] > 0) {
                    data[Math.min(1, channels - 1) * n + i] = 65535; // the detector clips there, as a camera does
                }
            }
        }
        return new DefectSynthesizer.Result(new FloatImage(size, size, channels, 16, data), mask);
    }

    private static void applyDefect(float[][] signal, int size, Defect defect, Random rnd, float[] mask) {
        int n = size * size;
        float cx = size * (0.25f + 0.5f * rnd.nextFloat());
        float cy = size * (0.25f + 0.5f * rnd.nextFloat());
        float r = size * (0.08f + 0.04f * rnd.nextFloat());
        switch (defect) {
            case NONE:
                return;
            case BLUR: {
                // a defocused patch: the signal there smoothed strongly (sigma 3 px), as out of focus
                float rb = r * 1.4f;
                for (float[] ch : signal) {
                    float[] blurred = MicroscopySamples.blur(ch, size, size, 3);
                    for (int i = 0; i < n; i++) {
                        float d = (float) Math.hypot(i % size - cx, i / size - cy);
                        if (d < rb) {
                            ch[i] = blurred[i];
                        }
                    }
                }
                disc(mask, size, cx, cy, rb);
                return;
            }
            case DEBRIS: {
                // an irregular, autofluorescent particle seen in every channel
                for (int k = 0; k < 4; k++) {
                    float ox = cx + (rnd.nextFloat() - 0.5f) * r;
                    float oy = cy + (rnd.nextFloat() - 0.5f) * r;
                    float rr = r * (0.3f + 0.3f * rnd.nextFloat());
                    for (float[] ch : signal) {
                        blob(ch, size, ox, oy, rr, rr * 0.7f, rnd.nextDouble() * Math.PI, 2500);
                    }
                    disc(mask, size, ox, oy, rr * 1.2f);
                }
                return;
            }
            case SCRATCH: {
                // a thin bright line across part of the field (a scratch on the coverslip scatters light)
                double a = rnd.nextDouble() * Math.PI;
                float len = size * 0.35f;
                for (float t = -len / 2; t <= len / 2; t += 0.5f) {
                    float x = cx + (float) (t * Math.cos(a));
                    float y = cy + (float) (t * Math.sin(a));
                    for (float[] ch : signal) {
                        blob(ch, size, x, y, 0.8f, 0.8f, 0, 250);
                    }
                    disc(mask, size, x, y, 1.5f);
                }
                return;
            }
            case SATURATED:
                disc(mask, size, cx, cy, r);
                return;
            case MISSING: {
                // one channel's signal gone in a region (bleached, or the dye did not reach it)
                int c = signal.length > 1 ? 1 : 0;
                for (int i = 0; i < n; i++) {
                    if (Math.hypot(i % size - cx, i / size - cy) < r * 1.3f) {
                        signal[c][i] = 0;
                    }
                }
                disc(mask, size, cx, cy, r * 1.3f);
                return;
            }
            default:
                throw new IllegalArgumentException(defect.toString());
        }
    }

    /** Adds a smooth elliptical blob (a Gaussian edge) of the given peak height. */
    private static void blob(float[] ch, int size, float cx, float cy, float rx, float ry, double angle, float peak) {
        int reach = (int) Math.ceil(Math.max(rx, ry) * 2 + 2);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int y = Math.max(0, (int) cy - reach); y < Math.min(size, (int) cy + reach); y++) {
            for (int x = Math.max(0, (int) cx - reach); x < Math.min(size, (int) cx + reach); x++) {
                double dx = x - cx;
                double dy = y - cy;
                double u = (dx * cos + dy * sin) / rx;
                double v = (-dx * sin + dy * cos) / ry;
                double q = u * u + v * v;
                ch[y * size + x] += (float) (peak * Math.exp(-0.5 * q * q));
            }
        }
    }

    private static void disc(float[] mask, int size, float cx, float cy, float r) {
        for (int y = Math.max(0, (int) (cy - r)); y <= Math.min(size - 1, (int) (cy + r)); y++) {
            for (int x = Math.max(0, (int) (cx - r)); x <= Math.min(size - 1, (int) (cx + r)); x++) {
                if (Math.hypot(x - cx, y - cy) <= r) {
                    mask[y * size + x] = 1;
                }
            }
        }
    }
}
