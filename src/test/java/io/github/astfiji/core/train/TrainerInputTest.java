package io.github.astfiji.core.train;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.ast.AstNetwork;
import io.github.astfiji.core.backbone.FilterBankBackbone;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.registry.Methods;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerInputTest {

    static FloatImage flat(int bitDepth, float value, int channels) {
        float[] d = new float[channels * 32 * 32];
        java.util.Arrays.fill(d, value);
        return new FloatImage(32, 32, channels, bitDepth, d);
    }

    @Test
    void nanPixelsAndMixedTypesAreRefusedUpFront() throws Exception {
        try (NDManager root = Engines.newManager()) {
            FloatImage nan = flat(32, 1f, 1);
            nan.data()[5 * 32 + 7] = Float.NaN;
            List<ImageSource> imgs = List.of(ImageSource.of("a.tif", flat(32, 1f, 1)), ImageSource.of("b.tif", nan));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(Methods.AST, TestData.fastConfig(), Progress.NONE).train(imgs, new FilterBankBackbone(root), root));
            assertTrue(e.getMessage().contains("b.tif") && e.getMessage().contains("x=7, y=5") && e.getMessage().contains("Remove NaNs"),
                    e.getMessage());

            List<ImageSource> mixed = List.of(ImageSource.of("gray.png", flat(8, 3f, 1)), ImageSource.of("colour.png", flat(24, 3f, 3)));
            e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(Methods.AST, TestData.fastConfig(), Progress.NONE).train(mixed, new FilterBankBackbone(root), root));
            assertTrue(e.getMessage().contains("colour.png") && e.getMessage().contains("gray.png"), e.getMessage());
            assertEquals(0, root.getManagedArrays().size(), "a failed training releases everything");
        }
    }

    @Test
    void cancellingStopsTrainingAndReleasesMemory() throws Exception {
        try (NDManager root = Engines.newManager()) {
            List<String> stages = new ArrayList<>();
            Progress cancelInTeacher = new Progress() {
                @Override
                public void stage(String name, int total) {
                    stages.add(name);
                }

                @Override
                public void step(int done, String detail) {
                }

                @Override
                public boolean isCancelled() {
                    return stages.stream().anyMatch(s -> s.startsWith("Training teacher"));
                }
            };
            assertThrows(CancellationException.class,
                    () -> new Trainer(Methods.AST, TestData.fastConfig(), cancelInTeacher).train(TestData.trainImages(6), new FilterBankBackbone(root), root));
            assertTrue(stages.contains("Extracting features"));
            assertEquals(0, root.getManagedArrays().size(), "a cancelled training releases everything");
        }
    }

    @Test
    void normalImagesAreHeldOutForThresholds() throws Exception {
        ThresholdCalibration t = new ThresholdCalibration(Methods.AST, TestData.fastConfig(), Progress.NONE);
        List<ImageSource> imgs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            imgs.add(ImageSource.of("img" + i, flat(8, i, 1)));
        }
        List<ImageSource> fit = new ArrayList<>();
        List<ImageSource> held = new ArrayList<>();
        t.split(imgs, fit, held);
        assertEquals(4, held.size());
        assertEquals(16, fit.size());
        assertTrue(held.stream().noneMatch(fit::contains));
        fit.clear();
        held.clear();
        t.split(imgs.subList(0, 9), fit, held);
        assertEquals(0, held.size(), "too few images to hold any out");
    }

    @Test
    void kFoldCalibrationScoresEveryNormalImageWithAModelThatDidNotSeeIt() throws Exception {
        io.github.astfiji.core.ast.AstConfig c = TestData.fastConfig();
        c.calibrationFolds = 4;
        try (NDManager root = Engines.newManager()) {
            List<ImageSource> twelve = TestData.trainImages(12);
            Trainer t = new Trainer(Methods.AST, c, Progress.NONE);
            try (io.github.astfiji.core.detector.Detector d = t.train(twelve, new FilterBankBackbone(root), root)) {
                io.github.astfiji.core.score.ScoreStats s = d.stats();
                assertEquals("4-fold", s.source);
                assertEquals(12, s.images, "every image scored once (none held out of the final model)");
                assertEquals(12, s.normalScores.length);
                assertTrue(t.history().foldSeconds > 0);
                // the out-of-fold score of an image differs from the final model's own (which saw it)
                float own = d.score(twelve.get(0).load(), null).primary().score;
                assertTrue(Math.abs(own - s.normalScores[0]) > 1e-6, "image 0: out-of-fold " + s.normalScores[0] + ", own " + own);
            }
            assertEquals(0, root.getManagedArrays().size(), "fold models leave nothing behind");
        }
    }

    @Test
    void maskedLossesIgnoreTheBackground() {
        try (NDManager m = Engines.newManager()) {
            // (1, 2, 2) per-pixel losses: the background pixels carry huge values
            ai.djl.ndarray.NDArray loss = m.create(new float[] {1f, 1000f, 3f, -500f}, new ai.djl.ndarray.types.Shape(1, 2, 2));
            ai.djl.ndarray.NDArray mask = m.create(new float[] {1f, 0f, 1f, 0f}, new ai.djl.ndarray.types.Shape(1, 2, 2));
            org.junit.jupiter.api.Assertions.assertEquals(2f, AstNetwork.maskedMean(loss, mask).getFloat(), 1e-6f);
            ai.djl.ndarray.NDArray none = m.zeros(new ai.djl.ndarray.types.Shape(1, 2, 2));
            org.junit.jupiter.api.Assertions.assertEquals(0f, AstNetwork.maskedMean(loss, none).getFloat(), 0f,
                    "an all-background batch contributes nothing, not NaN");
        }
    }

    @Test
    void blownUpFoldScoresAreLeftOutOfTheThresholds() {
        // two maps; image 3 blew up in the first map, image 5 is NaN in the second; image 4 is merely high
        float[][] scores = {
            {1.0f, 1.2f, 0.9f, 3e22f, 4.0f, 1.1f},
            {50f, 60f, 55f, 58f, 90f, Float.NaN},
        };
        boolean[] unstable = ThresholdCalibration.unstableScores(scores);
        assertTrue(unstable[3] && unstable[5], java.util.Arrays.toString(unstable));
        assertTrue(!unstable[0] && !unstable[1] && !unstable[2] && !unstable[4], "a high but finite score is normal variation, kept");
    }
}
