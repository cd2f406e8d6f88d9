package io.github.astfiji.core.us;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.astfiji.core.TensorFile;
import io.github.astfiji.core.engine.Engines;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uninformed Students in Java against an independent PyTorch computation
 * (scripts/fixtures/make_us_fixture.py), where dense descriptors are every pixel's padded patch run
 * through the ordinary strided network: the dilated dense form, the patch form, regression
 * error, predictive variance and the combined map agree to 1e-4. And, in Java alone, the
 * dense output equals the patch-wise output at sampled pixels for fresh random weights.
 */
class UsTorchFixtureTest {

    @Test
    void javaNetworksAndScoreMatchPyTorch() throws Exception {
        JsonObject cfg;
        try (InputStreamReader r = new InputStreamReader(getClass().getResourceAsStream("/fixtures/us_torch_fixture.json"), StandardCharsets.UTF_8)) {
            cfg = new Gson().fromJson(r, JsonObject.class);
        }
        Map<String, TensorFile.Tensor> t = TensorFile.read(getClass().getResourceAsStream("/fixtures/us_torch_fixture.bin"));
        UsConfig c = new UsConfig();
        c.imageSize = 64;
        c.patchSizes = new Gson().fromJson(cfg.get("patchSizes"), int[].class);
        c.widthFactor = cfg.get("widthFactor").getAsFloat();
        c.descriptorDim = cfg.get("descriptorDim").getAsInt();
        c.students = cfg.get("students").getAsInt();
        try (NDManager m = Engines.newManager(); UsNetwork net = new UsNetwork(m, c)) {
            TensorFile.loadAll(net.params(), t);
            NDArray image = tensor(m, t, "fixture.image");
            int h = (int) image.getShape().get(2);
            int w = (int) image.getShape().get(3);
            for (int p : c.patchSizes) {
                NDArray dense = net.teacher(p).dense(PatchNet.pad(image, p), h, w);
                assertClose(t.get("fixture.teacher" + p).data, dense.toFloatArray(), "teacher " + p + " dense descriptors");
                assertClose(t.get("fixture.student" + p + "Patches").data,
                        net.students(p).get(0).patches(tensor(m, t, "fixture.patches" + p)).toFloatArray(), "student " + p + " on patches");
                NDList ev = net.errorAndVariance(p, image);
                assertClose(t.get("fixture.error" + p).data, ev.get(0).toFloatArray(), "regression error " + p);
                assertClose(t.get("fixture.variance" + p).data, ev.get(1).toFloatArray(), "predictive variance " + p);
            }
            assertClose(t.get("fixture.map").data, net.maps(new NDList(image)).get(0).toFloatArray(), "anomaly map");
        }
    }

    @Test
    void denseOutputEqualsPatchOutputAtSampledPixels() {
        try (NDManager m = Engines.newManager()) {
            SplittableRandom rng = new SplittableRandom(5);
            for (int p : PatchNet.PATCH_SIZES) {
                io.github.astfiji.core.nn.Params params = new io.github.astfiji.core.nn.Params(m);
                PatchNet net = new PatchNet(params, "n", p, 0.125f, 16, true, rng);
                float[] px = new float[3 * 45 * 50];
                for (int i = 0; i < px.length; i++) {
                    px[i] = (float) rng.nextGaussian();
                }
                NDArray image = m.create(px, new Shape(1, 3, 45, 50));
                NDArray padded = PatchNet.pad(image, p);
                assertArrayEquals(new long[] {1, 3, 45 + p - 1, 50 + p - 1}, padded.getShape().getShape());
                NDArray dense = net.dense(padded, 45, 50);
                assertArrayEquals(new long[] {1, 16, 45, 50}, dense.getShape().getShape());
                for (int[] at : new int[][] {{0, 0}, {44, 49}, {17, 3}, {30, 41}, {1, 48}}) {
                    NDArray patch = padded.get(new NDIndex(":, :, {}:{}, {}:{}", at[0], at[0] + p, at[1], at[1] + p));
                    float[] expected = net.patches(patch).toFloatArray();
                    float[] actual = dense.get(new NDIndex(":, :, {}, {}", at[0], at[1])).toFloatArray();
                    assertClose(expected, actual, "p=" + p + " pixel " + at[0] + "," + at[1]);
                }
                params.close();
            }
        }
    }

    private static NDArray tensor(NDManager m, Map<String, TensorFile.Tensor> t, String name) {
        return m.create(t.get(name).data, new Shape(t.get(name).shape));
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            worst = Math.max(worst, err);
            assertTrue(err <= 1e-4 * Math.max(1, Math.abs(expected[i])), what + " differs at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
        System.out.printf("UsTorchFixtureTest %-40s max abs error %.2e%n", what, worst);
    }
}
