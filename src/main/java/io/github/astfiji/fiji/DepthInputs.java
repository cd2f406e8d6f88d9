package io.github.astfiji.fiji;

import ij.ImagePlus;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.io.ImageFiles;

/** Depth given as an open ImageJ image: one single-channel depth slice per image slice. */
public final class DepthInputs {

    /** Choice shown when no depth image is wanted. */
    public static final String NONE = "none";

    private DepthInputs() {
    }

    /** Null when depth fits image slice for slice, otherwise what is wrong and what to do. */
    public static String problem(ImagePlus image, ImagePlus depth) {
        if (depth == null) {
            return null;
        }
        if (depth == image) {
            return "the depth image is the image itself; choose the depth image that belongs to " + image.getTitle();
        }
        if (depth.getBitDepth() == 24 || depth.getNChannels() > 1) {
            return "depth image " + depth.getTitle() + " has colour channels; depth must be a single-channel 16- or 32-bit image";
        }
        if (depth.getStackSize() != io.github.astfiji.io.Planes.count(image)) {
            return "depth stack " + depth.getTitle() + " has " + depth.getStackSize() + " slice(s) but " + image.getTitle() + " has "
                    + io.github.astfiji.io.Planes.count(image) + " plane(s); give exactly one depth slice per image plane";
        }
        if (depth.getWidth() != image.getWidth() || depth.getHeight() != image.getHeight()) {
            return "depth image " + depth.getTitle() + " is " + depth.getWidth() + "x" + depth.getHeight() + " but " + image.getTitle()
                    + " is " + image.getWidth() + "x" + image.getHeight() + "; depth and image must match pixel for pixel";
        }
        return null;
    }

    /** One slice (1-based) as a depth map; the image is not modified. */
    public static DepthMap slice(ImagePlus depth, int s) {
        if (depth == null) {
            return null;
        }
        FloatImage f = ImageFiles.toFloatImage(depth, s);
        return new DepthMap(f.width(), f.height(), f.data().clone());
    }

    /** An open image by title, or null for "none" / empty. */
    public static ImagePlus byTitle(String title) {
        if (title == null || title.isEmpty() || title.equals(NONE)) {
            return null;
        }
        ImagePlus imp = ij.WindowManager.getImage(title);
        if (imp == null) {
            throw new IllegalArgumentException("no open image is called '" + title + "'; open the depth image first");
        }
        return imp;
    }

    /** Titles of the open images, with "none" first, for ImageJ 1 dialogs. */
    public static String[] choices() {
        String[] titles = ij.WindowManager.getImageTitles();
        String[] out = new String[titles.length + 1];
        out[0] = NONE;
        System.arraycopy(titles, 0, out, 1, titles.length);
        return out;
    }
}
