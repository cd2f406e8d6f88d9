package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.testing.TorchFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each Java feature extractor equals torchvision's own model with the same seeded random
 * weights (to 1e-4 of the map's largest value), the weights saved by Debian's PyTorch
 * 1.13 with torch.save and read by the loader that reads the published files. The
 * fixture is made at test time by scripts/fixtures/make_pretrained_fixture.py (about 10 s;
 * its WideResNet file alone is 276 MB, too large to keep in the repository).
 */
class PretrainedParityTest {

    static final Path DIR = TorchFixtures.DIR;
    static JsonObject maps;

    @BeforeAll
    static void makeFixture() throws Exception {
        maps = JsonParser.parseString(Files.readString(TorchFixtures.parityDir().resolve("shapes.json")))
                .getAsJsonObject().getAsJsonObject("maps");
    }

    @ParameterizedTest
    @CsvSource({"resnet18, resnet18.pth", "resnet18, resnet18-legacy.pth", "resnet18-pooled, resnet18.pth",
                "wide-resnet50-2, wide_resnet50_2.pth", "efficientnet-b5, efficientnet_b5.pth"})
    void equalsTorchvision(String network, String weights) throws IOException {
        try (NDManager m = Engines.newManager()) {
            NDArray input = read(m, "input", maps.getAsJsonArray("input")).get(0);
            NDList expected = read(m, network, maps.getAsJsonArray(network));
            try (Backbone bb = BackboneSetup.create(network + "=" + DIR.resolve(weights), null, m, 96, 0)) {
                NDList actual = bb.extractScales(input);
                assertEquals(expected.size(), actual.size());
                assertEquals(PretrainedBackbones.ID_PREFIX + network, bb.id());
                for (int i = 0; i < expected.size(); i++) {
                    NDArray want = expected.get(i);
                    NDArray got = actual.get(i);
                    assertEquals(want.getShape(), got.getShape(), network + " map " + i);
                    float scale = want.abs().max().getFloat();
                    float err = got.sub(want).abs().max().getFloat();
                    assertTrue(scale > 1e-3f, "the fixture's map " + i + " is not degenerate: " + scale);
                    assertTrue(err <= 1e-4f * scale, network + " map " + i + ": max difference " + err + " of " + scale);
                    assertEquals(want.getShape().get(1), bb.scaleChannels()[i]);
                }
                NDArray deepest = bb.extract(input);
                float diff = deepest.sub(expected.get(expected.size() - 1)).abs().max().getFloat();
                assertTrue(diff <= 1e-4f * expected.get(expected.size() - 1).abs().max().getFloat(), "extract() gives the deepest map");
            }
        }
    }

    @Test
    void aFileForAnotherNetworkIsRefusedByName() {
        try (NDManager m = Engines.newManager()) {
            IOException e = assertThrows(IOException.class,
                    () -> BackboneSetup.create("efficientnet-b5=" + DIR.resolve("resnet18.pth"), null, m, 96, 0));
            assertTrue(e.getMessage().contains("resnet18.pth") && e.getMessage().contains("EfficientNet-B5"), e.getMessage());
            IOException e2 = assertThrows(IOException.class,
                    () -> BackboneSetup.create("resnet18=" + DIR.resolve("wide_resnet50_2.pth"), null, m, 96, 0));
            assertTrue(e2.getMessage().contains("ResNet-18"), e2.getMessage());
        }
    }

    @Test
    void anUnknownWeightsFileIsRefusedWithWhatToDo() {
        try (NDManager m = Engines.newManager()) {
            IOException e = assertThrows(IOException.class, () -> BackboneSetup.create(DIR.resolve("wide_resnet50_2.pth").toString(), null, m, 96, 0));
            assertTrue(e.getMessage().contains("not a file this plugin knows") && e.getMessage().contains("resnet18="), e.getMessage());
        }
    }

    static NDList read(NDManager m, String name, JsonArray shapes) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(name + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        NDList out = new NDList();
        for (int s = 0; s < shapes.size(); s++) {
            JsonArray dims = shapes.get(s).getAsJsonArray();
            long[] shape = new long[dims.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
                n *= shape[i];
            }
            float[] v = new float[(int) n];
            all.asFloatBuffer().get(v);
            all.position(all.position() + v.length * 4);
            out.add(m.create(v, new Shape(shape)));
        }
        assertArrayEquals(new int[] {0}, new int[] {all.remaining()}, name + ".bin has the size the shapes say");
        return out;
    }
}
