package io.github.astfiji.io;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.plugin.LutLoader;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;

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
    /** Microscopes' own formats: read inside Fiji, where ImageJ's opener hands them to Bio-Formats. */
    public static final List<String> MICROSCOPY_EXTENSIONS = List.of(".czi", ".nd2", ".lif", ".lsm", ".oib", ".oif", ".oir", ".vsi",
            ".ims", ".dv", ".r3d", ".zvi", ".ics", ".stk", ".lei", ".scn", ".svs", ".ndpi", ".mrc");
    private static volatile boolean imageJOpener;

    /** Inside Fiji: folders also list the microscopy formats, and files of unknown content go to ImageJ's (and so Bio-Formats') opener. */
    public static void openWhatImageJOpens(boolean on) {
        imageJOpener = on;
    }

    private ImageFiles() {
    }

    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.startsWith(".") || n.endsWith("_mask.png")) {
            return false;
        }
        return EXTENSIONS.stream().anyMatch(n::endsWith) || (imageJOpener && MICROSCOPY_EXTENSIONS.stream().anyMatch(n::endsWith));
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

    /**
     * Opens a file with ImageJ; a clear IOException of the project's own when it is not a
     * readable image. The file's first bytes are checked first, so ImageJ never gets (and
     * never prints its own message about) a file that is not an image of a known kind.
     */
    public static ImagePlus open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "the image file does not exist");
        }
        if (!Files.isReadable(file)) {
            throw new java.nio.file.AccessDeniedException(file.toString(), null, "permission denied: the file cannot be read");
        }
        String kind = signature(file);
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (kind == null && imageJOpener && EXTENSIONS.stream().noneMatch(lower::endsWith)) {
            return openWithFiji(file);
        }
        if (kind == null) {
            throw new IOException(file + " is not a PNG, TIFF, JPEG, BMP, GIF or PGM image (its content does not start like one); "
                    + "convert it, or remove it from the folder");
        }
        ImagePlus imp;
        java.io.PrintStream err = System.err;
        java.io.PrintStream out = System.out;
        try {
            // ImageJ and ImageIO print their own messages about damaged files (on either stream when headless):
            // keep them from the user, and explain instead
            java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            System.setErr(quiet);
            System.setOut(quiet);
            Opener opener = new Opener();
            opener.setSilentMode(true);
            imp = opener.openImage(file.toAbsolutePath().toString());
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new IOException(file + " could not be read as a " + kind + " image (" + (e instanceof OutOfMemoryError
                    ? "it does not fit in memory; give Java more memory with -Xmx" : "it is damaged or truncated") + ")", e);
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        if (imp == null || imp.getWidth() == 0) {
            throw new IOException(file + " could not be read as a " + kind + " image: it is damaged, truncated or of a variant "
                    + "ImageJ does not read; open it in another program and save it again as PNG or TIFF");
        }
        return OmeTiff.arrange(imp);
    }

    /** A file ImageJ 1 itself does not read, through ImageJ's opener (in Fiji: Bio-Formats for microscopy formats). */
    private static ImagePlus openWithFiji(Path file) throws IOException {
        ImagePlus imp;
        try {
            imp = new Opener().openImage(file.toAbsolutePath().toString());
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new IOException(file + " could not be opened (" + (e instanceof OutOfMemoryError ? "it does not fit in memory; give Fiji more memory "
                    + "with -Xmx" : e.getMessage()) + ")", e);
        }
        if (imp == null || imp.getWidth() == 0) {
            throw new IOException(file + " could not be opened: neither ImageJ nor Bio-Formats reads it. Fiji reads microscopes' formats (CZI, "
                    + "ND2, LIF, ...) with Bio-Formats, which Fiji brings (Help > Update...); or export the images as OME-TIFF");
        }
        return OmeTiff.arrange(imp);
    }

    /** The image kind a file's first bytes announce (PNG, TIFF, ...), or null. */
    static String signature(Path file) throws IOException {
        byte[] b = new byte[8];
        int n;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(b, 0, b.length);
        }
        if (n >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "PNG";
        }
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return "TIFF";
        }
        if (n >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "JPEG";
        }
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "BMP";
        }
        if (n >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "GIF";
        }
        if (n >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return "PGM";
        }
        return null;
    }

    /**
     * A problem as one sentence of the project's own for a results table or a console line:
     * what went wrong, naming the file, and what to do. Messages written here pass unchanged;
     * library exceptions are put into words.
     */
    public static String explain(Throwable e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            java.nio.file.AccessDeniedException a = (java.nio.file.AccessDeniedException) e;
            return a.getFile() + ": permission denied" + (a.getReason() == null ? "" : " (" + a.getReason() + ")")
                    + "; check the file's and folder's permissions";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            java.nio.file.FileAlreadyExistsException f = (java.nio.file.FileAlreadyExistsException) e;
            return f.getFile() + " " + f.getReason();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            java.nio.file.NoSuchFileException f = (java.nio.file.NoSuchFileException) e;
            return f.getFile() + ": " + (f.getReason() == null ? "not found" : f.getReason());
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory; give Java more memory (-Xmx) or use a model that tiles the image";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName() + " (no details; run with AST_DEBUG=1 to see where)";
        }
        return m;
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
        if (im.channels() > 1 && im.bitDepth() != 24) {
            throw new IllegalArgumentException("a " + im.channels() + "-channel image has no single ImageJ processor; draw it with Planes.display");
        }
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

    /** An ImagePlus from a FloatImage: a composite of its channels when it has several (not RGB), else one processor. */
    public static ImagePlus toImagePlus(String title, FloatImage im) {
        if (im.channels() == 1 || im.bitDepth() == 24) {
            return new ImagePlus(title, toProcessor(im));
        }
        int n = im.width() * im.height();
        ij.ImageStack stack = new ij.ImageStack(im.width(), im.height());
        for (int c = 0; c < im.channels(); c++) {
            float[] one = java.util.Arrays.copyOfRange(im.data(), c * n, (c + 1) * n);
            stack.addSlice("c" + (c + 1), toProcessor(new FloatImage(im.width(), im.height(), 1, im.bitDepth(), one)));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(im.channels(), 1, 1);
        return new ij.CompositeImage(imp, ij.CompositeImage.COMPOSITE);
    }

    private static int clamp8(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /**
     * One ImageSource per file and plane (every channel at one z and time point; see
     * {@link Planes}), loaded lazily. The file last read is kept, so the planes of a stack,
     * loaded one after the other, read it once.
     */
    public static List<ImageSource> sources(List<Path> files) throws IOException {
        return sources(files, null, null);
    }

    /** As above, each with its mask from a masks folder mirroring inputRoot (see {@link Masks}); masks null: none. */
    public static List<ImageSource> sources(List<Path> files, Path inputRoot, Path masks) throws IOException {
        List<ImageSource> out = new ArrayList<>();
        Path[] lastFile = new Path[1];
        ImagePlus[] lastImage = new ImagePlus[1];
        for (Path f : files) {
            // only TIFF holds stacks and channels: other files are one plane, read when loaded
            String lower = f.getFileName().toString().toLowerCase(Locale.ROOT);
            ImagePlus first = lower.endsWith(".tif") || lower.endsWith(".tiff") ? open(f) : null;
            int planes = first == null ? 1 : Planes.count(first);
            if (first != null && lastFile[0] == null) {
                // keep the first file as read here: a training looks at it first (is it a composite?), then checks it
                lastFile[0] = f;
                lastImage[0] = first;
            }
            double pixelSize = first == null ? 0 : Planes.pixelSize(first);
            for (int p = 1; p <= planes; p++) {
                final int plane = p;
                String name = f + (first == null ? "" : Planes.suffix(first, p));
                out.add(new ImageSource() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public FloatImage load() throws IOException {
                        ImagePlus image = image();
                        if (Planes.count(image) < plane) {
                            throw new IOException(f + " changed while it was being read (it has fewer planes now); read it again");
                        }
                        return Planes.toFloatImage(image, plane);
                    }

                    /** The file, read once for all its planes and its mask (they are loaded one after the other). */
                    private ImagePlus image() throws IOException {
                        synchronized (lastFile) {
                            if (!f.equals(lastFile[0])) {
                                lastImage[0] = open(f);
                                lastFile[0] = f;
                            }
                            return lastImage[0];
                        }
                    }

                    @Override
                    public double pixelSize() {
                        return pixelSize;
                    }

                    @Override
                    public float[] mask() throws IOException {
                        if (masks == null) {
                            return null;
                        }
                        ImagePlus image = image();
                        return Masks.read(Masks.find(masks, inputRoot, f), image.getWidth(), image.getHeight());
                    }
                });
            }
        }
        return out;
    }

    /** Refuses to replace an existing file: results never overwrite a user's data silently. */
    public static void checkWritable(Path target, boolean overwrite) throws IOException {
        checkWritable(target, overwrite, "allow overwriting (--overwrite)");
    }

    /** As above, with what to do instead of replacing it. */
    public static void checkWritable(Path target, boolean overwrite, String alternative) throws IOException {
        if (Files.exists(target) && !overwrite) {
            throw new java.nio.file.FileAlreadyExistsException(target.toString(), null,
                    "already exists; move it away, choose another name or folder, or " + alternative);
        }
    }

    public static void saveTiff(ImagePlus imp, Path target) throws IOException {
        save(imp, target, true);
    }

    public static void savePng(ImagePlus imp, Path target) throws IOException {
        save(imp, target, false);
    }

    /**
     * Saves with ImageJ after checking the folder, so that a full disk or a read-only folder
     * gives the project's message (naming the folder) rather than ImageJ's "File saving error".
     */
    private static void save(ImagePlus imp, Path target, boolean tiff) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null && !Files.isWritable(dir)) {
            throw new java.nio.file.AccessDeniedException(dir.toString(), null, "cannot write " + target.getFileName()
                    + " into this folder; choose an output folder you can write to");
        }
        java.io.PrintStream err = System.err;
        boolean ok;
        try {
            System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            FileSaver saver = new FileSaver(imp);
            ok = tiff ? saver.saveAsTiff(target.toString()) : saver.saveAsPng(target.toString());
        } finally {
            System.setErr(err);
        }
        if (!ok) {
            throw new IOException("could not write " + target + " (is the disk full, or the file open in another program?)");
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
        return overlay(toProcessor(input), heat);
    }

    /** As above, from an ImageJ processor of the heat map's size (not modified). */
    public static ColorProcessor overlay(ImageProcessor input, ColorProcessor heat) {
        ColorProcessor base = input instanceof ColorProcessor ? (ColorProcessor) input : input.convertToColorProcessor();
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
