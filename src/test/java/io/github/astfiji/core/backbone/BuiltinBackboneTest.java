package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.Preprocessing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Built-in backbones after calibration give unit-scale, non-denormal, image-dependent
 * features (the random-CNN trap: without recalibration activations collapse).
 */
class BuiltinBackboneTest {

    @ParameterizedTest
    @ValueSource(strings = {RandomCnnBackbone.ID, FilterBankBackbone.ID})
    void calibratedFeaturesAreStandardised(String id) throws Exception {
        List<ImageSource> imgs = TestData.trainImages(8);
        List<FloatImage> loaded = new ArrayList<>();
        for (ImageSource s : imgs) {
            loaded.add(s.load());
        }
        Preprocessing pre = Preprocessing.fit(loaded, 96);
        float[] batch = new float[loaded.size() * 3 * 96 * 96];
        for (int i = 0; i < loaded.size(); i++) {
            System.arraycopy(pre.apply(loaded.get(i)), 0, batch, i * 3 * 96 * 96, 3 * 96 * 96);
        }
        try (NDManager m = Engines.newManager(); Backbone bb = Backbones.builtin(id, m, 0)) {
            NDArray images = m.create(batch, new Shape(loaded.size(), 3, 96, 96));
            bb.calibrate(List.of(images));
            NDArray f = bb.extract(images);
            assertEquals(new Shape(loaded.size(), bb.channels(), 12, 12), f.getShape());
            float count = f.getShape().get(0) * 12 * 12;
            float[] mean = f.sum(new int[] {0, 2, 3}).div(count).toFloatArray();
            float[] var = f.square().sum(new int[] {0, 2, 3}).div(count).toFloatArray();
            for (int c = 0; c < mean.length; c++) {
                assertEquals(0, mean[c], 1e-3, id + " channel " + c + " mean");
                assertTrue(var[c] > 0.9 || var[c] < 1e-6, id + " channel " + c + " second moment " + var[c]);
            }
            float[] v = f.toFloatArray();
            for (float x : v) {
                assertTrue(x == 0 || Math.abs(x) > 1e-30, "denormal feature value " + x);
            }
            // two different images give different features
            NDArray diff = f.get(0).sub(f.get(1)).abs().mean();
            assertTrue(diff.getFloat() > 0.1, "features of different images must differ");
        }
    }
}
