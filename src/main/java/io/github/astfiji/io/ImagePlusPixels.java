package io.github.astfiji.io;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import io.github.astfiji.core.image.PixelSource;

/**
 * One slice of an ImageJ 1 image as the core reads it, region by region, straight from
 * ImageJ's pixel array (nothing is copied or converted ahead), so a huge image is read
 * one tile at a time. Values as {@link ImageFiles#toFloatImage}: RGB as 3 channels,
 * 8-bit with an inverting LUT inverted, indexed colour as RGB.
 */
public final class ImagePlusPixels implements PixelSource {

    private final ImageProcessor ip;
    private final int bitDepth;
    private final boolean rgb;
    private final boolean inverted;

    public ImagePlusPixels(ImagePlus imp, int slice) {
        ImageProcessor p = imp.getStack().getProcessor(slice);
        boolean indexed = p instanceof ByteProcessor && p.isColorLut();
        this.ip = indexed ? p.convertToRGB() : p;
        this.rgb = ip instanceof ColorProcessor;
        this.inverted = ip instanceof ByteProcessor && ip.isInvertedLut();
        int depth = imp.getBitDepth();
        this.bitDepth = rgb ? 24 : depth == 24 ? 8 : depth;
    }

    @Override
    public int width() {
        return ip.getWidth();
    }

    @Override
    public int height() {
        return ip.getHeight();
    }

    @Override
    public int channels() {
        return rgb ? 3 : 1;
    }

    @Override
    public int bitDepth() {
        return bitDepth;
    }

    @Override
    public float[] region(int x, int y, int w, int h) {
        int stride = ip.getWidth();
        if (x < 0 || y < 0 || x + w > stride || y + h > ip.getHeight()) {
            throw new IllegalArgumentException("region " + x + "," + y + " " + w + "x" + h + " lies outside the image");
        }
        float[] out = new float[channels() * w * h];
        Object pixels = ip.getPixels();
        for (int r = 0; r < h; r++) {
            int src = (y + r) * stride + x;
            int dst = r * w;
            if (rgb) {
                int[] p = (int[]) pixels;
                int plane = w * h;
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
        return out;
    }
}
