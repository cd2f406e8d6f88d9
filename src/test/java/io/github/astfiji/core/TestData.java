package io.github.astfiji.core;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.RandomCnnBackbone;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.ImageFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Shared test inputs: the bundled sample images and a small, fast configuration. */
public final class TestData {

    public static final Path SAMPLES = Path.of("test-images");

    private TestData() {
    }

    public static List<ImageSource> trainImages(int count) throws IOException {
        List<ImageSource> all = ImageFiles.sources(ImageFiles.list(SAMPLES.resolve("train/good"), false));
        return all.subList(0, Math.min(count, all.size()));
    }

    /** A configuration that trains in seconds: for plumbing tests, not for quality. */
    public static AstConfig fastConfig() {
        AstConfig c = new AstConfig();
        c.imageSize = 64;
        c.flowHidden = 16;
        c.studentHidden = 16;
        c.studentBlocks = 1;
        c.teacherEpochs = 3;
        c.studentEpochs = 3;
        c.batchSize = 4;
        return c;
    }

    public static Detector trainFast(NDManager root) throws IOException {
        return trainFast(root, new RandomCnnBackbone(root, 0));
    }

    public static Detector trainFast(NDManager root, Backbone backbone) throws IOException {
        return new Trainer(Methods.AST, fastConfig(), Progress.NONE).train(trainImages(8), backbone, root);
    }

    public static Path fixture(String name) {
        return Path.of("src/test/resources/fixtures", name);
    }
}
