package io.github.astfiji.io;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import io.github.astfiji.core.data.SyntheticRgbd;
import io.github.astfiji.core.engine.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the synthetic RGB-D benchmark in the MVTec 3D-AD layout: per category
 * train/good/{rgb,xyz}, test/&lt;type&gt;/{rgb,xyz,gt}. Into a new folder only: nothing
 * existing is overwritten.
 */
public final class SyntheticDataset {

    /** Image side, images per split and categories. */
    public static final class Size {
        public final int pixels;
        public final int train;
        public final int testGood;
        public final int perDefect;
        public final List<SyntheticRgbd.Category> categories;

        public Size(int pixels, int train, int testGood, int perDefect, List<SyntheticRgbd.Category> categories) {
            this.pixels = pixels;
            this.train = train;
            this.testGood = testGood;
            this.perDefect = perDefect;
            this.categories = categories;
        }

        /** Small enough for tests: two categories, 64 px. */
        public static final Size SMALL = new Size(64, 16, 6, 2, List.of(SyntheticRgbd.Category.WEAVE, SyntheticRgbd.Category.BOARD));
        /** For benchmarks: all four categories, 128 px. */
        public static final Size LARGE = new Size(128, 40, 16, 5, List.of(SyntheticRgbd.Category.values()));

        public static Size named(String name) {
            switch (name) {
                case "small": return SMALL;
                case "large": return LARGE;
                default: throw new IllegalArgumentException("unknown size '" + name + "'; use small or large");
            }
        }
    }

    private SyntheticDataset() {
    }

    public static void write(Path root, Size size, long seed, Progress progress) throws IOException {
        if (Files.exists(root) && (!Files.isDirectory(root) || Files.list(root).findAny().isPresent())) {
            throw new IOException(root + " already exists and is not empty; choose a new folder");
        }
        int total = 0;
        for (SyntheticRgbd.Category c : size.categories) {
            total += size.train + size.testGood + size.perDefect * c.defects().size();
        }
        progress.stage("Writing synthetic RGB-D data set", total);
        int done = 0;
        for (SyntheticRgbd.Category c : size.categories) {
            Path cat = root.resolve(c.folder());
            for (int i = 0; i < size.train; i++) {
                done = one(cat.resolve("train/good"), i, SyntheticRgbd.generate(c, null, size.pixels, seed * 1_000_003L + i), false, progress, done);
            }
            for (int i = 0; i < size.testGood; i++) {
                done = one(cat.resolve("test/good"), i, SyntheticRgbd.generate(c, null, size.pixels, seed * 1_000_003L + 100_000 + i), false,
                        progress, done);
            }
            for (SyntheticRgbd.Defect d : c.defects()) {
                for (int i = 0; i < size.perDefect; i++) {
                    long s = seed * 1_000_003L + 200_000 + 1000L * d.ordinal() + i;
                    done = one(cat.resolve("test").resolve(d.folder()), i, SyntheticRgbd.generate(c, d, size.pixels, s), true, progress, done);
                }
            }
        }
    }

    private static int one(Path dir, int index, SyntheticRgbd.Sample s, boolean withMask, Progress progress, int done) throws IOException {
        progress.checkCancelled();
        String stem = String.format("%03d", index);
        Files.createDirectories(dir.resolve("rgb"));
        Files.createDirectories(dir.resolve("xyz"));
        ImageFiles.savePng(new ImagePlus(stem, ImageFiles.toProcessor(s.rgb)), dir.resolve("rgb/" + stem + ".png"));
        DepthFiles.writeXyz(dir.resolve("xyz/" + stem + ".tiff"), s.size, s.size, s.x, s.y, s.z);
        if (withMask) {
            Files.createDirectories(dir.resolve("gt"));
            byte[] b = new byte[s.mask.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (s.mask[i] > 0 ? 255 : 0);
            }
            ImageFiles.savePng(new ImagePlus(stem, new ByteProcessor(s.size, s.size, b)), dir.resolve("gt/" + stem + ".png"));
        }
        progress.step(done + 1, dir.getFileName() + "/" + stem);
        return done + 1;
    }
}
