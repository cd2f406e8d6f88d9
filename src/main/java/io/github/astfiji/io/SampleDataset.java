package io.github.astfiji.io;

import io.github.astfiji.core.ImageSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An MVTec-style folder: train/good for training, test/&lt;type&gt; for evaluation, where
 * "good" is normal and every other sub-folder holds defects.
 */
public final class SampleDataset {

    public final List<ImageSource> train;
    public final List<ImageSource> test;
    public final boolean[] testIsDefect;
    public final List<String> testLabels;
    /** Ground-truth mask file per test image (ground_truth/&lt;type&gt;/&lt;name&gt;_mask.png), null when absent. */
    public final List<Path> testMasks;

    private SampleDataset(List<ImageSource> train, List<ImageSource> test, boolean[] defect, List<String> labels,
                          List<Path> masks) {
        this.train = train;
        this.test = test;
        this.testIsDefect = defect;
        this.testLabels = labels;
        this.testMasks = masks;
    }

    /** Ground truth for the evaluation, read with ImageJ; null where a mask is missing. */
    public io.github.astfiji.core.eval.Evaluation.MaskSource masks() {
        return (index, width, height) -> {
            Path p = testMasks.get(index);
            if (p == null) {
                return null;
            }
            io.github.astfiji.core.FloatImage m = ImageFiles.toFloatImage(ImageFiles.open(p), 1);
            if (m.width() != width || m.height() != height) {
                throw new IOException("mask " + p + " is " + m.width() + "x" + m.height() + " but its image is " + width + "x" + height);
            }
            return m.data();
        };
    }

    public static SampleDataset open(Path root) throws IOException {
        Path trainDir = root.resolve("train/good");
        Path testDir = root.resolve("test");
        if (!Files.isDirectory(trainDir) || !Files.isDirectory(testDir)) {
            throw new IOException(root + " is not an MVTec-style data set: it needs train/good and test/<type> folders");
        }
        List<ImageSource> train = ImageFiles.sources(ImageFiles.list(trainDir, false));
        List<Path> testFiles = ImageFiles.list(testDir, true);
        List<ImageSource> test = ImageFiles.sources(testFiles);
        boolean[] defect = new boolean[testFiles.size()];
        List<String> labels = new ArrayList<>();
        List<Path> masks = new ArrayList<>();
        for (int i = 0; i < testFiles.size(); i++) {
            Path rel = testDir.relativize(testFiles.get(i));
            String label = rel.getName(0).toString();
            labels.add(label);
            defect[i] = !label.equals("good");
            String stem = rel.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            Path mask = root.resolve("ground_truth").resolve(label).resolve(stem + "_mask.png");
            masks.add(defect[i] && Files.isRegularFile(mask) ? mask : null);
        }
        if (test.size() != testFiles.size()) {
            throw new IOException("multi-slice test images are not supported in " + testDir + "; save one image per file");
        }
        return new SampleDataset(train, test, defect, labels, masks);
    }
}
