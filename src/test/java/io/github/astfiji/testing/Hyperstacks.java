package io.github.astfiji.testing;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ShortProcessor;
import io.github.astfiji.core.image.FloatImage;

import java.util.List;

/** 16-bit multi-channel ImageJ hyperstacks from the core's images, as a microscope's software makes them. */
public final class Hyperstacks {

    private Hyperstacks() {
    }

    /** A composite of the planes (each with all its channels) in ImageJ's order, z before t. */
    public static ImagePlus composite(String title, List<FloatImage> planes, int slices, int frames) {
        FloatImage first = planes.get(0);
        if (planes.size() != slices * frames) {
            throw new IllegalArgumentException(planes.size() + " planes for " + slices + " z x " + frames + " t");
        }
        ImageStack stack = new ImageStack(first.width(), first.height());
        int n = first.width() * first.height();
        for (FloatImage plane : planes) {
            for (int c = 0; c < plane.channels(); c++) {
                short[] px = new short[n];
                for (int i = 0; i < n; i++) {
                    px[i] = (short) Math.round(plane.data()[c * n + i]);
                }
                stack.addSlice("c" + (c + 1), new ShortProcessor(first.width(), first.height(), px, null));
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(first.channels(), slices, frames);
        return first.channels() > 1 ? new CompositeImage(imp, CompositeImage.COMPOSITE) : imp;
    }

    /** A saturated square (all channels at the camera's maximum) painted into a copy. */
    public static FloatImage withSquare(FloatImage im, int x0, int y0, int side) {
        float[] d = im.data().clone();
        int n = im.width() * im.height();
        for (int c = 0; c < im.channels(); c++) {
            for (int y = y0; y < y0 + side; y++) {
                for (int x = x0; x < x0 + side; x++) {
                    d[c * n + y * im.width() + x] = 65535;
                }
            }
        }
        return new FloatImage(im.width(), im.height(), im.channels(), im.bitDepth(), d);
    }

}
