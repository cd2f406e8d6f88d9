package io.github.astfiji.core.model;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.backbone.TorchScriptBackbone;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.storage.ModelFormatException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ModelFileTest {

    private static NDManager root;
    private static Detector model;
    private static FloatImage probe;

    @BeforeAll
    static void train() throws IOException {
        root = Engines.newManager();
        model = TestData.trainFast(root);
        probe = TestData.trainImages(1).get(0).load();
    }

    @AfterAll
    static void close() {
        model.close();
        root.close();
    }

    @Test
    void savedAndLoadedModelGivesIdenticalScores(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.ast");
        ModelFile.write(model, f, false);
        try (Detector back = ModelFile.read(f, root, null)) {
            assertNotNull(model.positionNormalisation(), "a new model standardises its maps per position");
            assertArrayEquals(model.positionNormalisation().cellStd[0], back.positionNormalisation().cellStd[0], 0f);
            for (int k = 0; k < model.method().mapNames().size(); k++) {
                String map = model.method().mapNames().get(k);
                AnomalyMap a = model.score(probe, null).get(k);
                AnomalyMap b = back.score(probe, null).get(k);
                assertArrayEquals(a.grid, b.grid, 0f, map + " map");
                assertEquals(a.score, b.score, 0f);
                assertEquals(model.stats(map).pixelP999, back.stats(map).pixelP999, 0f);
            }
            assertEquals(model.preprocessing().channels, back.preprocessing().channels);
            assertEquals(model.backbone().checksum(), back.backbone().checksum());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left beside the model");
        }
    }

    /**
     * The format says what a reader must know: 2 for per-position statistics (random CNN
     * here), 3 for the sharpness filter bank, which a format-2 reader would name as an
     * unknown backbone instead of asking for an update, 4 for the per-channel sharpness
     * backbone. All round-trip.
     */
    @Test
    void formatVersionIsTheOldestThatReadsTheModel(@TempDir Path dir) throws IOException {
        Path f2 = dir.resolve("positions.ast");
        ModelFile.write(model, f2, false);
        assertEquals(2, manifestVersion(f2));
        assertVersionAndRoundTrip(io.github.astfiji.core.backbone.FilterBankBackbone.withSharpness(root), 3, dir.resolve("sharpness.ast"));
        assertVersionAndRoundTrip(io.github.astfiji.core.backbone.FilterBankBackbone.channelSharpness(root), 4, dir.resolve("channels.ast"));
    }

    /** Trains on the backbone, writes the model: the format it says, the same backbone and scores back. */
    private void assertVersionAndRoundTrip(io.github.astfiji.core.backbone.Backbone backbone, int version, Path file) throws IOException {
        String id = backbone.id();
        try (Detector trained = TestData.trainFast(root, backbone)) {
            ModelFile.write(trained, file, false);
            assertEquals(version, manifestVersion(file), id);
            try (Detector back = ModelFile.read(file, root, null)) {
                assertEquals(id, back.backbone().id());
                assertEquals(trained.score(probe, null).get(0).score, back.score(probe, null).get(0).score, 0f);
            }
        }
    }

    /** A model file's manifest, as written (for tests that check what it records). */
    public static com.google.gson.JsonObject manifest(Path model) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(model.toFile())) {
            String json = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8);
            return com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        }
    }

    private static int manifestVersion(Path model) throws IOException {
        return manifest(model).get("formatVersion").getAsInt();
    }

    /**
     * A model written by version 0.1.0 before the method family existed (format 1, AST,
     * scripts' fixture legacy_v1_ast.ast) still loads and gives the scores it gave then.
     */
    @Test
    void modelOfTheFirstReleaseStillLoadsAndScoresTheSame() throws IOException {
        com.google.gson.JsonObject expected = new com.google.gson.Gson().fromJson(
                Files.readString(TestData.fixture("legacy_v1_ast_scores.json")), com.google.gson.JsonObject.class);
        try (Detector old = ModelFile.read(TestData.fixture("legacy_v1_ast.ast"), root, null)) {
            assertEquals("ast", old.method().id());
            assertEquals(2, old.method().mapNames().size());
            for (String name : expected.keySet()) {
                FloatImage im = io.github.astfiji.io.ImageFiles.toFloatImage(
                        io.github.astfiji.io.ImageFiles.open(TestData.SAMPLES.resolve(name)), 1);
                var scores = old.score(im, null);
                var pair = expected.getAsJsonArray(name);
                assertEquals(pair.get(0).getAsFloat(), scores.primary().score, 1e-5f * Math.abs(pair.get(0).getAsFloat()), name + " AST");
                assertEquals(pair.get(1).getAsFloat(), scores.baseline().score, 1e-5f * Math.abs(pair.get(1).getAsFloat()),
                        name + " teacher-only");
            }
        }
    }

    @Test
    void unknownMethodIsRefusedByName(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.ast");
        ModelFile.write(model, good, false);
        Path future = dir.resolve("future.ast");
        rewrite(good, future, "manifest.json", data -> new String(data, StandardCharsets.UTF_8)
                .replace("\"method\": \"ast\"", "\"method\": \"patchcore\"").getBytes(StandardCharsets.UTF_8), null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(future, root, null));
        assertTrue(e.getMessage().contains("'patchcore'") && e.getMessage().contains("ast, rd, us") && e.getMessage().contains("Update"),
                e.getMessage());
    }

    @Test
    void modelWithNonFiniteOrAbsurdNormalScoresIsRefusedAtWriting(@TempDir Path dir) throws IOException {
        io.github.astfiji.core.score.ScoreStats good = model.stats();
        io.github.astfiji.core.score.ScoreStats broken = io.github.astfiji.core.score.ScoreStats.of(new float[] {1f, Float.NaN, 2f},
                new float[] {0.1f, 0.2f}, 0.01f, "held-out");
        Path f = dir.resolve("broken.ast");
        try {
            model.setStats(model.method().mapNames().get(0), broken);
            Exception e = assertThrows(io.github.astfiji.core.train.TrainingFailedException.class, () -> ModelFile.write(model, f, false));
            assertTrue(e.getMessage().contains("not finite"), e.getMessage());
            assertFalse(Files.exists(f), "nothing written");
            // finite, but held-out normal images score a million times the training images
            io.github.astfiji.core.score.ScoreStats absurd = io.github.astfiji.core.score.ScoreStats.of(new float[] {6e24f, 5e24f, 7e24f},
                    new float[] {0.1f, 0.2f}, 0.01f, "held-out");
            absurd.trainingMedian = 3f;
            model.setStats(model.method().mapNames().get(0), absurd);
            e = assertThrows(io.github.astfiji.core.train.TrainingFailedException.class, () -> ModelFile.write(model, f, false));
            assertTrue(e.getMessage().contains("times what the same model gives its training images"), e.getMessage());
            assertFalse(Files.exists(f), "nothing written");
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                assertEquals(0, left.count(), "no partial file left behind");
            }
        } finally {
            model.setStats(model.method().mapNames().get(0), good);
        }
        ModelFile.write(model, f, false);
        assertTrue(Files.exists(f), "the sane model is written");
    }

    @Test
    void existingFileIsNotOverwrittenUnlessAsked(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("precious.ast");
        Files.writeString(f, "user data");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> ModelFile.write(model, f, false));
        assertTrue(e.getReason().contains("--overwrite"));
        assertEquals("user data", Files.readString(f));
        ModelFile.write(model, f, true);
        ModelFile.read(f, root, null).close();
    }

    @Test
    void truncatedFileIsExplained(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.ast");
        ModelFile.write(model, f, false);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(f, root, null));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void corruptedParametersAreDetected(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.ast");
        ModelFile.write(model, good, false);
        Path bad = dir.resolve("bad.ast");
        rewrite(good, bad, "params.bin", data -> {
            data[data.length / 2] ^= 0x40;
            return data;
        }, null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(bad, root, null));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("params.bin"), e.getMessage());
    }

    @Test
    void foreignZipAndNewerVersionAreRefused(@TempDir Path dir) throws IOException {
        Path foreign = dir.resolve("foreign.ast");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(foreign))) {
            z.putNextEntry(new ZipEntry("manifest.json"));
            z.write("{\"format\":\"something-else\",\"formatVersion\":1}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(foreign, root, null));
        assertTrue(e.getMessage().contains("not an AST model"), e.getMessage());

        Path plain = dir.resolve("notes.ast");
        Files.writeString(plain, "just text");
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(plain, root, null));
        assertTrue(e.getMessage().contains("not a zip"), e.getMessage());

        Path good = dir.resolve("good.ast");
        ModelFile.write(model, good, false);
        Path newer = dir.resolve("newer.ast");
        rewrite(good, newer, "manifest.json", data -> new String(data, StandardCharsets.UTF_8)
                .replaceAll("\"formatVersion\": \\d+", "\"formatVersion\": 99").getBytes(StandardCharsets.UTF_8), null);
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(newer, root, null));
        assertTrue(e.getMessage().contains("newer") && e.getMessage().contains("Update"), e.getMessage());

        Path damaged = dir.resolve("damaged-positions.ast");
        rewrite(good, damaged, "positions.json", data -> "{\"gridWidth\": 3, \"gridHeight\": 3, \"cellMean\": [[1, 2]]}"
                .getBytes(StandardCharsets.UTF_8), null);
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(damaged, root, null));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("position statistics"), e.getMessage());

        Path incomplete = dir.resolve("incomplete.ast");
        rewrite(good, incomplete, null, null, "stats.json");
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(incomplete, root, null));
        assertTrue(e.getMessage().contains("stats.json"), e.getMessage());
    }

    @Test
    void torchScriptBackboneIsVerifiedByChecksum(@TempDir Path dir) throws IOException {
        Path bbFile = dir.resolve("tiny_backbone.pt");
        Files.copy(TestData.fixture("tiny_backbone.pt"), bbFile);
        Path f = dir.resolve("ts.ast");
        try (Detector m = TestData.trainFast(root, new TorchScriptBackbone(root, bbFile, 64))) {
            assertEquals(16, m.backbone().channels());
            assertEquals(8, m.backbone().stride());
            ModelFile.write(m, f, false);
            try (Detector back = ModelFile.read(f, root, null)) {
                assertArrayEquals(m.score(probe, null).primary().grid, back.score(probe, null).primary().grid, 0f);
            }
        }
        Path other = TestData.fixture("tiny_backbone_other.pt");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(f, root, other));
        assertTrue(e.getMessage().contains("not the one") && e.getMessage().contains(other.toString()), e.getMessage());

        Files.delete(bbFile);
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(f, root, null));
        assertTrue(e.getMessage().contains("tiny_backbone.pt") && e.getMessage().contains("give it as the backbone"), e.getMessage());
    }

    public interface Edit {
        byte[] apply(byte[] data);
    }

    /** Copies a model zip, editing one entry and/or dropping one. */
    public static void rewrite(Path from, Path to, String edit, Edit how, String drop) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from));
             OutputStream raw = Files.newOutputStream(to);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals(drop)) {
                    continue;
                }
                if (e.getName().equals(edit)) {
                    data = how.apply(data);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
    }
}
