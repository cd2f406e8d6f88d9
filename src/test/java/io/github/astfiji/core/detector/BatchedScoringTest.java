package io.github.astfiji.core.detector;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.tiling.Sizing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scoring images together (their views share passes through the networks, the backbone
 * runs one image at a time on the CPU) gives every image the maps it gets alone, whatever
 * the images' sizes and however they fall into batches.
 */
class BatchedScoringTest {

    @ParameterizedTest
    @ValueSource(strings = {"fit", "tile", "resize"})
    void imagesScoredTogetherGetTheirOwnMaps(String sizing) throws Exception {
        io.github.astfiji.core.ast.AstConfig config = TestData.fastConfig();
        config.sizing = Sizing.parse(sizing);
        try (NDManager root = Engines.newManager();
             Detector model = new io.github.astfiji.core.train.Trainer(Methods.AST, config, io.github.astfiji.core.engine.Progress.NONE)
                     .train(TestData.trainImages(8), new io.github.astfiji.core.backbone.RandomCnnBackbone(root, 0), root)) {
            assertEquals(sizing, model.sizing().name().toLowerCase(java.util.Locale.ROOT));
            List<Detector.Input> inputs = new ArrayList<>();
            for (ImageSource s : TestData.trainImages(6)) {
                inputs.add(model.input(s.load(), null, null));
            }
            // one wider image: a different layout in the same call
            FloatImage first = TestData.trainImages(1).get(0).load();
            float[] wide = new float[160 * 128];
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 160; x++) {
                    wide[y * 160 + x] = first.get(0, Math.min(127, x), y);
                }
            }
            inputs.add(2, model.input(new FloatImage(160, 128, 1, 8, wide), null, null));
            assertTrue(inputs.size() > model.inferenceBatch(), "the call must span several batches");
            if (!sizing.equals("resize")) {
                int views = 0;
                for (Detector.Input in : inputs) {
                    views += model.layout(in.image.width(), in.image.height(), false).views.size();
                }
                assertTrue(views > inputs.size() || sizing.equals("fit"), "tiles: several views per image");
            }

            List<AnomalyMaps> together = model.score(inputs);
            assertEquals(inputs.size(), together.size());
            for (int i = 0; i < inputs.size(); i++) {
                AnomalyMaps alone = model.score(inputs.get(i));
                for (int k = 0; k < alone.size(); k++) {
                    assertEquals(alone.get(k).gridWidth, together.get(i).get(k).gridWidth, "image " + i);
                    assertArrayEquals(alone.get(k).grid, together.get(i).get(k).grid, 1e-4f * (1 + Math.abs(alone.get(k).maxScore)),
                            "image " + i + ", map " + k);
                }
            }
            // and the images differ from each other, so a mix-up would show
            assertTrue(Math.abs(together.get(0).primary().score - together.get(1).primary().score) > 1e-6f);
        }
    }
}
