package io.github.astfiji.core.image;

import java.util.Locale;

/**
 * Scoring at the scale the model learned: a model trained at 0.1 um per pixel sees a
 * 0.2 um/px image at half the size its features expect. When both the model and an image
 * know their pixel size, the image (and its mask) is resampled to the model's; otherwise
 * nothing changes and the caller says so.
 */
public final class PixelScale {

    /** Pixel sizes closer than this (relative) count as equal: no resampling. */
    static final double TOLERANCE = 0.02;

    private PixelScale() {
    }

    /** Micrometres per unit for the length units ImageJ calibrations use; NaN for unknown units (or "pixel"). */
    public static double micrometresPer(String unit) {
        if (unit == null) {
            return Double.NaN;
        }
        switch (unit.trim().toLowerCase(Locale.ROOT)) {
            case "nm": case "nanometer": case "nanometre": case "nanometers": case "nanometres":
                return 1e-3;
            case "um": case "µm": case "\u03bcm": case "micron": case "microns": case "micrometer": case "micrometre":
            case "micrometers": case "micrometres":
                return 1;
            case "mm": case "millimeter": case "millimetre":
                return 1e3;
            case "cm": case "centimeter": case "centimetre":
                return 1e4;
            case "m": case "meter": case "metre":
                return 1e6;
            case "inch": case "inches": case "in":
                return 25_400;
            default:
                return Double.NaN;
        }
    }

    /** The factor to multiply an image's width and height by to reach the model's pixel size; 1 when nothing is to change. */
    public static double factor(double imagePixelSize, double modelPixelSize) {
        if (!(imagePixelSize > 0) || !(modelPixelSize > 0)) {
            return 1;
        }
        double f = imagePixelSize / modelPixelSize;
        return Math.abs(f - 1) <= TOLERANCE ? 1 : f;
    }

    /** The image resampled by a factor (bilinear per channel; area-averaged when shrinking). */
    public static FloatImage rescale(PixelSource image, double factor) {
        FloatImage im = image.toFloatImage();
        int w = scaled(im.width(), factor);
        int h = scaled(im.height(), factor);
        int plane = im.width() * im.height();
        float[] out = new float[im.channels() * w * h];
        for (int c = 0; c < im.channels(); c++) {
            float[] one = java.util.Arrays.copyOfRange(im.data(), c * plane, (c + 1) * plane);
            System.arraycopy(Resample.resize(one, im.width(), im.height(), w, h), 0, out, c * w * h, w * h);
        }
        return new FloatImage(w, h, im.channels(), im.bitDepth(), out);
    }

    /** A side's length after rescaling by a factor: the same for an image and its mask. */
    private static int scaled(int side, double factor) {
        return Math.max(1, (int) Math.round(side * factor));
    }

    /** A width x height mask resampled by a factor as {@link #rescale} resamples its image (inside where more than half was), or null for null. */
    public static float[] rescaleMask(float[] mask, int width, int height, double factor) {
        if (mask == null) {
            return null;
        }
        float[] r = Resample.resize(mask, width, height, scaled(width, factor), scaled(height, factor));
        for (int i = 0; i < r.length; i++) {
            r[i] = r[i] > 0.5f ? 1f : 0f;
        }
        return r;
    }

    /** A pixel size in words, e.g. "0.2 um/px". */
    public static String describe(double micrometres) {
        String four = String.format(Locale.ROOT, "%.4g", micrometres);
        return new java.math.BigDecimal(four).stripTrailingZeros().toPlainString() + " um/px";
    }

    /** Rescaling further than this (either way) invents or loses too much detail: such an image is refused. */
    static final double MAX_FACTOR = 8;

    /** What detection does with an image: the factor to resample it by, and what to tell the user (null: nothing). */
    public static final class Decision {
        public final double factor;
        public final String note;

        Decision(double factor, String note) {
            this.factor = factor;
            this.note = note;
        }
    }

    /**
     * Decides for an image of a pixel size (0: unknown) and a model of one; refuses with the
     * reason a rescaling too far, or any rescaling of an image that comes with a depth map.
     */
    public static Decision decide(String name, double imagePixelSize, double modelPixelSize, boolean withDepth) {
        if (!(modelPixelSize > 0)) {
            return new Decision(1, null);
        }
        if (!(imagePixelSize > 0)) {
            return new Decision(1, name + " has no pixel size (calibration); it is scored as if it were at the model's "
                    + describe(modelPixelSize) + " (set it in Image > Properties if it is not)");
        }
        double f = factor(imagePixelSize, modelPixelSize);
        if (f == 1) {
            return new Decision(1, null);
        }
        if (f > MAX_FACTOR || f < 1 / MAX_FACTOR) {
            throw new IllegalArgumentException(name + " is at " + describe(imagePixelSize) + " but the model learned "
                    + describe(modelPixelSize) + "; rescaling by " + String.format(Locale.ROOT, "%.3g", f) + " would invent or lose "
                    + "too much detail. Acquire at the model's scale or train a model on images at this one");
        }
        if (withDepth) {
            throw new IllegalArgumentException(name + " would need rescaling to the model's pixel size, which depth input does not allow; "
                    + "use images at the model's scale");
        }
        String enlarged = f > 1 ? " (enlarged: it has less fine detail than the training images, which a model that judges focus "
                + "may flag; train at the coarsest pixel size you inspect)" : "";
        return new Decision(f, String.format(Locale.ROOT, "%s: rescaled by %.3g from %s to the model's %s%s", name, f,
                describe(imagePixelSize), describe(modelPixelSize), enlarged));
    }
}
