package io.github.astfiji.core.image;

/**
 * An image that can be read region by region, so that huge images stream through tile by
 * tile instead of being converted whole. Samples are floats in the image's own units
 * (0-255 for 8-bit and RGB, raw values for 16- and 32-bit), planar: channel, then rows.
 * Implementations wrap in-memory arrays (FloatImage), ImageJ 1 images and imglib2 images.
 */
public interface PixelSource {

    int width();

    int height();

    /** 1 (grayscale), 3 (RGB) or the channels of a multi-channel image (1 to FloatImage.MAX_CHANNELS). */
    int channels();

    /** 8, 16 or 32 per sample; 24 means 8-bit RGB. */
    int bitDepth();

    /**
     * A composite: two or more channels that are not RGB colour (a fluorescence composite's
     * separate stains), which some methods describe channel by channel.
     */
    static boolean isComposite(int channels, int bitDepth) {
        return channels >= 2 && bitDepth != 24;
    }

    default boolean isComposite() {
        return isComposite(channels(), bitDepth());
    }

    /** The samples of the region [x, x+w) x [y, y+h), which must lie inside the image: channels x h x w floats. */
    float[] region(int x, int y, int w, int h);

    /** The whole image in memory (a copy, or the image itself when it already is one). */
    default FloatImage toFloatImage() {
        return new FloatImage(width(), height(), channels(), bitDepth(), region(0, 0, width(), height()));
    }
}
