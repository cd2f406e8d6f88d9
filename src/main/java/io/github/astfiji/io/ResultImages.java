package io.github.astfiji.io;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The pictures a batch writes per image: the 32-bit anomaly map (TIFF), its colours on the
 * model's fixed scale (PNG) and the input with them blended in (PNG). Images above
 * {@link #MAX_OUTPUT_PIXELS} are written downscaled by a whole factor.
 */
public final class ResultImages {

    /** Output maps and overlays larger than this are written downscaled by a whole factor (64 MB per float map). */
    public static final long MAX_OUTPUT_PIXELS = 16L << 20;
    /** What each image's outputs are called: its stem plus these. */
    public static final List<String> OUTPUTS = List.of("_heatmap.tif", "_heatmap.png", "_overlay.png");

    private ResultImages() {
    }

    /** The smallest whole factor that brings an output under {@link #MAX_OUTPUT_PIXELS}. */
    public static int outputFactor(int w, int h) {
        int f = 1;
        while ((long) (w / f) * (h / f) > MAX_OUTPUT_PIXELS) {
            f++;
        }
        return f;
    }

    /**
     * Writes an image's map (already at the output size ow x oh, 1/factor of the input) as
     * STEM_heatmap.tif, its colours up to high as STEM_heatmap.png, and the input blended
     * with them as STEM_overlay.png.
     */
    public static void write(String stem, float[] map, int ow, int oh, ImageProcessor input, int factor, float high, Path outDir)
            throws IOException {
        ImagePlus heatImage = new ImagePlus(stem + " anomaly map", new FloatProcessor(ow, oh, map));
        if (factor > 1) {
            heatImage.setProperty("Info", "Anomaly map at 1/" + factor + " of the image size (" + input.getWidth() + "x"
                    + input.getHeight() + " px).");
        }
        ImageFiles.saveTiff(heatImage, outDir.resolve(stem + "_heatmap.tif"));
        ColorProcessor colours = ImageFiles.heatColours(map, ow, oh, high);
        ImageFiles.savePng(new ImagePlus(stem, colours), outDir.resolve(stem + "_heatmap.png"));
        ImageProcessor base = factor > 1 ? input.resize(ow, oh, true) : input;
        ImageFiles.savePng(new ImagePlus(stem, ImageFiles.overlay(base, colours)), outDir.resolve(stem + "_overlay.png"));
    }
}
