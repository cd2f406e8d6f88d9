package io.github.astfiji.io;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.measure.Calibration;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OME-TIFF as ImageJ 1 opens it: a plain stack of pages, its channels, planes and time
 * points only described by the OME-XML in the first page's ImageDescription. This puts the
 * pages into ImageJ's channel, z, t order with those dimensions and the pixel size, so an
 * OME-TIFF from a microscope reads like the same image saved by Fiji. Files with several
 * images (series) or compressed OME variants ImageJ cannot read stay as they are.
 */
final class OmeTiff {

    private static final Pattern PIXELS = Pattern.compile("<(?:\\w+:)?Pixels\\b([^>]*)>");

    private OmeTiff() {
    }

    /** The image with its OME dimensions and calibration applied (a composite when it has channels), or untouched when it is no OME-TIFF. */
    static ImagePlus arrange(ImagePlus imp) {
        FileInfo fi = imp.getOriginalFileInfo();
        String xml = fi == null ? null : fi.description;
        if (xml == null || !xml.contains("<OME") || imp.getNChannels() * imp.getNSlices() * imp.getNFrames() != imp.getStackSize()
                || imp.isHyperStack()) {
            return imp;
        }
        Matcher m = PIXELS.matcher(xml);
        if (!m.find()) {
            return imp;
        }
        String attrs = m.group(1);
        if (m.find()) {
            return imp; // several images (series): left as ImageJ opened them
        }
        int c = intAttr(attrs, "SizeC", 1);
        int z = intAttr(attrs, "SizeZ", 1);
        int t = intAttr(attrs, "SizeT", 1);
        String order = attr(attrs, "DimensionOrder");
        if (c * z * t != imp.getStackSize() || order == null || !order.matches("XY[CZT]{3}")) {
            return imp;
        }
        ImageStack pages = imp.getStack();
        ImageStack arranged = new ImageStack(imp.getWidth(), imp.getHeight());
        int[] size = new int[128];
        size['C'] = c;
        size['Z'] = z;
        size['T'] = t;
        for (int ti = 0; ti < t; ti++) {
            for (int zi = 0; zi < z; zi++) {
                for (int ci = 0; ci < c; ci++) {
                    int[] at = new int[128];
                    at['C'] = ci;
                    at['Z'] = zi;
                    at['T'] = ti;
                    // the page index in the file's order: its first axis after XY varies fastest
                    char a = order.charAt(2);
                    char b = order.charAt(3);
                    char d = order.charAt(4);
                    int page = at[a] + size[a] * (at[b] + size[b] * at[d]);
                    arranged.addSlice("c" + (ci + 1) + " z" + (zi + 1) + " t" + (ti + 1), pages.getProcessor(page + 1));
                }
            }
        }
        imp.setStack(arranged, c, z, t);
        double physical = doubleAttr(attrs, "PhysicalSizeX");
        double physicalY = doubleAttr(attrs, "PhysicalSizeY");
        String unit = attr(attrs, "PhysicalSizeXUnit");
        if (physical > 0) {
            Calibration cal = imp.getCalibration();
            cal.pixelWidth = physical;
            cal.pixelHeight = physicalY > 0 ? physicalY : physical;
            cal.setUnit(unit == null ? "micron" : unit); // OME's default unit is the micrometre
        }
        if (c > 1) {
            imp = new ij.CompositeImage(imp, ij.CompositeImage.COMPOSITE);
        }
        return imp;
    }

    private static String attr(String attrs, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*\"([^\"]*)\"").matcher(attrs);
        return m.find() ? m.group(1) : null;
    }

    private static int intAttr(String attrs, String name, int fallback) {
        String v = attr(attrs, name);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static double doubleAttr(String attrs, String name) {
        String v = attr(attrs, name);
        try {
            return v == null ? 0 : Double.parseDouble(v.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
