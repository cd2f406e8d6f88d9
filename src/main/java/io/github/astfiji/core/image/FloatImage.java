package io.github.astfiji.core.image;

/**
 * An image as the core sees it: planar float samples (channel-major, then rows),
 * 1 channel (grayscale), 3 (RGB, bit depth 24) or any number of channels of 8, 16 or 32
 * bits (a fluorescence composite), with the bit depth it came from so that intensities
 * are scaled the way the training images were.
 */
public final class FloatImage implements PixelSource {

    /** More channels than this is not a microscope image but a spectrum or a mistake. */
    public static final int MAX_CHANNELS = 16;

    private final int width;
    private final int height;
    private final int channels;
    private final int bitDepth;
    private final float[] data;

    public FloatImage(int width, int height, int channels, int bitDepth, float[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("images must have 1 to " + MAX_CHANNELS + " channels, got " + channels);
        }
        if (bitDepth == 24 && channels != 3) {
            throw new IllegalArgumentException("an RGB image (bit depth 24) has 3 channels, got " + channels);
        }
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("expected " + ((long) width * height * channels) + " samples, got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.bitDepth = bitDepth;
        this.data = data;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int channels() {
        return channels;
    }

    /** 8, 16 or 32 per sample; 24 means 8-bit RGB. */
    @Override
    public int bitDepth() {
        return bitDepth;
    }

    /** The samples, not copied: callers must not modify them. */
    public float[] data() {
        return data;
    }

    @Override
    public float[] region(int x, int y, int w, int h) {
        if (x == 0 && y == 0 && w == width && h == height) {
            return data.clone();
        }
        float[] out = new float[channels * w * h];
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(data, (c * height + y + r) * width + x, out, (c * h + r) * w, w);
            }
        }
        return out;
    }

    @Override
    public FloatImage toFloatImage() {
        return this;
    }

    public float get(int c, int x, int y) {
        return data[(c * height + y) * width + x];
    }
}
