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

    private SampleDataset(List<ImageSource> train, List<ImageSource> test, boolean[] defect, List<String> labels) {
        this.train = train;
        this.test = test;
        this.testIsDefect = defect;
        this.testLabels = labels;
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
        for (int i = 0; i < testFiles.size(); i++) {
            String label = testDir.relativize(testFiles.get(i)).getName(0).toString();
            labels.add(label);
            defect[i] = !label.equals("good");
        }
        return new SampleDataset(train, test, defect, labels);
    }
}
