package io.github.astfiji.cli;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.io.ImageFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user drives it: exit codes, messages, files written or left alone. */
class CliTest {

    static final String[] FAST = {"--epochs", "2", "--image-size", "64"};
    private static List<Path> samples;

    @BeforeAll
    static void findSamples() throws IOException {
        samples = ImageFiles.list(Path.of("test-images/train/good"), false).subList(0, 6);
    }

    /** Exit code plus everything printed. */
    record Run(int code, String out) {
    }

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(ps);
        System.setErr(ps);
        try {
            int code = AstCli.run(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Writes the sample images converted to the given kind: "gray8", "gray16" or "rgb". */
    static Path folderOf(Path dir, String kind) throws IOException {
        Files.createDirectories(dir);
        for (Path p : samples) {
            FloatImage im = ImageFiles.toFloatImage(ImageFiles.open(p), 1);
            ImagePlus out;
            ByteProcessor gray = (ByteProcessor) ImageFiles.toProcessor(im);
            switch (kind) {
                case "gray16": {
                    ShortProcessor sp = (ShortProcessor) gray.convertToShort(false);
                    sp.multiply(16); // a 12-bit camera's range inside 16-bit
                    out = new ImagePlus("x", sp);
                    break;
                }
                case "rgb": {
                    ColorProcessor cp = gray.convertToColorProcessor();
                    int[] px = (int[]) cp.getPixels();
                    for (int i = 0; i < px.length; i++) {
                        int v = px[i] & 0xff;
                        px[i] = (v << 16) | ((v * 3 / 4) << 8) | (v / 2); // brick-red tint
                    }
                    out = new ImagePlus("x", cp);
                    break;
                }
                default:
                    out = new ImagePlus("x", gray);
            }
            String name = p.getFileName().toString().replace(".png", kind.equals("gray16") ? ".tif" : ".png");
            if (kind.equals("gray16")) {
                ImageFiles.saveTiff(out, dir.resolve(name));
            } else {
                ImageFiles.savePng(out, dir.resolve(name));
            }
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ast", "rd"})
    void trainsAndDetectsOnGray8Gray16AndRgb(String method, @TempDir Path dir) throws IOException {
        for (String kind : new String[] {"gray8", "gray16", "rgb"}) {
            Path images = folderOf(dir.resolve(kind), kind);
            Path model = dir.resolve(kind + ".ast");
            Run train = cli(concat(new String[] {"train", "--method", method, "--images", images.toString(), "--model", model.toString()}, FAST));
            assertEquals(0, train.code(), kind + ": " + train.out());
            assertTrue(train.out().contains(method.equals("rd") ? "Trained Reverse Distillation" : "Trained AST"), train.out());
            assertTrue(Files.size(model) > 1000);
            Path out = dir.resolve(kind + "-out");
            Run detect = cli("detect", "--model", model.toString(), "--images", images.toString(), "--out", out.toString());
            assertEquals(0, detect.code(), kind + ": " + detect.out());
            assertTrue(detect.out().contains((method.equals("rd") ? "Reverse Distillation" : "AST") + " model"), detect.out());
            List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
            assertEquals(samples.size() + 1, csv.size(), "header plus one row per image");
            ImagePlus heat = ImageFiles.open(out.resolve("000_heatmap.tif"));
            assertEquals(32, heat.getBitDepth());
            assertEquals(128, heat.getWidth());
            assertTrue(Files.size(out.resolve("000_overlay.png")) > 0);
        }
        // an RGB model refuses a grayscale image, saying what to do
        Run wrong = cli("detect", "--model", dir.resolve("rgb.ast").toString(), "--images", dir.resolve("gray8").toString(),
                "--out", dir.resolve("wrong").toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.out().contains("trained on RGB") && wrong.out().contains("grayscale"), wrong.out());
    }

    @Test
    void emptyFolderAndNonImagesAreRefused(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = cli(concat(new String[] {"train", "--images", empty.toString(), "--model", dir.resolve("m.ast").toString()}, FAST));
        assertEquals(1, r.code());
        assertTrue(r.out().contains("no images found in " + empty), r.out());

        Path notes = Files.createDirectories(dir.resolve("notes"));
        Files.writeString(notes.resolve("readme.txt"), "not an image");
        r = cli(concat(new String[] {"train", "--images", notes.toString(), "--model", dir.resolve("m.ast").toString()}, FAST));
        assertEquals(1, r.code());
        assertTrue(r.out().contains("no images found in " + notes), r.out());

        Path fake = Files.createDirectories(dir.resolve("fake"));
        Files.write(fake.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5});
        r = cli(concat(new String[] {"train", "--images", fake.toString(), "--model", dir.resolve("m.ast").toString()}, FAST));
        assertEquals(1, r.code());
        assertTrue(r.out().contains("broken.png") && r.out().contains("could not be read"), r.out());
        assertTrue(!Files.exists(dir.resolve("m.ast")), "no model may be written after a failure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ast", "rd"})
    void existingOutputsAreNeverOverwrittenSilently(String method, @TempDir Path dir) throws IOException {
        Path images = folderOf(dir.resolve("imgs"), "gray8");
        Path model = dir.resolve("model.ast");
        Files.writeString(model, "my old model");
        Run r = cli(concat(new String[] {"train", "--method", method, "--images", images.toString(), "--model", model.toString()}, FAST));
        assertEquals(1, r.code());
        assertTrue(r.out().contains(model.toString()) && r.out().contains("--overwrite"), r.out());
        assertEquals("my old model", Files.readString(model));

        r = cli(concat(new String[] {"train", "--method", method, "--images", images.toString(), "--model", model.toString(), "--overwrite"}, FAST));
        assertEquals(0, r.code(), r.out());

        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("scores.csv"), "keep me");
        r = cli("detect", "--model", model.toString(), "--images", images.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("scores.csv") && r.out().contains("--overwrite"), r.out());
        assertEquals("keep me", Files.readString(out.resolve("scores.csv")));
    }

    @Test
    void missingBackboneAndBadModelFilesAreExplained(@TempDir Path dir) throws IOException {
        Path images = folderOf(dir.resolve("imgs"), "gray8");
        Path missing = dir.resolve("efficientnet_b5.pt");
        Run r = cli(concat(new String[] {"train", "--images", images.toString(), "--model", dir.resolve("m.ast").toString(),
            "--backbone", missing.toString()}, FAST));
        assertEquals(1, r.code());
        assertTrue(r.out().contains(missing.toString()) && r.out().contains("export_backbone.py"), r.out());

        Path corrupt = dir.resolve("corrupt.ast");
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        r = cli("detect", "--model", corrupt.toString(), "--images", images.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains(corrupt.toString()) && r.out().contains("not an AST model file"), r.out());

        r = cli("detect", "--model", dir.resolve("nothing.ast").toString(), "--images", images.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("nothing.ast") && r.out().contains("train"), r.out());
    }

    @Test
    void evaluateComparesMethodsInOneTable(@TempDir Path dir) throws IOException {
        Run r = cli(concat(new String[] {"evaluate", "--data", "test-images", "--methods", "ast,rd", "--out", dir.toString()}, FAST));
        assertEquals(0, r.code(), r.out());
        for (String block : List.of("| AST | test-images |", "| teacher-only | test-images |", "| RD | test-images |")) {
            assertTrue(r.out().contains(block), block + " in\n" + r.out());
        }
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals(4, csv.size(), "header plus AST, teacher-only and RD rows");
        assertTrue(csv.get(0).startsWith("method,category,") && csv.get(0).contains("train_seconds,ms_per_image,peak_memory_mb"), csv.get(0));
        Run bad = cli(concat(new String[] {"evaluate", "--data", "test-images", "--methods", "ast,patchcore"}, FAST));
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("unknown method 'patchcore'") && bad.out().contains("ast, rd"), bad.out());
        Run wrongPreset = cli("train", "--method", "rd", "--preset", "paper-2d", "--images", "test-images/train/good",
                "--model", dir.resolve("x.ast").toString());
        assertEquals(1, wrongPreset.code());
        assertTrue(wrongPreset.out().contains("paper-2d") && wrongPreset.out().contains("cpu, paper"), wrongPreset.out());
    }

    @Test
    void labelledValidationGivesAnF1Threshold(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("f1.ast");
        Run r = cli(concat(new String[] {"train", "--images", "test-images/train/good", "--model", model.toString(),
            "--validation", "test-images/test", "--threshold", "f1"}, FAST));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("F1-optimal image threshold") && r.out().contains("used for verdicts"), r.out());
        try (ai.djl.ndarray.NDManager m = io.github.astfiji.core.Engines.newManager();
             io.github.astfiji.core.detector.Detector back = io.github.astfiji.core.model.ModelFile.read(model, m, null)) {
            io.github.astfiji.core.ScoreStats s = back.stats();
            assertEquals("f1", s.thresholdRule);
            assertEquals(s.f1Threshold, s.imageThreshold, 0f);
            assertEquals(25, s.f1Images);
            assertTrue(s.f1 > 0 && s.f1 <= 1, "F1 " + s.f1);
        }
        // an F1 threshold without labelled images is refused, and no model is written
        Run bad = cli(concat(new String[] {"train", "--images", "test-images/train/good", "--model", dir.resolve("x.ast").toString(),
            "--threshold", "f1"}, FAST));
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("labelled validation"), bad.out());
        assertTrue(!Files.exists(dir.resolve("x.ast")));
        Run onlyGood = cli(concat(new String[] {"train", "--images", "test-images/train/good", "--model", dir.resolve("y.ast").toString(),
            "--validation", "test-images/test/good"}, FAST));
        assertEquals(1, onlyGood.code());
        assertTrue(onlyGood.out().contains("needs both normal images"), onlyGood.out());
    }
}
