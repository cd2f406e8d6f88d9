package io.github.astfiji.io;

import ij.ImagePlus;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.PixelSource;

import java.util.ArrayList;
import java.util.List;

/**
 * The planes of an ImageJ image: every channel at one z and time point is one image to
 * score (a z-stack or time series is scored plane by plane; channels stay together). A
 * plain stack of single-channel slices has one plane per slice, as before hyperstacks.
 * Planes are numbered from 1 in ImageJ's order, z before t.
 */
public final class Planes {

    private Planes() {
    }

    public static int count(ImagePlus imp) {
        return imp.getNSlices() * imp.getNFrames();
    }

    /** The z (1-based) of plane p (1-based). */
    public static int z(ImagePlus imp, int plane) {
        return (plane - 1) % imp.getNSlices() + 1;
    }

    /** The time point (1-based) of plane p (1-based). */
    public static int t(ImagePlus imp, int plane) {
        return (plane - 1) / imp.getNSlices() + 1;
    }

    public static PixelSource pixels(ImagePlus imp, int plane) {
        return new ImagePlusPixels(imp, z(imp, plane), t(imp, plane));
    }

    public static List<PixelSource> all(ImagePlus imp) {
        List<PixelSource> out = new ArrayList<>();
        for (int p = 1; p <= count(imp); p++) {
            out.add(pixels(imp, p));
        }
        return out;
    }

    public static FloatImage toFloatImage(ImagePlus imp, int plane) {
        return pixels(imp, plane).toFloatImage();
    }

    /**
     * A plane as a picture to draw results on: a single-channel or RGB plane as it is, a
     * composite as RGB in its channels' colours (each channel stretched from its minimum to
     * its maximum), as ImageJ shows it.
     */
    public static ij.process.ImageProcessor display(ImagePlus imp, int plane) {
        if (imp.getNChannels() == 1 || imp.getBitDepth() == 24) {
            return imp.getStack().getProcessor(imp.getStackIndex(1, z(imp, plane), t(imp, plane)));
        }
        FloatImage im = toFloatImage(imp, plane);
        int n = im.width() * im.height();
        float[][] colours = io.github.astfiji.core.image.Preprocessing.colours(im.channels());
        float[] rgb = new float[3 * n];
        for (int c = 0; c < im.channels(); c++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = c * n; i < (c + 1) * n; i++) {
                lo = Math.min(lo, im.data()[i]);
                hi = Math.max(hi, im.data()[i]);
            }
            float scale = hi > lo ? 255f / (hi - lo) : 0f;
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < n; i++) {
                    rgb[k * n + i] += colours[c][k] * (im.data()[c * n + i] - lo) * scale;
                }
            }
        }
        return ImageFiles.toProcessor(new FloatImage(im.width(), im.height(), 3, 24, rgb)); // clamps to 0-255
    }

    /** The image's pixel size in micrometres from its calibration (square pixels in a known length unit), or 0. */
    public static double pixelSize(ImagePlus imp) {
        ij.measure.Calibration cal = imp.getCalibration();
        double unit = io.github.astfiji.core.image.PixelScale.micrometresPer(cal.getUnit());
        if (!cal.scaled() || Double.isNaN(unit) || Math.abs(cal.pixelWidth - cal.pixelHeight) > 1e-3 * cal.pixelWidth) {
            return 0;
        }
        return cal.pixelWidth * unit;
    }

    /** Whether the image's planes are told apart by z and t (a hyperstack) rather than by slice number. */
    public static boolean hyper(ImagePlus imp) {
        return imp.getNChannels() > 1 || imp.getNFrames() > 1;
    }

    /** How a plane is named after its image: "" for a single plane, " [slice 3]", " [z=3]", " [t=2]" or " [z=3 t=2]". */
    public static String suffix(ImagePlus imp, int plane) {
        if (count(imp) == 1) {
            return "";
        }
        if (!hyper(imp)) {
            return " [slice " + plane + "]";
        }
        return " [" + position(imp, plane) + "]";
    }

    /** A plane's position in words: "z=3", "t=2" or "z=3 t=2" (the dimensions the image has). */
    public static String position(ImagePlus imp, int plane) {
        String z = imp.getNSlices() > 1 ? "z=" + z(imp, plane) : "";
        String t = imp.getNFrames() > 1 ? "t=" + t(imp, plane) : "";
        return (z + " " + t).trim();
    }

    /** The plane's label for a table: the slice label of a plain stack, its position in a hyperstack. */
    public static String label(ImagePlus imp, int plane) {
        if (!hyper(imp)) {
            return imp.getStack().getShortSliceLabel(plane);
        }
        return position(imp, plane);
    }
}
