package io.github.astfiji.io;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import io.github.astfiji.core.image.PixelSource;

/**
 * One plane of an ImageJ 1 image as the core reads it, region by region, straight from
 * ImageJ's pixel arrays (nothing is copied or converted ahead), so a huge image is read
 * one tile at a time. A plane is every channel at one z and time point; values as
 * {@link ImageFiles#toFloatImage}: RGB as 3 channels, 8-bit with an inverting LUT
 * inverted, indexed colour as RGB.
 */
public final class ImagePlusPixels implements PixelSource {

    /** One processor per channel (one for RGB, whose three channels it packs). */
    private final ImageProcessor[] channels;
    private final int bitDepth;
    private final boolean rgb;

    /** One stack slice on its own (a single-channel image's plane). */
    public ImagePlusPixels(ImagePlus imp, int slice) {
        this(imp, new int[] {slice});
    }

    /** The plane at z and time point t (1-based) with all of the image's channels. */
    public ImagePlusPixels(ImagePlus imp, int z, int t) {
        this(imp, stackIndices(imp, z, t));
    }

    private ImagePlusPixels(ImagePlus imp, int[] stackIndices) {
        channels = new ImageProcessor[stackIndices.length];
        for (int c = 0; c < stackIndices.length; c++) {
            ImageProcessor p = imp.getStack().getProcessor(stackIndices[c]);
            boolean indexed = p instanceof ByteProcessor && p.isColorLut() && stackIndices.length == 1;
            channels[c] = indexed ? p.convertToRGB() : p;
        }
        this.rgb = channels[0] instanceof ColorProcessor;
        int depth = imp.getBitDepth();
        this.bitDepth = rgb ? 24 : depth == 24 ? 8 : depth;
    }

    private static int[] stackIndices(ImagePlus imp, int z, int t) {
        int[] out = new int[imp.getBitDepth() == 24 ? 1 : imp.getNChannels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = imp.getStackIndex(c + 1, z, t);
        }
        return out;
    }

    @Override
    public int width() {
        return channels[0].getWidth();
    }

    @Override
    public int height() {
        return channels[0].getHeight();
    }

    @Override
    public int channels() {
        return rgb ? 3 : channels.length;
    }

    @Override
    public int bitDepth() {
        return bitDepth;
    }

    @Override
    public float[] region(int x, int y, int w, int h) {
        int stride = width();
        if (x < 0 || y < 0 || x + w > stride || y + h > height()) {
            throw new IllegalArgumentException("region " + x + "," + y + " " + w + "x" + h + " lies outside the image");
        }
        float[] out = new float[channels() * w * h];
        int plane = w * h;
        for (int c = 0; c < channels.length; c++) {
            ImageProcessor ip = channels[c];
            Object pixels = ip.getPixels();
            boolean inverted = ip instanceof ByteProcessor && ip.isInvertedLut() && channels.length == 1;
            for (int r = 0; r < h; r++) {
                int src = (y + r) * stride + x;
                int dst = c * plane + r * w;
                if (rgb) {
                    int[] p = (int[]) pixels;
                    for (int k = 0; k < w; k++) {
                        int v = p[src + k];
                        out[dst + k] = (v >> 16) & 0xff;
                        out[plane + dst + k] = (v >> 8) & 0xff;
                        out[2 * plane + dst + k] = v & 0xff;
                    }
                } else if (ip instanceof ByteProcessor) {
                    byte[] p = (byte[]) pixels;
                    for (int k = 0; k < w; k++) {
                        int v = p[src + k] & 0xff;
                        out[dst + k] = inverted ? 255 - v : v;
                    }
                } else if (ip instanceof ShortProcessor) {
                    short[] p = (short[]) pixels;
                    for (int k = 0; k < w; k++) {
                        out[dst + k] = p[src + k] & 0xffff;
                    }
                } else if (ip instanceof FloatProcessor) {
                    System.arraycopy((float[]) pixels, src, out, dst, w);
                } else {
                    for (int k = 0; k < w; k++) {
                        out[dst + k] = ip.getf(src + k);
                    }
                }
            }
        }
        return out;
    }
}
