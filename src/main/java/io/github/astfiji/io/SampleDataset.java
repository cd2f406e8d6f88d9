package io.github.astfiji.io;

import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One category of a labelled data set, in either layout the field uses:
 * <ul>
 * <li>MVTec AD: train/good/*.png, test/&lt;type&gt;/*.png, ground_truth/&lt;type&gt;/&lt;name&gt;_mask.png;</li>
 * <li>MVTec 3D-AD: train/good/{rgb,xyz}, test/&lt;type&gt;/{rgb,xyz,gt} with xyz/*.tiff holding
 * float x, y, z per pixel and gt/&lt;name&gt;.png the defect mask.</li>
 * </ul>
 * "good" is normal, every other test sub-folder holds defects. A category without test
 * images or masks still opens; {@link #notes} says what cannot be evaluated.
 */
public final class SampleDataset {

    public final List<ImageSource> train;
    public final List<ImageSource> test;
    public final boolean[] testIsDefect;
    public final List<String> testLabels;
    /** Ground-truth mask file per test image, null when absent (normal images need none). */
    public final List<Path> testMasks;
    /** Whether every image comes with a depth map (the MVTec 3D-AD layout). */
    public final boolean hasDepth;
    /** What the layout lacks for a full evaluation, empty when nothing. */
    public final List<String> notes = new ArrayList<>();

    private SampleDataset(List<ImageSource> train, List<ImageSource> test, boolean[] defect, List<String> labels,
                          List<Path> masks, boolean hasDepth) {
        this.train = train;
        this.test = test;
        this.testIsDefect = defect;
        this.testLabels = labels;
        this.testMasks = masks;
        this.hasDepth = hasDepth;
    }

    /** Whether a folder is a category in either layout. */
    public static boolean isCategory(Path dir) {
        return Files.isDirectory(dir.resolve("train/good"));
    }

    /** Ground truth for the evaluation, read with ImageJ; null where a mask is missing. */
    public Evaluation.MaskSource masks() {
        return (index, width, height) -> {
            Path p = testMasks.get(index);
            if (p == null) {
                return null;
            }
            FloatImage m = ImageFiles.toFloatImage(ImageFiles.open(p), 1);
            if (m.width() != width || m.height() != height) {
                throw new IOException("mask " + p + " is " + m.width() + "x" + m.height() + " but its image is " + width + "x" + height
                        + "; masks must match their images pixel for pixel");
            }
            return m.data();
        };
    }

    public static SampleDataset open(Path root) throws IOException {
        Path trainDir = root.resolve("train/good");
        if (!Files.isDirectory(trainDir)) {
            throw new IOException(root + " is not an MVTec-style data set: it needs train/good (normal images) and test/<type> folders");
        }
        boolean depth = Files.isDirectory(trainDir.resolve("rgb"));
        List<ImageSource> train = depth ? depthSources(trainDir) : ImageFiles.sources(ImageFiles.list(trainDir, false));
        return read(root, root.resolve("test"), train, depth);
    }

    /** Only labelled images: a folder with good/ and one sub-folder per defect type (no training part). */
    public static SampleDataset openTest(Path testDir) throws IOException {
        if (!Files.isDirectory(testDir)) {
            throw new IOException(testDir + " is not a folder");
        }
        boolean depth = Files.isDirectory(testDir.resolve("good/rgb"));
        return read(testDir.getParent() == null ? testDir : testDir.getParent(), testDir, List.of(), depth);
    }

    private static SampleDataset read(Path root, Path testDir, List<ImageSource> train, boolean depth) throws IOException {
        List<ImageSource> test = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Path> masks = new ArrayList<>();
        for (Path typeDir : subfolders(testDir)) {
            String label = typeDir.getFileName().toString();
            boolean defect = !label.equals("good");
            List<Path> files = ImageFiles.list(depth ? typeDir.resolve("rgb") : typeDir, false);
            test.addAll(depth ? DepthFiles.withDepth(files, DepthFiles.pair(files, typeDir.resolve("xyz"))) : ImageFiles.sources(files));
            for (Path f : files) {
                labels.add(label);
                String stem = f.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                Path mask = depth ? typeDir.resolve("gt").resolve(stem + ".png")
                        : root.resolve("ground_truth").resolve(label).resolve(stem + "_mask.png");
                masks.add(defect && Files.isRegularFile(mask) ? mask : null);
            }
            if (test.size() != labels.size()) {
                throw new IOException("multi-slice test images are not supported in " + typeDir + "; save one image per file");
            }
        }
        boolean[] isDefect = new boolean[labels.size()];
        int defects = 0;
        int withMask = 0;
        for (int i = 0; i < isDefect.length; i++) {
            isDefect[i] = !labels.get(i).equals("good");
            defects += isDefect[i] ? 1 : 0;
            withMask += isDefect[i] && masks.get(i) != null ? 1 : 0;
        }
        SampleDataset ds = new SampleDataset(train, test, isDefect, labels, masks, depth);
        if (test.isEmpty()) {
            ds.notes.add("no test images (test/<type>): nothing to evaluate");
        } else if (defects == 0) {
            ds.notes.add("no defect images: AUROC, AUPRO and F1 undefined");
        } else if (defects == labels.size()) {
            ds.notes.add("no normal test images (test/good): AUROC undefined");
        } else if (withMask < defects) {
            ds.notes.add((defects - withMask) + " of " + defects + " defect images have no ground-truth mask: no pixel metrics");
        }
        return ds;
    }

    private static List<Path> subfolders(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** rgb/ images paired with xyz/ depth files of the same name. */
    private static List<ImageSource> depthSources(Path dir) throws IOException {
        List<Path> images = ImageFiles.list(dir.resolve("rgb"), false);
        return DepthFiles.withDepth(images, DepthFiles.pair(images, dir.resolve("xyz")));
    }
}
