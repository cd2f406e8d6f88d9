package io.github.astfiji.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.astfiji.core.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state-dict reader against files written by Debian's PyTorch 1.13
 * (scripts/fixtures/make_pretrained_fixture.py --checkpoint): both torch.save formats, every
 * floating-point storage kind, views with strides and offsets, and a wrapped checkpoint.
 */
class TorchCheckpointTest {

    static final Path DIR = Path.of("src/test/resources/weights");

    @ParameterizedTest
    @ValueSource(strings = {"checkpoint-zip.pth", "checkpoint-legacy.pth", "checkpoint-wrapped.pth"})
    void readsWhatPyTorchWrote(String name) throws IOException {
        JsonObject expected = JsonParser.parseString(Files.readString(DIR.resolve("checkpoint.json"))).getAsJsonObject();
        JsonObject values = expected.getAsJsonObject("values");
        JsonObject shapes = expected.getAsJsonObject("shapes");
        try (NDManager m = Engines.newManager()) {
            Map<String, NDArray> t = TorchCheckpoint.read(DIR.resolve(name), m);
            assertEquals(values.keySet(), t.keySet(), "float tensors only (num_batches_tracked left out), all of them");
            assertFalse(t.containsKey("num_batches_tracked"));
            for (String k : values.keySet()) {
                float[] want = new float[values.getAsJsonArray(k).size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = values.getAsJsonArray(k).get(i).getAsFloat();
                }
                long[] shape = new long[shapes.getAsJsonArray(k).size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapes.getAsJsonArray(k).get(i).getAsLong();
                }
                assertArrayEquals(shape, t.get(k).getShape().getShape(), k);
                assertArrayEquals(want, t.get(k).toFloatArray(), 0f, k + " in " + name);
            }
        }
    }

    @Test
    void truncatedFileIsRefusedWithItsName(@TempDir Path tmp) throws IOException {
        for (String name : new String[] {"checkpoint-zip.pth", "checkpoint-legacy.pth"}) {
            byte[] all = Files.readAllBytes(DIR.resolve(name));
            Path cut = tmp.resolve("cut-" + name);
            Files.write(cut, java.util.Arrays.copyOf(all, all.length * 2 / 3));
            try (NDManager m = Engines.newManager()) {
                IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.read(cut, m));
                assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("downloaded completely"), e.getMessage());
            }
        }
    }

    @Test
    void otherFilesAreRefused(@TempDir Path tmp) throws IOException {
        Path text = tmp.resolve("notes.pth");
        Files.writeString(text, "not weights at all");
        try (NDManager m = Engines.newManager()) {
            IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.read(text, m));
            assertTrue(e.getMessage().contains("neither a zip archive nor a legacy"), e.getMessage());
        }
    }
}
