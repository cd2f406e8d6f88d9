package io.github.astfiji.io;

import ij.ImagePlus;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads depth images: MVTec 3D-AD's xyz TIFFs (3 float samples per pixel, z used) with
 * the JDK's TIFF reader, and single-channel depth images (16/32-bit TIFF or PNG) with
 * ImageJ. Also writes xyz TIFFs in the same layout, for the synthetic benchmark.
 */
public final class DepthFiles {

    static final List<String> EXTENSIONS = List.of(".tiff", ".tif", ".png");

    private DepthFiles() {
    }

    public static DepthMap read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("depth file " + file + " does not exist");
        }
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".tif") || n.endsWith(".tiff")) {
            Raster r = readTiffRaster(file);
            if (r != null) {
                int band = r.getNumBands() == 3 ? 2 : r.getNumBands() == 1 ? 0 : -1;
                if (band < 0) {
                    throw new IOException("depth file " + file + " has " + r.getNumBands()
                            + " samples per pixel; expected 1 (depth) or 3 (x, y, z as in MVTec 3D-AD)");
                }
                int w = r.getWidth();
                int h = r.getHeight();
                float[] z = new float[w * h];
                r.getSamples(0, 0, w, h, band, z);
                return new DepthMap(w, h, z);
            }
        }
        ImagePlus imp = ImageFiles.open(file);
        if (imp.getBitDepth() == 24) {
            throw new IOException("depth file " + file + " is an RGB image; a depth image must have one channel (or be an xyz TIFF)");
        }
        int slice = imp.getStackSize() == 3 ? 3 : 1; // an x, y, z stack saved by ImageJ
        if (imp.getStackSize() != 1 && imp.getStackSize() != 3) {
            throw new IOException("depth file " + file + " has " + imp.getStackSize() + " slices; expected 1 (depth) or 3 (x, y, z)");
        }
        FloatImage im = ImageFiles.toFloatImage(imp, slice);
        return new DepthMap(im.width(), im.height(), im.data());
    }

    /** The raster of a TIFF read by the JDK's reader, or null when it cannot decode the file. */
    private static Raster readTiffRaster(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return reader.read(0).getRaster();
            } catch (RuntimeException | IOException e) {
                return null; // let ImageJ try (and report) instead
            } finally {
                reader.dispose();
            }
        }
    }

    /** Writes x, y, z as one float TIFF page with 3 samples per pixel (MVTec 3D-AD's layout). */
    public static void writeXyz(Path file, int w, int h, float[] x, float[] y, float[] z) throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        WritableRaster r = cm.createCompatibleWritableRaster(w, h);
        r.setSamples(0, 0, w, h, 0, x);
        r.setSamples(0, 0, w, h, 1, y);
        r.setSamples(0, 0, w, h, 2, z);
        if (!ImageIO.write(new BufferedImage(cm, r, false, null), "tiff", file.toFile())) {
            throw new IOException("no TIFF writer available to write " + file);
        }
    }

    /** The depth file in depthDir with the same name stem as image, or null. */
    public static Path match(Path image, Path depthDir) {
        String stem = image.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        for (String ext : EXTENSIONS) {
            Path p = depthDir.resolve(stem + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Pairs each image with its depth file by name; fails naming the first image without one. */
    public static List<Path> pair(List<Path> images, Path depthDir) throws IOException {
        if (!Files.isDirectory(depthDir)) {
            throw new IOException("depth folder " + depthDir + " does not exist");
        }
        List<Path> out = new ArrayList<>();
        for (Path im : images) {
            Path d = match(im, depthDir);
            if (d == null) {
                throw new IOException("no depth file for " + im.getFileName() + " in " + depthDir + " (looked for the same name with "
                        + String.join("/", EXTENSIONS) + "); each image needs a depth file of the same name");
            }
            out.add(d);
        }
        return out;
    }

    /**
     * Images and their depth files from a listing that may contain MVTec 3D-AD folders:
     * files in an rgb/ folder with an xyz/ sibling get the xyz file of the same name; the
     * xyz/ and gt/ files themselves are not images to score. With depthDir set, every image
     * takes its depth from there instead.
     */
    public static List<List<Path>> imagesAndDepths(List<Path> files, Path depthDir) throws IOException {
        List<Path> images = new ArrayList<>();
        List<Path> depths = new ArrayList<>();
        for (Path f : files) {
            Path parent = f.getParent();
            Path sibling = parent == null || parent.getParent() == null ? null : parent.getParent().resolve("rgb");
            String folder = parent == null ? "" : parent.getFileName().toString();
            if ((folder.equals("xyz") || folder.equals("gt")) && sibling != null && Files.isDirectory(sibling)) {
                continue;
            }
            images.add(f);
            if (depthDir != null) {
                depths.add(null);
            } else if (folder.equals("rgb") && Files.isDirectory(parent.getParent().resolve("xyz"))) {
                depths.add(pair(List.of(f), parent.getParent().resolve("xyz")).get(0));
            } else {
                depths.add(null);
            }
        }
        if (depthDir != null) {
            depths = pair(images, depthDir);
        }
        return List.of(images, depths);
    }

    /**
     * The images of a training folder with their depth files: paired by name from depthDir
     * when it is given, else from the folder's own rgb/ and xyz/ (MVTec 3D-AD's train/good).
     * Null when neither applies: the folder holds images without depth.
     */
    public static List<ImageSource> folderWithDepth(Path dir, Path depthDir) throws IOException {
        Path imageDir = dir;
        if (depthDir == null) {
            if (!Files.isDirectory(dir.resolve("rgb")) || !Files.isDirectory(dir.resolve("xyz"))) {
                return null;
            }
            imageDir = dir.resolve("rgb");
            depthDir = dir.resolve("xyz");
        }
        List<Path> images = ImageFiles.list(imageDir, false);
        return withDepth(images, pair(images, depthDir));
    }

    /** Image sources whose depth() reads the paired depth file (lazily). */
    public static List<ImageSource> withDepth(List<Path> images, List<Path> depths) {
        List<ImageSource> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Path im = images.get(i);
            Path d = depths.get(i);
            out.add(new ImageSource() {
                @Override
                public String name() {
                    return im.toString();
                }

                @Override
                public FloatImage load() throws IOException {
                    return ImageFiles.toFloatImage(ImageFiles.open(im), 1);
                }

                @Override
                public DepthMap depth() throws IOException {
                    return read(d);
                }
            });
        }
        return out;
    }
}
