package io.github.astfiji.core.image;

import java.util.Arrays;
import java.util.List;

/**
 * How raw images become network input, fixed at training time and stored in the model:
 * intensities mapped to [0, 1] (8-bit gray and RGB by /255; 16- and 32-bit images and
 * multi-channel composites by each channel's 0.1 and 99.9 percentiles over the training
 * images, so a 12-bit camera is not crushed and a dim channel is not lost beside a bright
 * one), the channels mixed into the backbone's three input colours the way ImageJ shows a
 * composite (channel 1 red, 2 green, 3 blue, 4 grey, 5 cyan, 6 magenta, 7 yellow, then
 * again; gray replicated, RGB as it is), resized to imageSize x imageSize, then ImageNet
 * mean/std normalised. Every method and backbone thus takes any channel count unchanged.
 */
public final class Preprocessing {

    /** ImageNet's per-channel mean and deviation, which every network input here is normalised with. */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};
    /** The colour of each channel of a composite (ImageJ's default order), as red, green, blue weights. */
    static final float[][] CHANNEL_COLOURS = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};

    public int imageSize;
    /** Channels of the training images; images with another count are refused. */
    public int channels;
    /** Bit depth of the training images (8, 16, 24 for RGB, 32). */
    public int bitDepth;
    /** The intensity range mapped to [0, 1] (channel 1's when the channels have their own). */
    public float low;
    public float high;
    /**
     * The training images' pixel size in micrometres (their calibration), 0 when they had
     * none: detection brings calibrated images to this scale first.
     */
    public double pixelSize;
    /** Each channel's range (16/32-bit and multi-channel images); null: low and high for every channel (models before 0.2). */
    public float[] channelLow;
    public float[] channelHigh;

    /** Whether the training images were composites (see {@link PixelSource#isComposite(int, int)}). */
    public boolean isComposite() {
        return PixelSource.isComposite(channels, bitDepth);
    }

    public static Preprocessing fit(List<FloatImage> images, int imageSize) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        Preprocessing p = new Preprocessing();
        p.imageSize = imageSize;
        p.channels = images.get(0).channels();
        p.bitDepth = images.get(0).bitDepth();
        if (p.bitDepth == 24 || (p.bitDepth == 8 && p.channels == 1)) {
            p.low = 0;
            p.high = 255;
            return p;
        }
        p.channelLow = new float[p.channels];
        p.channelHigh = new float[p.channels];
        for (int c = 0; c < p.channels; c++) {
            float[] range = percentiles(images, c);
            p.channelLow[c] = range[0];
            p.channelHigh[c] = range[1];
        }
        p.low = p.channelLow[0];
        p.high = p.channelHigh[0];
        return p;
    }

    /** One channel's 0.1 and 99.9 percentiles, from a bounded, evenly strided sample of its training pixels. */
    private static float[] percentiles(List<FloatImage> images, int channel) {
        long total = 0;
        for (FloatImage im : images) {
            total += (long) im.width() * im.height();
        }
        int budget = 2_000_000;
        long step = Math.max(1, total / budget);
        float[] sample = new float[(int) Math.min(total, budget + images.size())];
        int n = 0;
        for (FloatImage im : images) {
            if (im.channels() <= channel) {
                continue; // refused later with a message naming the image
            }
            float[] d = im.data();
            int plane = im.width() * im.height();
            for (int i = channel * plane; i < (channel + 1) * plane && n < sample.length; i += step) {
                sample[n++] = d[i];
            }
        }
        float[] sorted = Arrays.copyOf(sample, n);
        Arrays.sort(sorted);
        float low = sorted[(int) Math.floor(0.001 * (n - 1))];
        float high = sorted[(int) Math.ceil(0.999 * (n - 1))];
        return new float[] {low, high > low ? high : low + 1};
    }

    /**
     * Explains why an image cannot go through this model, or returns null when it can: its
     * channels and bit depth, and for an image in memory its values (NaN, infinity).
     */
    public String incompatibility(PixelSource im) {
        if (im.channels() != channels) {
            if (channels > 1 && bitDepth != 24 || im.channels() > 1 && im.bitDepth() != 24) {
                return "the model was trained on images with " + channels + " channel" + (channels == 1 ? "" : "s")
                        + " but this image has " + im.channels() + "; give images with the same channels in the same order "
                        + "as the training images (Image > Color > Arrange Channels), or train a model on such images";
            }
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
        return c == 1 ? "grayscale" : c == 3 ? "RGB" : c + "-channel";
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
        int n = width * height;
        float[][] weights = colours(channels);
        float[] mixed = new float[3 * n];
        float[] total = new float[3];
        for (int k = 0; k < channels; k++) {
            float[] plane = Arrays.copyOfRange(im.data(), k * im.width() * im.height(), (k + 1) * im.width() * im.height());
            float[] r = Resample.resize(plane, im.width(), im.height(), width, height);
            float lo = channelLow == null ? low : channelLow[k];
            float scale = 1f / ((channelHigh == null ? high : channelHigh[k]) - lo);
            for (int i = 0; i < n; i++) {
                // headroom: over-bright defects stay visible
                r[i] = Math.max(-1f, Math.min(2f, (r[i] - lo) * scale));
            }
            for (int c = 0; c < 3; c++) {
                float w = weights[k][c];
                if (w != 0) {
                    total[c] += w;
                    for (int i = 0; i < n; i++) {
                        mixed[c * n + i] += w * r[i];
                    }
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            // a colour several channels share gets their mean; one no channel reaches stays black
            float norm = total[c] > 0 ? 1f / total[c] : 0f;
            for (int i = 0; i < n; i++) {
                mixed[c * n + i] = (mixed[c * n + i] * norm - MEAN[c]) / STD[c];
            }
        }
        return mixed;
    }

    /** Each channel's weight in red, green and blue: gray to all three, RGB as it is, a composite in its colours (also for pictures). */
    public static float[][] colours(int channels) {
        float[][] w = new float[channels][];
        for (int k = 0; k < channels; k++) {
            w[k] = channels == 1 ? new float[] {1, 1, 1} : CHANNEL_COLOURS[k % CHANNEL_COLOURS.length];
        }
        return w;
    }
}
