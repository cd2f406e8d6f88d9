package io.github.astfiji.io;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where to look: a mask limits training and scoring to the pixels inside it (a well, a
 * tissue section, the glass but not the label). It comes from an area selection on an open
 * image, or from a mask file per image (any pixel above 0 is inside) in a masks folder
 * that mirrors the image folder: for normal/a.tif, masks/a.png, masks/a.tif or
 * masks/a_mask.png (in the same sub-folder).
 */
public final class Masks {

    private static final String[] ENDINGS = {".png", ".tif", ".tiff", "_mask.png", "_mask.tif"};

    private Masks() {
    }

    /** The image's area selection as a mask (1 inside, 0 outside), or null when it has none. */
    public static float[] fromSelection(ImagePlus imp) {
        Roi roi = imp == null ? null : imp.getRoi();
        if (roi == null || !roi.isArea()) {
            return null;
        }
        int w = imp.getWidth();
        int h = imp.getHeight();
        float[] mask = new float[w * h];
        java.awt.Rectangle b = roi.getBounds();
        ImageProcessor inside = roi.getMask(); // null for a rectangle: all of its bounds
        for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++) {
            for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++) {
                if (inside == null || inside.get(x - b.x, y - b.y) != 0) {
                    mask[y * w + x] = 1;
                }
            }
        }
        return mask;
    }

    /** The mask file of an image below inputRoot, in the masks folder; a clear IOException when there is none. */
    public static Path find(Path masks, Path inputRoot, Path image) throws IOException {
        Path rel = Files.isDirectory(inputRoot) ? inputRoot.relativize(image) : image.getFileName();
        String name = rel.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        Path folder = rel.getParent() == null ? masks : masks.resolve(rel.getParent().toString());
        for (String ending : ENDINGS) {
            Path candidate = folder.resolve(stem + ending);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no mask for " + image.getFileName() + " in " + folder + " (looked for " + stem + ".png, .tif or _mask.png); "
                + "give every image a mask there, or leave the masks folder out");
    }

    /** A mask file as 1 inside (pixel above 0) and 0 outside, checked against the image's size. */
    public static float[] read(Path file, int width, int height) throws IOException {
        ImagePlus imp = ImageFiles.open(file);
        if (imp.getWidth() != width || imp.getHeight() != height) {
            throw new IOException("mask " + file + " is " + imp.getWidth() + "x" + imp.getHeight() + " but its image is " + width + "x" + height
                    + "; a mask must match its image pixel for pixel");
        }
        ImageProcessor ip = imp.getProcessor();
        float[] mask = new float[width * height];
        int inside = 0;
        for (int i = 0; i < mask.length; i++) {
            if (ip.getf(i) > 0) {
                mask[i] = 1;
                inside++;
            }
        }
        if (inside == 0) {
            throw new IOException("mask " + file + " is empty (no pixel above 0): nothing of its image would be looked at; "
                    + "draw the region to inspect in white");
        }
        return mask;
    }
}
