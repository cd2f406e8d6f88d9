package io.github.astfiji.cli;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import io.github.astfiji.core.image.FloatImage;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user drives it: exit codes, messages, files written or left alone. */
class CliTest {

    static final String[] FAST = {"--epochs", "2", "--image-size", "64"};
    private static List<Path> samples;

    @BeforeAll
    static void findSamples() throws IOException {
        samples = ImageFiles.list(Path.of("test-images/train/good"), false).subList(0, 6);
    }

    static int sampleCount() {
        return samples.size();
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
            int code = Cli.run(args);
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
            // the table's verdicts follow the model's threshold; the normalised score puts it at 0.5
            float threshold;
            try (ai.djl.ndarray.NDManager m = io.github.astfiji.core.engine.Engines.newManager();
                 io.github.astfiji.core.detector.Detector d = io.github.astfiji.core.model.ModelFile.read(model, m, null)) {
                threshold = d.stats().imageThreshold;
                String[] first = csv.get(1).split(",");
                float own = d.score(ImageFiles.toFloatImage(ImageFiles.open(images.resolve(first[0])), 1), null).primary().score;
                assertEquals(own, Float.parseFloat(first[2]), 1e-4f * Math.max(1, Math.abs(own)), "the table holds the model's score");
            }
            for (String line : csv.subList(1, csv.size())) {
                String[] v = line.split(",");
                float score = Float.parseFloat(v[2]);
                assertTrue(Float.isFinite(score) && score >= 0, line);
                assertEquals(score > threshold ? "anomalous" : "normal", v[4], line);
                assertEquals(score / (score + threshold), Float.parseFloat(v[3]), 1e-3f, line);
            }
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
        assertTrue(r.out().contains("broken.png") && r.out().contains("is not a PNG, TIFF"), r.out());
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

        // newer, foreign and wrong-backbone models through detect
        Path good = dir.resolve("good.ast");
        Path bb = dir.resolve("tiny_backbone.pt");
        Files.copy(Path.of("src/test/resources/fixtures/tiny_backbone.pt"), bb);
        assertEquals(0, cli(concat(new String[] {"train", "--images", images.toString(), "--model", good.toString(), "--backbone",
            bb.toString()}, FAST)).code());
        Path newer = dir.resolve("newer.ast");
        io.github.astfiji.core.model.ModelFileTest.rewrite(good, newer, "manifest.json", d -> new String(d, StandardCharsets.UTF_8)
                .replaceAll("\"formatVersion\": \\d+", "\"formatVersion\": 7").getBytes(StandardCharsets.UTF_8), null);
        r = cli("detect", "--model", newer.toString(), "--images", images.toString(), "--out", dir.resolve("o2").toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("newer AST for Fiji") && r.out().contains("Update the plugin"), r.out());
        Path foreign = dir.resolve("foreign.ast");
        io.github.astfiji.core.model.ModelFileTest.rewrite(good, foreign, "manifest.json", d -> "{\"format\":\"other\"}".getBytes(StandardCharsets.UTF_8), null);
        r = cli("detect", "--model", foreign.toString(), "--images", images.toString(), "--out", dir.resolve("o3").toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("not an AST model file"), r.out());
        r = cli("detect", "--model", good.toString(), "--images", images.toString(), "--out", dir.resolve("o4").toString(),
                "--backbone", "src/test/resources/fixtures/tiny_backbone_other.pt");
        assertEquals(1, r.code());
        assertTrue(r.out().contains("is not the one") && r.out().contains("original backbone"), r.out());
        assertFalse(Files.exists(dir.resolve("o4/scores.csv")), "nothing written for a refused model");
    }

    @Test
    void sixteenBitModelsScaleByPercentilesAndRefuseEightBitImages(@TempDir Path dir) throws Exception {
        Path images = folderOf(dir.resolve("g16"), "gray16");
        Path model = dir.resolve("g16.ast");
        assertEquals(0, cli(concat(new String[] {"train", "--images", images.toString(), "--model", model.toString()}, FAST)).code());
        try (ai.djl.ndarray.NDManager m = io.github.astfiji.core.engine.Engines.newManager();
             io.github.astfiji.core.detector.Detector d = io.github.astfiji.core.model.ModelFile.read(model, m, null)) {
            // the samples are 8-bit brick crops times 16: a 12-bit camera's range; the scaling comes from the training
            // images' 0.1 and 99.9 percentiles, so the brick's full contrast survives
            float low = d.preprocessing().low;
            float high = d.preprocessing().high;
            assertEquals(16, d.preprocessing().bitDepth);
            assertTrue(low >= 16 * 50 && low <= 16 * 100 && high >= 16 * 170 && high <= 16 * 230, "percentiles " + low + " .. " + high);
            assertTrue(high - low > 1500, "a 12-bit range keeps its contrast, not crushed into the 16-bit scale");
        }
        Path eight = folderOf(dir.resolve("g8"), "gray8");
        Run r = cli("detect", "--model", model.toString(), "--images", eight.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code(), "every image refused, each reported; nothing scored: " + r.out());
        assertTrue(r.out().contains("none of the images could be scored"), r.out());
        assertTrue(r.out().contains("trained on 16-bit images but this image is 8-bit"), r.out());
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
        for (String plot : List.of("AST_test-images_roc.png", "AST_test-images_pro.png", "RD_test-images_scores.png")) {
            assertNotBlank(dir.resolve(plot));
        }
        assertTrue(csv.get(0).startsWith("method,category,") && csv.get(0).contains("train_seconds,ms_per_image,peak_memory_mb"), csv.get(0));
        Run bad = cli(concat(new String[] {"evaluate", "--data", "test-images", "--methods", "ast,patchcore"}, FAST));
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("unknown method 'patchcore'") && bad.out().contains("ast, rd, us"), bad.out());
        Run wrongPreset = cli("train", "--method", "rd", "--preset", "paper-2d", "--images", "test-images/train/good",
                "--model", dir.resolve("x.ast").toString());
        assertEquals(1, wrongPreset.code());
        assertTrue(wrongPreset.out().contains("paper-2d") && wrongPreset.out().contains("cpu, paper"), wrongPreset.out());
    }

    @Test
    void sensitivityChangesVerdictsNotScoresAndPlotsAreDrawn(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.ast");
        Run train = cli(concat(new String[] {"train", "--images", "test-images/train/good", "--model", model.toString()}, FAST));
        assertEquals(0, train.code(), train.out());
        assertTrue(train.out().contains("held-out normal images") && train.out().contains("false alarms per 100 normal parts"), train.out());
        assertNotBlank(dir.resolve("m_scores.png"));
        Path a = dir.resolve("default");
        Path b = dir.resolve("sensitive");
        assertEquals(0, cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", a.toString()).code());
        Run more = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", b.toString(), "--false-alarms", "40");
        assertEquals(0, more.code(), more.out());
        assertTrue(more.out().contains("40.0 expected false alarms per 100 normal parts, as asked"), more.out());
        List<String> ra = Files.readAllLines(a.resolve("scores.csv"));
        List<String> rb = Files.readAllLines(b.resolve("scores.csv"));
        int flaggedA = 0;
        int flaggedB = 0;
        for (int i = 1; i < ra.size(); i++) {
            String[] x = ra.get(i).split(",");
            String[] y = rb.get(i).split(",");
            assertEquals(x[2], y[2], "the score does not depend on the sensitivity");
            assertEquals(x[5], y[5], "nor does how many normal parts would score higher");
            flaggedA += x[4].equals("anomalous") ? 1 : 0;
            flaggedB += y[4].equals("anomalous") ? 1 : 0;
        }
        assertTrue(flaggedB > flaggedA, "more false alarms allowed flag more images: " + flaggedA + " -> " + flaggedB);
        assertNotBlank(a.resolve("score_plot.png"));
        Run bad = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", dir.resolve("c").toString(),
                "--false-alarms", "0");
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("per 100 normal parts"), bad.out());
    }

    /** A PNG that exists and is not one flat colour. */
    static void assertNotBlank(Path png) throws IOException {
        ImagePlus imp = ImageFiles.open(png);
        assertTrue(imp.getWidth() >= 200 && imp.getHeight() >= 150, png + " is " + imp.getWidth() + "x" + imp.getHeight());
        assertTrue(imp.getStatistics().stdDev > 1, png + " is blank");
    }

    @Test
    void labelledValidationGivesAnF1Threshold(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("f1.ast");
        Run r = cli(concat(new String[] {"train", "--images", "test-images/train/good", "--model", model.toString(),
            "--validation", "test-images/test", "--threshold", "f1"}, FAST));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("the F1-optimal threshold") && r.out().contains("Verdicts use the F1 one") && r.out().contains("false alarms per 100 normal parts"), r.out());
        try (ai.djl.ndarray.NDManager m = io.github.astfiji.core.engine.Engines.newManager();
             io.github.astfiji.core.detector.Detector back = io.github.astfiji.core.model.ModelFile.read(model, m, null)) {
            io.github.astfiji.core.score.ScoreStats s = back.stats();
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
