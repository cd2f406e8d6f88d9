package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.astfiji.core.TensorFile;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Params;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EfficientAD in Java against an independent PyTorch computation built from PyTorch's own
 * layers (scripts/fixtures/make_efficientad_fixture.py): teacher, student, autoencoder and a
 * PDN-M, the hard-feature loss, the penalty, both autoencoder losses, the augmentations, the
 * map quantiles and the combined map agree to 1e-4.
 */
class EfficientAdTorchFixtureTest {

    @Test
    void javaNetworksLossesAndMapsMatchPyTorch() throws Exception {
        JsonObject cfg;
        try (InputStreamReader r = new InputStreamReader(getClass().getResourceAsStream("/fixtures/efficientad_torch_fixture.json"),
                StandardCharsets.UTF_8)) {
            cfg = new Gson().fromJson(r, JsonObject.class);
        }
        Map<String, TensorFile.Tensor> t = TensorFile.read(getClass().getResourceAsStream("/fixtures/efficientad_torch_fixture.bin"));
        EfficientAdConfig c = new EfficientAdConfig();
        c.imageSize = cfg.get("imageSize").getAsInt();
        c.widthFactor = cfg.get("widthFactor").getAsFloat();
        c.teacherChannels = cfg.get("teacherChannels").getAsInt();
        try (NDManager m = Engines.newManager(); EfficientAdNetwork net = new EfficientAdNetwork(m, c)) {
            TensorFile.loadAll(net.params(), t);
            NDArray x = tensor(m, t, "fixture.image");
            close(t, "fixture.teacher", net.teacherFeatures(x), "teacher (standardised)");
            close(t, "fixture.student", net.studentFeatures(x), "student");
            close(t, "fixture.autoencoder", net.autoencoderFeatures(x, false), "autoencoder");

            Params mp = new Params(m);
            Pdn medium = new Pdn(mp, "medium", true, c.widthFactor, c.teacherChannels, new SplittableRandom(1));
            for (String name : mp.names()) {
                mp.set(name, t.get("fixture." + name).data);
            }
            close(t, "fixture.medium", medium.forward(x), "PDN-M");

            NDArray teacher = net.teacherFeatures(x);
            NDArray studentHalf = net.studentFeatures(x).get(":, 0:" + c.teacherChannels);
            close(t, "fixture.hardLoss999", EfficientAdNetwork.hardFeatureLoss(teacher, studentHalf, 0.999f).reshape(1), "hard-feature loss q 0.999");
            close(t, "fixture.hardLoss5", EfficientAdNetwork.hardFeatureLoss(teacher, studentHalf, 0.5f).reshape(1), "hard-feature loss q 0.5");

            close(t, "fixture.augBrightness", EfficientAdNetwork.augment(x, 0, 0.85f), "brightness");
            close(t, "fixture.augContrast", EfficientAdNetwork.augment(x, 1, 1.1f), "contrast");
            NDArray aug = EfficientAdNetwork.augment(x, 2, 1.15f);
            close(t, "fixture.augSaturation", aug, "saturation");

            NDList losses = net.losses(x, null, tensor(m, t, "fixture.penalty"), aug, false);
            close(t, "fixture.stLoss", losses.get(0).reshape(1), "student-teacher loss with penalty");
            close(t, "fixture.aeLoss", losses.get(1).reshape(1), "autoencoder loss");
            close(t, "fixture.staeLoss", losses.get(2).reshape(1), "student-autoencoder loss");

            NDList maps = net.maps(new NDList(x));
            close(t, "fixture.map", maps.get(0), "combined map");
            close(t, "fixture.stMap", maps.get(1), "student-teacher map");

            int g = Pdn.outputSize(c.imageSize);
            TrainingSet set = new TrainingSet(m, new NDList(x), m.ones(new Shape(x.getShape().get(0), g, g)), new int[] {0, 1});
            net.afterTraining(set, () -> set);
            close(t, "fixture.quantiles", net.params().get("map.quantiles"), "map quantiles 0.9 and 0.995");
        }
    }

    private static NDArray tensor(NDManager m, Map<String, TensorFile.Tensor> t, String name) {
        return m.create(t.get(name).data, new Shape(t.get(name).shape));
    }

    private static void close(Map<String, TensorFile.Tensor> t, String name, NDArray actual, String what) {
        float[] expected = t.get(name).data;
        assertArrayEquals(t.get(name).shape, actual.getShape().getShape(), what + ": shape");
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - a[i]);
            worst = Math.max(worst, err / Math.max(1, Math.abs(expected[i])));
            assertTrue(err <= 1e-4 * Math.max(1, Math.abs(expected[i])), what + " differs at " + i + ": " + expected[i] + " vs " + a[i]);
        }
        System.out.printf("EfficientAdTorchFixtureTest %-36s max rel error %.2e%n", what, worst);
    }
}
