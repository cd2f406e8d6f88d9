package io.github.astfiji.core.ast;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java engine against an independent PyTorch implementation
 * (scripts/fixtures/make_ast_fixture.py): same weights and input, outputs equal to 1e-4.
 */
class AstTorchFixtureTest {

    @Test
    void javaEngineMatchesPyTorch() throws Exception {
        JsonObject cfg;
        try (InputStreamReader r = new InputStreamReader(getClass().getResourceAsStream("/fixtures/ast_torch_fixture.json"), StandardCharsets.UTF_8)) {
            cfg = new Gson().fromJson(r, JsonObject.class);
        }
        Map<String, TensorFile.Tensor> t = TensorFile.read(getClass().getResourceAsStream("/fixtures/ast_torch_fixture.bin"));
        AstConfig c = new AstConfig();
        c.positionalChannels = cfg.get("positionalChannels").getAsInt();
        c.flowHidden = cfg.get("flowHidden").getAsInt();
        c.flowKernels = new Gson().fromJson(cfg.get("flowKernels"), int[].class);
        c.clampAlpha = cfg.get("clampAlpha").getAsFloat();
        c.studentHidden = cfg.get("studentHidden").getAsInt();
        c.studentBlocks = cfg.get("studentBlocks").getAsInt();
        c.seed = cfg.get("seed").getAsLong();
        int channels = cfg.get("channels").getAsInt();

        try (NDManager m = Engines.newManager(); AstNetwork net = new AstNetwork(m, c, channels)) {
            int loaded = 0;
            for (String name : net.params().names()) {
                TensorFile.Tensor v = t.get(name);
                assertTrue(v != null, "fixture lacks " + name);
                net.params().set(name, v.data);
                loaded++;
            }
            assertEquals(t.keySet().stream().filter(k -> !k.startsWith("fixture.")).count(), loaded,
                    "every PyTorch parameter has a Java counterpart");

            NDArray x = m.create(t.get("fixture.x").data, new Shape(t.get("fixture.x").shape));
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            assertClose(t.get("fixture.pe").data, net.condition(m, 1, h, w).toFloatArray(), "positional encoding");

            NDList zl = net.teacherForward(x);
            assertClose(t.get("fixture.z").data, zl.get(0).toFloatArray(), "teacher z");
            assertClose(t.get("fixture.logdet").data, zl.get(1).toFloatArray(), "log-determinant");
            NDList maps = net.maps(new NDList(x));
            assertClose(t.get("fixture.student").data, net.studentForward(x, false).toFloatArray(), "student output");
            assertClose(t.get("fixture.distance").data, maps.get(0).toFloatArray(), "AST distance map");
            assertClose(t.get("fixture.nll").data, maps.get(1).toFloatArray(), "teacher NLL map");
            assertEquals(n * h * w, maps.get(0).size());
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i])));
        }
        assertTrue(worst <= 1e-4, what + ": worst relative difference " + worst);
    }
}
