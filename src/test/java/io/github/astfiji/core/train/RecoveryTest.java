package io.github.astfiji.core.train;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.testing.TinyMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A phase that diverges once (NaN losses for a whole epoch) recovers by itself and gives a usable model. */
class RecoveryTest {

    @AfterEach
    void clean() {
        TinyMethod.poisonEpoch = -1;
    }

    @Test
    void oneDivergedEpochIsUndoneAndTrainingFinishes() throws IOException {
        List<ImageSource> images = ImageFiles.sources(ImageFiles.list(Path.of("test-images/train/good"), false).subList(0, 6));
        TinyMethod method = new TinyMethod();
        DetectorConfig config = method.preset("cpu");
        config.setEpochs(5);
        TinyMethod.poisonEpoch = 2;
        Trainer trainer = new Trainer(method, config, null);
        try (NDManager root = Engines.newManager();
             Detector d = trainer.train(images, BackboneSetup.create(null, method.defaultBackbone(), root, config.imageSize, 0), root)) {
            Trainer.History h = trainer.history();
            assertEquals(1, h.recoveries.size(), h.recoveries.toString());
            assertTrue(h.recoveries.get(0).contains("autoencoder diverged at epoch 3 (loss NaN"), h.recoveries.get(0));
            assertTrue(h.recoveries.get(0).contains("back to epoch 2, learning rate 0.010 -> 0.0025"), h.recoveries.get(0));
            double[] losses = h.loss("autoencoder");
            assertEquals(5, losses.length);
            for (double v : losses) {
                assertTrue(Double.isFinite(v), "every kept epoch has a finite loss: " + java.util.Arrays.toString(losses));
            }
            assertNull(d.stats().problem(), "the recovered model can judge images");
        }
    }
}
