package io.github.astfiji.core.image;

import java.util.Arrays;
import java.util.List;

/**
 * How raw images become network input, fixed at training time and stored in the model:
 * intensities mapped to [0, 1] (8-bit and RGB by /255; 16- and 32-bit by the training
 * images' 0.1 and 99.9 percentiles, so a 12-bit camera is not crushed), gray replicated
 * to 3 channels, resized to imageSize x imageSize, then ImageNet mean/std normalised.
 */
public final class Preprocessing {

    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    public int imageSize;
    /** Channels of the training images (1 or 3); other images are refused. */
    public int channels;
    /** Bit depth of the training images (8, 16, 24 for RGB, 32). */
    public int bitDepth;
    public float low;
    public float high;

    public static Preprocessing fit(List<FloatImage> images, int imageSize) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        Preprocessing p = new Preprocessing();
        p.imageSize = imageSize;
        p.channels = images.get(0).channels();
        p.bitDepth = images.get(0).bitDepth();
        if (p.bitDepth == 8 || p.bitDepth == 24) {
            p.low = 0;
            p.high = 255;
            return p;
        }
        // Percentiles from a bounded, evenly strided sample of all training pixels.
        long total = 0;
        for (FloatImage im : images) {
            total += im.data().length;
        }
        int budget = 2_000_000;
        long step = Math.max(1, total / budget);
        float[] sample = new float[(int) Math.min(total, budget + images.size())];
        int n = 0;
        for (FloatImage im : images) {
            float[] d = im.data();
            for (int i = 0; i < d.length && n < sample.length; i += step) {
                sample[n++] = d[i];
            }
        }
        float[] sorted = Arrays.copyOf(sample, n);
        Arrays.sort(sorted);
        p.low = sorted[(int) Math.floor(0.001 * (n - 1))];
        p.high = sorted[(int) Math.ceil(0.999 * (n - 1))];
        if (!(p.high > p.low)) {
            p.high = p.low + 1;
        }
        return p;
    }

    /**
     * Explains why an image cannot go through this model, or returns null when it can: its
     * channels and bit depth, and for an image in memory its values (NaN, infinity).
     */
    public String incompatibility(PixelSource im) {
        if (im.channels() != channels) {
            return "the model was trained on " + describe(channels) + " images but this image is "
                    + describe(im.channels()) + "; convert it (Image > Type) or train a model on such images";
        }
        String bad = im instanceof FloatImage ? nonFinite((FloatImage) im) : null;
        if (bad != null) {
            return bad;
        }
        boolean trainedOn8 = bitDepth == 8 || bitDepth == 24;
        boolean is8 = im.bitDepth() == 8 || im.bitDepth() == 24;
        if (trainedOn8 != is8) {
            return "the model was trained on " + bitDepth + "-bit images but this image is " + im.bitDepth()
                    + "-bit; intensities would not match. Convert it or train on images of the same bit depth";
        }
        return null;
    }

    /** Why an image's samples cannot be used (NaN or infinite values), or null. */
    public static String nonFinite(FloatImage im) {
        float[] d = im.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                int px = i % (im.width() * im.height());
                return "the image has a " + d[i] + " pixel at x=" + (px % im.width()) + ", y=" + (px / im.width())
                        + "; replace NaN/infinite values first (Process > Math > Remove NaNs)";
            }
        }
        return null;
    }

    private static String describe(int c) {
        return c == 1 ? "grayscale" : "RGB";
    }

    /** Network input for one image: 3 x imageSize x imageSize floats, channel-major. */
    public float[] apply(FloatImage im) {
        return apply(im, imageSize, imageSize);
    }

    /** Network input at any size: 3 x height x width floats, channel-major. */
    public float[] apply(FloatImage im, int width, int height) {
        String problem = incompatibility(im);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        float[] out = new float[3 * width * height];
        float scale = 1f / (high - low);
        for (int c = 0; c < 3; c++) {
            int srcC = im.channels() == 1 ? 0 : c;
            float[] plane = Arrays.copyOfRange(im.data(), srcC * im.width() * im.height(), (srcC + 1) * im.width() * im.height());
            float[] r = Resample.resize(plane, im.width(), im.height(), width, height);
            for (int i = 0; i < r.length; i++) {
                float v = (r[i] - low) * scale;
                v = Math.max(-1f, Math.min(2f, v)); // headroom: over-bright defects stay visible
                out[c * width * height + i] = (v - MEAN[c]) / STD[c];
            }
        }
        return out;
    }
}
