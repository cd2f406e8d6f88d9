package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.weights.LoopbackServer;
import io.github.astfiji.core.weights.WeightsFile;
import io.github.astfiji.core.weights.WeightsStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EfficientAD's teachers: the published ImageNet one comes through the weights folder
 * (served here from the loopback address by a stand-in zip with the published inner path,
 * a torch.save state dict): fetched once, checked, read into a PDN; offline, the message
 * says what to do. A teacher file written by make-pdn-teacher reads back; the built-in one
 * ships in the plugin.
 */
class PdnTeacherTest {

    @Test
    void publishedTeacherIsFetchedOnceAndReadIntoAPdn(@TempDir Path dir) throws Exception {
        byte[] zip = Files.readAllBytes(TestData.fixture("efficientad_published_tiny.zip"));
        List<String> log = new ArrayList<>();
        try (LoopbackServer server = new LoopbackServer("efficientad_pretrained_weights.zip", zip);
             NDManager m = Engines.newManager()) {
            WeightsFile f = new WeightsFile("efficientad_pretrained_weights.zip", server.url(), zip.length, Checksums.sha256(zip));
            WeightsStore store = new WeightsStore(dir.resolve("weights"), log::add);
            PdnTeacher t = PdnTeacher.published(f, "small", store, true, Progress.NONE);
            assertEquals(1 / 16f, t.info.widthFactor, 1e-6f, "width read from conv1's shape");
            assertEquals(32, t.info.channels, "output channels read from the last bias");
            assertEquals(8, t.weights.size(), "four convolutions, weight and bias each");
            Params p = new Params(m);
            Pdn pdn = new Pdn(p, "teacher", false, t.info.widthFactor, t.info.channels, new SplittableRandom(0));
            for (String name : p.names()) {
                p.set(name, t.weights.get(name));
            }
            assertArrayEquals(new long[] {1, 32, 24, 24}, pdn.forward(m.ones(new Shape(1, 3, 128, 128))).getShape().getShape());
            PdnTeacher again = PdnTeacher.published(f, "small", store, false, Progress.NONE);
            assertEquals(1, server.requests.get(), "the second use reads the cached file");
            assertArrayEquals(t.weights.get("teacher.conv2.weight"), again.weights.get("teacher.conv2.weight"));
            Exception e = assertThrows(Exception.class, () -> PdnTeacher.published(f, "medium", store, false, Progress.NONE));
            assertTrue(e.getMessage().contains("pretrained_teacher_medium.pth"), e.getMessage());

            WeightsStore empty = new WeightsStore(dir.resolve("offline"), log::add);
            e = assertThrows(Exception.class, () -> PdnTeacher.published(f, "small", empty, false, Progress.NONE));
            assertTrue(e.getMessage().contains("efficientad_pretrained_weights.zip") && e.getMessage().contains(server.url()), e.getMessage());
        }
    }

    @Test
    void teacherFileRoundTripsAndTheBuiltinOneShips(@TempDir Path dir) throws Exception {
        PdnTeacher builtin = PdnTeacher.load(PdnTeacher.BUILTIN, "small");
        assertEquals("small", builtin.info.modelSize);
        assertEquals(384, builtin.info.channels);
        assertTrue(builtin.info.provenance.contains("distilled from builtin:filter-pyramid"), builtin.info.provenance);
        try (NDManager m = Engines.newManager()) {
            Params p = new Params(m);
            new Pdn(p, "teacher", true, 0.125f, 16, new SplittableRandom(3));
            PdnTeacher.Info info = new PdnTeacher.Info();
            info.modelSize = "medium";
            info.widthFactor = 0.125f;
            info.channels = 16;
            Path f = dir.resolve("pdn.zip");
            PdnTeacher.write(f, info, p, false);
            assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> PdnTeacher.write(f, info, p, false),
                    "an existing teacher file is not overwritten silently");
            PdnTeacher back = PdnTeacher.load(f.toString(), "medium");
            assertEquals("medium", back.info.modelSize);
            assertArrayEquals(p.get("teacher.conv6.weight").toFloatArray(), back.weights.get("teacher.conv6.weight"));
        }
        Exception e = assertThrows(Exception.class, () -> PdnTeacher.load(dir.resolve("missing.zip").toString(), "small"));
        assertTrue(e.getMessage().contains("make-pdn-teacher"), e.getMessage());
    }
}
