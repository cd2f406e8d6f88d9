package io.github.astfiji.io;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.plugin.LutLoader;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.ImageSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reading and writing images with ImageJ 1 (TIFF of any bit depth, PNG, JPEG, BMP, GIF),
 * converting between ImageJ processors and the core's {@link FloatImage}.
 */
public final class ImageFiles {

    public static final List<String> EXTENSIONS = List.of(".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm");

    private ImageFiles() {
    }

    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.startsWith(".") || n.endsWith("_mask.png")) {
            return false;
        }
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Image files in a folder (recursively, sorted) or the single file given; fails clearly on none. */
    public static List<Path> list(Path dirOrFile, boolean recursive) throws IOException {
        if (!Files.exists(dirOrFile)) {
            throw new IOException(dirOrFile + " does not exist; give a folder of images or an image file");
        }
        if (Files.isRegularFile(dirOrFile)) {
            if (!isImageName(dirOrFile)) {
                throw new IOException(dirOrFile + " is not an image file this plugin reads (" + String.join(", ", EXTENSIONS) + ")");
            }
            return List.of(dirOrFile);
        }
        List<Path> out;
        try (Stream<Path> s = recursive ? Files.walk(dirOrFile) : Files.list(dirOrFile)) {
            out = new ArrayList<>(s.filter(Files::isRegularFile).filter(ImageFiles::isImageName).sorted().toList());
        }
        if (out.isEmpty()) {
            throw new IOException("no images found in " + dirOrFile + " (looked for " + String.join(", ", EXTENSIONS)
                    + (recursive ? ", including sub-folders" : "") + "); put the images there or choose another folder");
        }
        return out;
    }

    /** Opens a file with ImageJ; a clear IOException when it is not a readable image. */
    public static ImagePlus open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist");
        }
        ImagePlus imp;
        try {
            Opener opener = new Opener();
            opener.setSilentMode(true);
            imp = opener.openImage(file.toAbsolutePath().toString());
        } catch (RuntimeException e) {
            throw new IOException(file + " could not be read as an image (" + e + "); check that it is not damaged", e);
        }
        if (imp == null || imp.getWidth() == 0) {
            throw new IOException(file + " could not be read as an image; check that it is a valid "
                    + String.join("/", EXTENSIONS) + " file and not damaged");
        }
        return imp;
    }

    /** Converts one slice (1-based) of an ImagePlus, without modifying it. */
    public static FloatImage toFloatImage(ImagePlus imp, int slice) {
        ImageProcessor ip = imp.getStack().getProcessor(slice);
        return toFloatImage(ip, imp.getBitDepth());
    }

    public static FloatImage toFloatImage(ImageProcessor ip, int bitDepth) {
        int w = ip.getWidth();
        int h = ip.getHeight();
        int n = w * h;
        if (ip instanceof ColorProcessor || (ip instanceof ByteProcessor && ip.isColorLut())) {
            int[] rgb = (int[]) (ip instanceof ColorProcessor ? ip.getPixels() : ip.convertToRGB().getPixels());
            float[] d = new float[3 * n];
            for (int i = 0; i < n; i++) {
                d[i] = (rgb[i] >> 16) & 0xff;
                d[n + i] = (rgb[i] >> 8) & 0xff;
                d[2 * n + i] = rgb[i] & 0xff;
            }
            return new FloatImage(w, h, 3, 24, d);
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = ip.getf(i);
        }
        if (ip instanceof ByteProcessor && ip.isInvertedLut()) {
            for (int i = 0; i < n; i++) {
                d[i] = 255f - d[i];
            }
        }
        return new FloatImage(w, h, 1, bitDepth == 24 ? 8 : bitDepth, d);
    }

    /** An ImageJ processor from a FloatImage (8-bit gray, RGB, 16-bit or 32-bit). */
    public static ImageProcessor toProcessor(FloatImage im) {
        int w = im.width();
        int h = im.height();
        int n = w * h;
        float[] d = im.data();
        if (im.channels() == 3) {
            int[] rgb = new int[n];
            for (int i = 0; i < n; i++) {
                rgb[i] = (clamp8(d[i]) << 16) | (clamp8(d[n + i]) << 8) | clamp8(d[2 * n + i]);
            }
            return new ColorProcessor(w, h, rgb);
        }
        if (im.bitDepth() == 8) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) clamp8(d[i]);
            }
            return new ByteProcessor(w, h, b);
        }
        if (im.bitDepth() == 16) {
            short[] s = new short[n];
            for (int i = 0; i < n; i++) {
                s[i] = (short) Math.max(0, Math.min(65535, Math.round(d[i])));
            }
            return new ij.process.ShortProcessor(w, h, s, null);
        }
        return new FloatProcessor(w, h, d.clone());
    }

    private static int clamp8(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** One ImageSource per file and stack slice, loaded lazily. */
    public static List<ImageSource> sources(List<Path> files) throws IOException {
        List<ImageSource> out = new ArrayList<>();
        for (Path f : files) {
            int slices = sliceCount(f);
            for (int s = 1; s <= slices; s++) {
                final int slice = s;
                String name = slices == 1 ? f.toString() : f + " [slice " + s + "]";
                out.add(new ImageSource() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public FloatImage load() throws IOException {
                        return toFloatImage(open(f), slice);
                    }
                });
            }
        }
        return out;
    }

    private static int sliceCount(Path f) throws IOException {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(n.endsWith(".tif") || n.endsWith(".tiff"))) {
            return 1;
        }
        ImagePlus imp = open(f);
        return imp.getStackSize();
    }

    /** Refuses to replace an existing file: results never overwrite a user's data silently. */
    public static void checkWritable(Path target, boolean overwrite) throws IOException {
        if (Files.exists(target) && !overwrite) {
            throw new java.nio.file.FileAlreadyExistsException(target.toString(), null,
                    "already exists; choose another output folder or allow overwriting (--overwrite)");
        }
    }

    public static void saveTiff(ImagePlus imp, Path target) throws IOException {
        if (!new FileSaver(imp).saveAsTiff(target.toString())) {
            throw new IOException("could not write " + target);
        }
    }

    public static void savePng(ImagePlus imp, Path target) throws IOException {
        if (!new FileSaver(imp).saveAsPng(target.toString())) {
            throw new IOException("could not write " + target);
        }
    }

    /** Colour heat map: values in [0, high] through ImageJ's 'fire' LUT. */
    public static ColorProcessor heatColours(float[] map, int w, int h, float high) {
        java.awt.image.IndexColorModel lut = LutLoader.getLut("fire");
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            int v = (int) Math.max(0, Math.min(255, map[i] / high * 255));
            rgb[i] = lut.getRGB(v) & 0xffffff;
        }
        return new ColorProcessor(w, h, rgb);
    }

    /** The input blended 50/50 with its heat map, for a quick look at where the defects are. */
    public static ColorProcessor overlay(FloatImage input, ColorProcessor heat) {
        ColorProcessor base = toProcessor(input).convertToColorProcessor();
        int[] a = (int[]) base.getPixels();
        int[] b = (int[]) heat.getPixels();
        int[] o = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            int r = (((a[i] >> 16) & 0xff) + ((b[i] >> 16) & 0xff)) / 2;
            int g = (((a[i] >> 8) & 0xff) + ((b[i] >> 8) & 0xff)) / 2;
            int bl = ((a[i] & 0xff) + (b[i] & 0xff)) / 2;
            o[i] = (r << 16) | (g << 8) | bl;
        }
        return new ColorProcessor(base.getWidth(), base.getHeight(), o);
    }

}
