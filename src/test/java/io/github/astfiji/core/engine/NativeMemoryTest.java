package io.github.astfiji.core.engine;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scoring many images must not leave tensors behind, and closing a model frees all of its own. */
class NativeMemoryTest {

    /** More optimiser steps must not leave more tensors behind (every step's temporaries are scoped). */
    @Test
    void trainingLongerLeavesNoMoreTensors() throws Exception {
        try (NDManager root = Engines.newManager()) {
            int[] counts = new int[2];
            int[] epochs = {2, 6};
            for (int i = 0; i < 2; i++) {
                io.github.astfiji.core.ast.AstConfig c = TestData.fastConfig();
                c.teacherEpochs = epochs[i];
                c.studentEpochs = epochs[i];
                try (io.github.astfiji.core.detector.Detector m = new io.github.astfiji.core.train.Trainer(
                        io.github.astfiji.core.registry.Methods.AST, c, Progress.NONE)
                        .train(TestData.trainImages(8), new io.github.astfiji.core.backbone.FilterBankBackbone(root), root)) {
                    counts[i] = root.getManagedArrays().size();
                }
            }
            assertEquals(counts[0], counts[1], "tensors left after 2 vs 6 epochs");
        }
    }

    @Test
    void scoringLeavesNoTensorsBehindAndCloseFreesEverything() throws Exception {
        try (NDManager root = Engines.newManager()) {
            int before = root.getManagedArrays().size();
            io.github.astfiji.core.detector.Detector model = TestData.trainFast(root);
            List<ImageSource> images = TestData.trainImages(4);
            FloatImage im = images.get(0).load();
            model.score(im, null); // warm-up: lazily created constants
            int afterFirst = root.getManagedArrays().size();
            for (int i = 0; i < 200; i++) {
                model.score(images.get(i % images.size()).load(), null);
            }
            assertEquals(afterFirst, root.getManagedArrays().size(), "tensors leaked while scoring 200 images");
            model.close();
            assertEquals(before, root.getManagedArrays().size(), "closing the model must release all its tensors");
        }
    }
}
