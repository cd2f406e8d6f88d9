package io.github.astfiji.core.rd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.astfiji.core.TensorFile;
import io.github.astfiji.core.engine.Engines;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reverse Distillation in Java against an independent PyTorch implementation
 * (scripts/fixtures/make_rd_fixture.py): same weights and encoder maps; bottleneck code, decoder
 * maps (inference and training mode), losses, the running-statistics update and the
 * smoothed anomaly map equal to 1e-4.
 */
class RdTorchFixtureTest {

    @Test
    void javaNetworksMatchPyTorch() throws Exception {
        JsonObject cfg;
        try (InputStreamReader r = new InputStreamReader(getClass().getResourceAsStream("/fixtures/rd_torch_fixture.json"), StandardCharsets.UTF_8)) {
            cfg = new Gson().fromJson(r, JsonObject.class);
        }
        Map<String, TensorFile.Tensor> t = TensorFile.read(getClass().getResourceAsStream("/fixtures/rd_torch_fixture.bin"));
        RdConfig c = new RdConfig();
        c.imageSize = cfg.get("imageSize").getAsInt();
        c.widthFactor = cfg.get("widthFactor").getAsInt();
        c.bottleneckBlocks = cfg.get("bottleneckBlocks").getAsInt();
        c.decoderBlocks = new Gson().fromJson(cfg.get("decoderBlocks"), int[].class);
        c.mapSigma = cfg.get("mapSigma").getAsFloat();
        int[] channels = new Gson().fromJson(cfg.get("channels"), int[].class);

        try (NDManager m = Engines.newManager(); RdNetwork net = new RdNetwork(m, c, channels)) {
            TensorFile.loadAll(net.params(), t);

            NDList enc = new NDList(tensor(m, t, "fixture.e1"), tensor(m, t, "fixture.e2"), tensor(m, t, "fixture.e3"));
            NDArray code = net.bottleneck(enc, false);
            assertClose(t.get("fixture.code").data, code.toFloatArray(), "bottleneck code");
            NDList dec = net.decode(code, false);
            for (int i = 0; i < 3; i++) {
                assertClose(t.get("fixture.d" + (i + 1)).data, dec.get(i).toFloatArray(), "decoder map " + (i + 1));
            }
            assertClose(t.get("fixture.loss").data, new float[] {RdNetwork.loss(enc, dec).getFloat()}, "loss");
            assertClose(t.get("fixture.map").data, net.maps(enc).get(0).toFloatArray(), "smoothed anomaly map");

            NDList train = net.decode(net.bottleneck(enc, true), true);
            for (int i = 0; i < 3; i++) {
                assertClose(t.get("fixture.d" + (i + 1) + "Train").data, train.get(i).toFloatArray(), "training-mode decoder map " + (i + 1));
            }
            assertClose(t.get("fixture.lossTrain").data, new float[] {RdNetwork.loss(enc, train).getFloat()}, "training-mode loss");
            assertClose(t.get("fixture.runningMeanAfterTraining").data,
                    net.params().get("decoder.layer1.0.bn1.running_mean").toFloatArray(), "running mean after one training pass");
        }
    }

    private static NDArray tensor(NDManager m, Map<String, TensorFile.Tensor> t, String name) {
        return m.create(t.get(name).data, new Shape(t.get(name).shape));
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * Math.max(1, Math.abs(expected[i]));
            double err = Math.abs(expected[i] - actual[i]);
            worst = Math.max(worst, err);
            assertTrue(err <= tol, what + " differs at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
        System.out.printf("RdTorchFixtureTest %-40s max abs error %.2e%n", what, worst);
    }
}
