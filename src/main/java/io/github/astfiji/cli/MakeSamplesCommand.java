package io.github.astfiji.cli;

import ij.ImagePlus;
import io.github.astfiji.core.data.DefectSynthesizer;
import io.github.astfiji.core.data.MicroscopySamples;
import io.github.astfiji.core.data.SyntheticFluorescence;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.io.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Writes an MVTec-style sample data set from one texture photo: random crops (with flips)
 * as normal images, and crops with painted scratches, spots and missing pieces plus masks.
 */
@Command(name = "make-samples", mixinStandardHelpOptions = true,
        description = "Make an MVTec-style sample data set (train/good, test/<type>, ground_truth/<type>) from a texture image.")
final class MakeSamplesCommand implements Callable<Integer> {

    @Option(names = "--source", description = "Texture image to crop from (e.g. scikit-image's CC0 brick.png).")
    Path source;

    @Option(names = "--scene", description = "Instead of a texture: draw microscopy-style images, spots (a spot field) or nuclei "
            + "(8-bit), with defects blur (local defocus), debris and scratch; or fluorescence: 3-channel 16-bit TIFF composites "
            + "(nuclei, cytoplasm, spots on a dark noisy background) with defects blur, debris, scratch, saturated and missing "
            + "(a channel region clipped or gone).")
    String scene;

    @Option(names = "--defects", defaultValue = "texture", description = "With --source: texture (scratch, spot, missing piece; "
            + "default) or microscopy (local defocus blur, debris, scratch), e.g. on a tissue image such as scikit-image's ihc.png.")
    String defects;

    @Option(names = "--out", required = true, description = "Output folder (must not exist yet).")
    Path out;

    @Option(names = "--size", defaultValue = "128", description = "Crop size in pixels (default 128).")
    int size;

    @Option(names = "--train", defaultValue = "24", description = "Normal training images (default 24).")
    int train;

    @Option(names = "--test-good", defaultValue = "10", description = "Normal test images (default 10).")
    int testGood;

    @Option(names = "--per-defect", defaultValue = "5", description = "Test images per defect type (default 5).")
    int perDefect;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Option(names = "--block", defaultValue = "0", description = "Make each image a mosaic of random flipped crops of this size "
            + "(e.g. 128), with a defect painted into one block: large images with small defects, even from a small source. "
            + "Default 0: one crop per image.")
    int block;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            throw new java.nio.file.FileAlreadyExistsException(out.toString(), null, "already exists; choose a new folder");
        }
        if ((source == null) == (scene == null)) {
            throw new IllegalArgumentException("give either --source TEXTURE or --scene spots|nuclei|fluorescence");
        }
        if (scene != null && scene.trim().equalsIgnoreCase("fluorescence")) {
            writeFluorescence();
            System.out.println("Sample data set written to " + out);
            return 0;
        }
        if (scene != null) {
            writeMicroscopy(MicroscopySamples.Scene.valueOf(scene.trim().toUpperCase(Locale.ROOT)));
            System.out.println("Sample data set written to " + out);
            return 0;
        }
        FloatImage texture = ImageFiles.toFloatImage(ImageFiles.open(source), 1);
        if (texture.bitDepth() != 8 && texture.bitDepth() != 24) {
            throw new IllegalArgumentException(source + " must be an 8-bit or RGB image");
        }
        int piece = block > 0 ? block : size;
        if (texture.width() < piece || texture.height() < piece) {
            throw new IllegalArgumentException(source + " is smaller than the crop size " + piece
                    + (block > 0 ? "" : "; use --block 128 to build larger images from smaller crops"));
        }
        if (block > 0 && size % block != 0) {
            throw new IllegalArgumentException("--size must be a multiple of --block");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        if (defects.trim().equalsIgnoreCase("microscopy")) {
            if (block > 0) {
                throw new IllegalArgumentException("--defects microscopy works on single crops; leave --block out");
            }
            writeSplits(MicroscopySamples.Defect.values(), (dir, count, d) -> writeCrops(dir, count, texture, rng, d));
            System.out.println("Sample data set written to " + out);
            return 0;
        }
        if (!defects.trim().equalsIgnoreCase("texture")) {
            throw new IllegalArgumentException("--defects takes texture or microscopy, not '" + defects + "'");
        }
        writeSplits(DefectSynthesizer.Kind.values(), (dir, count, kind) -> write(dir, count, texture, rng, kind));
        System.out.println("Sample data set written to " + out);
        return 0;
    }

    /** Normal images drawn from seeds, defects painted into further normal images. */
    private void writeMicroscopy(MicroscopySamples.Scene kind) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        writeSplits(MicroscopySamples.Defect.values(), (dir, count, d) -> writeDrawn(dir, count, kind, rng, d));
    }

    /** Writes count images of one split into dir, with a defect (null: normal). */
    private interface SplitWriter<K> {
        void write(Path dir, int count, K defect) throws Exception;
    }

    /** The MVTec layout's splits in a fixed order (so a seed gives the same set): train/good, test/good, test/TYPE per defect. */
    private <K extends Enum<K>> void writeSplits(K[] defects, SplitWriter<K> writer) throws Exception {
        writer.write(out.resolve("train/good"), train, null);
        writer.write(out.resolve("test/good"), testGood, null);
        for (K d : defects) {
            writer.write(out.resolve("test/" + d.name().toLowerCase(Locale.ROOT)), perDefect, d);
        }
    }

    /** Crops of a texture (tissue, say) with microscopy defects painted into some. */
    private void writeCrops(Path dir, int count, FloatImage texture, SplittableRandom rng, MicroscopySamples.Defect defect) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            FloatImage im = crop(texture, rng, size);
            String name = String.format("%03d", i);
            if (defect != null) {
                DefectSynthesizer.Result r = MicroscopySamples.defect(im, defect, rng.nextLong());
                im = r.image;
                writeMask(dir, name, r.mask);
            }
            ImageFiles.savePng(new ImagePlus(name, ImageFiles.toProcessor(im)), dir.resolve(name + ".png"));
        }
    }

    /** 3-channel 16-bit fluorescence composites (TIFF), defects of every kind but none in test/good. */
    private void writeFluorescence() throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        for (SyntheticFluorescence.Defect d : SyntheticFluorescence.Defect.values()) {
            Path dir = out.resolve(d == SyntheticFluorescence.Defect.NONE ? "test/good" : "test/" + d.id());
            Files.createDirectories(dir);
            int count = d == SyntheticFluorescence.Defect.NONE ? testGood : perDefect;
            if (d == SyntheticFluorescence.Defect.NONE) {
                Files.createDirectories(out.resolve("train/good"));
                for (int i = 0; i < train; i++) {
                    DefectSynthesizer.Result s = SyntheticFluorescence.make(size, 3, d, rng.nextLong());
                    ImageFiles.saveTiff(ImageFiles.toImagePlus(String.format("%03d", i), s.image), out.resolve("train/good").resolve(String.format("%03d.tif", i)));
                }
            }
            for (int i = 0; i < count; i++) {
                String name = String.format("%03d", i);
                DefectSynthesizer.Result s = SyntheticFluorescence.make(size, 3, d, rng.nextLong());
                if (d != SyntheticFluorescence.Defect.NONE) {
                    writeMask(dir, name, s.mask);
                }
                ImageFiles.saveTiff(ImageFiles.toImagePlus(name, s.image), dir.resolve(name + ".tif"));
            }
        }
    }

    /** A defect's ground truth (1 = defect) as ground_truth/TYPE/NAME_mask.png. */
    private void writeMask(Path dir, String name, float[] mask) throws Exception {
        float[] m = mask.clone();
        for (int k = 0; k < m.length; k++) {
            m[k] *= 255f;
        }
        Path gt = out.resolve("ground_truth").resolve(dir.getFileName());
        Files.createDirectories(gt);
        ImageFiles.savePng(new ImagePlus(name, ImageFiles.toProcessor(new FloatImage(size, size, 1, 8, m))), gt.resolve(name + "_mask.png"));
    }

    private void writeDrawn(Path dir, int count, MicroscopySamples.Scene kind, SplittableRandom rng, MicroscopySamples.Defect defect)
            throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            String name = String.format("%03d", i);
            FloatImage im = MicroscopySamples.normal(kind, size, rng.nextLong());
            if (defect != null) {
                DefectSynthesizer.Result r = MicroscopySamples.defect(im, defect, rng.nextLong());
                im = r.image;
                writeMask(dir, name, r.mask);
            }
            ImageFiles.savePng(new ImagePlus(name, ImageFiles.toProcessor(im)), dir.resolve(name + ".png"));
        }
    }

    private void write(Path dir, int count, FloatImage texture, SplittableRandom rng, DefectSynthesizer.Kind kind) throws Exception {
        Files.createDirectories(dir);
        Path gt = kind == null ? null : out.resolve("ground_truth").resolve(dir.getFileName());
        if (gt != null) {
            Files.createDirectories(gt);
        }
        for (int i = 0; i < count; i++) {
            FloatImage crop = block > 0 ? mosaic(texture, rng) : crop(texture, rng, size);
            String name = String.format("%03d", i);
            if (kind != null) {
                float[] m;
                if (block > 0) {
                    // the defect goes into one block: the size it has on a block-sized crop, however large the image
                    int bx = rng.nextInt(size / block) * block;
                    int by = rng.nextInt(size / block) * block;
                    DefectSynthesizer.Result r = DefectSynthesizer.paint(region(crop, bx, by, block), kind, rng.nextLong());
                    crop = paste(crop, r.image, bx, by);
                    m = new float[size * size];
                    for (int y = 0; y < block; y++) {
                        for (int x = 0; x < block; x++) {
                            m[(by + y) * size + bx + x] = 255f * r.mask[y * block + x];
                        }
                    }
                } else {
                    DefectSynthesizer.Result r = DefectSynthesizer.paint(crop, kind, rng.nextLong());
                    crop = r.image;
                    m = r.mask.clone();
                    for (int k = 0; k < m.length; k++) {
                        m[k] *= 255f;
                    }
                }
                ImageFiles.savePng(new ImagePlus(name, ImageFiles.toProcessor(new FloatImage(size, size, 1, 8, m))),
                        gt.resolve(name + "_mask.png"));
            }
            ImageFiles.savePng(new ImagePlus(name, ImageFiles.toProcessor(crop)), dir.resolve(name + ".png"));
        }
    }

    /** A size x size image of random flipped block-sized crops. */
    private FloatImage mosaic(FloatImage t, SplittableRandom rng) {
        FloatImage out = new FloatImage(size, size, t.channels(), t.bitDepth(), new float[t.channels() * size * size]);
        for (int by = 0; by < size; by += block) {
            for (int bx = 0; bx < size; bx += block) {
                out = paste(out, crop(t, rng, block), bx, by);
            }
        }
        return out;
    }

    private static FloatImage region(FloatImage im, int x0, int y0, int s) {
        return new FloatImage(s, s, im.channels(), im.bitDepth(), im.region(x0, y0, s, s));
    }

    /** The image with a block copied in at (x0, y0) (the image's array is reused). */
    private static FloatImage paste(FloatImage im, FloatImage piece, int x0, int y0) {
        float[] d = im.data();
        int w = im.width();
        int h = im.height();
        for (int c = 0; c < im.channels(); c++) {
            for (int y = 0; y < piece.height(); y++) {
                for (int x = 0; x < piece.width(); x++) {
                    d[(c * h + y0 + y) * w + x0 + x] = piece.get(c, x, y);
                }
            }
        }
        return im;
    }

    private FloatImage crop(FloatImage t, SplittableRandom rng, int size) {
        int x0 = rng.nextInt(t.width() - size + 1);
        int y0 = rng.nextInt(t.height() - size + 1);
        boolean flipX = rng.nextBoolean();
        boolean flipY = rng.nextBoolean();
        float[] d = new float[t.channels() * size * size];
        for (int c = 0; c < t.channels(); c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int sx = x0 + (flipX ? size - 1 - x : x);
                    int sy = y0 + (flipY ? size - 1 - y : y);
                    d[(c * size + y) * size + x] = t.get(c, sx, sy);
                }
            }
        }
        return new FloatImage(size, size, t.channels(), t.bitDepth(), d);
    }
}
