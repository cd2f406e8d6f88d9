package io.github.astfiji.core;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scoring many images must not leave tensors behind, and closing a model frees all of its own. */
class NativeMemoryTest {

    @Test
    void scoringLeavesNoTensorsBehindAndCloseFreesEverything() throws Exception {
        try (NDManager root = Engines.newManager()) {
            int before = root.getManagedArrays().size();
            AnomalyModel model = TestData.trainFast(root);
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
