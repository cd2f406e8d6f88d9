package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.image.Resample;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The images of EfficientAD's penalty term: images that are not the user's, on which the
 * student must stay near zero, so it cannot learn to imitate the teacher everywhere (and
 * so imitate it on defects too). The paper draws them from ImageNet; the built-in set is
 * eight CC0 or public-domain photos of scikit-image's data (none used by this project's
 * benchmarks), shipped in the plugin at 512 px; a user may name a folder of their own
 * other images instead. Each step takes a random crop of the image size from a random
 * image, turned grey with probability 0.3, as the paper's augmentation does.
 */
public final class PenaltyImages implements AutoCloseable {

    public static final String BUILTIN = "builtin";
    public static final String NONE = "none";
    static final String FOLDER = "/io/github/astfiji/core/efficientad/penalty/";
    private static final float GREY_PROBABILITY = 0.3f;

    private final List<NDArray> images = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final int size;
    private final SplittableRandom rng;

    /**
     * Reads the penalty images named by spec (builtin or a folder) at twice the image size
     * on the shorter side (the paper resizes to 512 for a 256 crop), into manager.
     */
    public PenaltyImages(String spec, int size, long seed, NDManager manager) throws IOException {
        this.size = size;
        this.rng = new SplittableRandom(seed * 48_271 + 11);
        if (BUILTIN.equals(spec)) {
            try (InputStream index = PenaltyImages.class.getResourceAsStream(FOLDER + "index.txt")) {
                if (index == null) {
                    throw new IOException("the built-in penalty images are missing from this build; rebuild the plugin, or name a folder of images");
                }
                for (String name : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
                    if (name.isBlank()) {
                        continue;
                    }
                    try (InputStream in = PenaltyImages.class.getResourceAsStream(FOLDER + name)) {
                        add(in == null ? null : ImageIO.read(in), name, manager);
                    }
                }
            }
        } else {
            Path folder = Path.of(spec);
            if (!Files.isDirectory(folder)) {
                throw new IOException("penalty images: " + folder + " is not a folder; name a folder of ordinary images (PNG, JPEG) "
                        + "that are not the ones you inspect, or use builtin");
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif|tiff?)"))
                        .sorted().toList();
            }
            for (Path f : files) {
                add(ImageIO.read(f.toFile()), f.getFileName().toString(), manager);
            }
        }
        if (images.isEmpty()) {
            throw new IOException("no penalty images could be read from " + spec + "; name a folder of PNG or JPEG images, or use builtin");
        }
    }

    private void add(BufferedImage im, String name, NDManager manager) throws IOException {
        if (im == null) {
            throw new IOException("penalty image " + name + " could not be read (not a PNG, JPEG, BMP, GIF or TIFF)");
        }
        int w = im.getWidth();
        int h = im.getHeight();
        double f = 2.0 * size / Math.min(w, h);
        int nw = Math.max(size, (int) Math.round(w * f));
        int nh = Math.max(size, (int) Math.round(h * f));
        float[][] planes = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = im.getRGB(x, y);
                planes[0][y * w + x] = ((rgb >> 16) & 255) / 255f;
                planes[1][y * w + x] = ((rgb >> 8) & 255) / 255f;
                planes[2][y * w + x] = (rgb & 255) / 255f;
            }
        }
        float[] data = new float[3 * nw * nh];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(Resample.resize(planes[c], w, h, nw, nh), 0, data, c * nw * nh, nw * nh);
        }
        images.add(manager.create(data, new Shape(1, 3, nh, nw)));
        names.add(name);
    }

    public List<String> names() {
        return names;
    }

    /** One random crop, ImageNet-normalised, (1, 3, size, size), in the given scope. */
    public NDArray next(NDManager scope) {
        NDArray im = images.get(rng.nextInt(images.size()));
        int h = (int) im.getShape().get(2);
        int w = (int) im.getShape().get(3);
        int y = rng.nextInt(h - size + 1);
        int x = rng.nextInt(w - size + 1);
        NDArray crop = im.get(":, :, " + y + ":" + (y + size) + ", " + x + ":" + (x + size));
        crop.attach(scope);
        if (rng.nextFloat() < GREY_PROBABILITY) {
            crop = EfficientAdNetwork.grey(crop).repeat(1, 3);
        }
        return EfficientAdNetwork.normalise(crop);
    }

    @Override
    public void close() {
        images.forEach(NDArray::close);
        images.clear();
    }
}
