package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.InputMode;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.SampleDataset;
import io.github.astfiji.io.SyntheticDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.astfiji.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RGB-D end to end on the small synthetic data set (MVTec 3D-AD layout): evaluate over
 * several categories with depth, the models it saves, and detection that pairs depth files.
 */
class RgbdEvaluationTest {

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void makeData() throws Exception {
        data = dir.resolve("synthetic");
        SyntheticDataset.write(data, SyntheticDataset.Size.SMALL, 1, Progress.NONE);
    }

    @Test
    void layoutIsReadAsMvtec3d() throws Exception {
        SampleDataset ds = SampleDataset.open(data.resolve("board"));
        assertTrue(ds.hasDepth);
        assertEquals(SyntheticDataset.Size.SMALL.train, ds.train.size());
        int defects = 8 * SyntheticDataset.Size.SMALL.perDefect;
        assertEquals(SyntheticDataset.Size.SMALL.testGood + defects, ds.test.size());
        assertTrue(ds.notes.isEmpty(), ds.notes.toString());
        assertEquals(64, ds.test.get(0).depth().width());
        for (int i = 0; i < ds.test.size(); i++) {
            assertEquals(ds.testIsDefect[i], ds.testMasks.get(i) != null, "gt mask for every defect image only");
        }
    }

    @Test
    void evaluateTrainsPerCategoryAndWritesThePaperTable() throws Exception {
        Path out = dir.resolve("results");
        Path models = dir.resolve("models");
        CliTest.Run r = cli("evaluate", "--data", data.toString(), "--input", "rgb+depth", "--image-size", "64",
                "--calibration-folds", "0", "--out", out.toString(), "--models", models.toString(), "--save-models");
        assertEquals(0, r.code(), r.out());
        String md = Files.readString(out.resolve("results.md"));
        System.out.println("RgbdEvaluationTest, small synthetic set, rgb+depth:\n" + md);
        assertTrue(md.contains("| AST | board |") && md.contains("| AST | weave |") && md.contains("| AST | **mean**"), md);
        assertTrue(md.contains("| teacher-only | board |") && md.contains("AUPRO") && md.contains("image AUROC (max)"), md);
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(5, csv.size(), "header and two categories for AST and its teacher-only baseline");
        String[] head = csv.get(0).split(",");
        double sum = 0;
        for (String line : csv.subList(1, 5)) {
            String[] v = line.split(",");
            for (String col : List.of("image_auroc_max", "pixel_auroc", "aupro", "f1_max")) {
                double x = Double.parseDouble(v[List.of(head).indexOf(col)]);
                assertTrue(x >= 0 && x <= 1, col + " = " + x);
            }
            assertTrue(Double.parseDouble(v[List.of(head).indexOf("train_seconds")]) > 0, line);
            assertTrue(Double.parseDouble(v[List.of(head).indexOf("ms_per_image")]) > 0, line);
            if (!v[0].equals("AST")) {
                continue;
            }
            // few, small images: well above chance is what this size can show (BENCHMARKS.md has the large set)
            double auroc = Double.parseDouble(v[List.of(head).indexOf("image_auroc_max")]);
            assertTrue(auroc >= 0.6, v[1] + ": image AUROC (max) " + auroc + "\n" + md);
            sum += auroc;
        }
        assertTrue(sum / 2 >= 0.7, "mean image AUROC (max) " + sum / 2 + "\n" + md);
        List<String> byType = Files.readAllLines(out.resolve("results_by_type.csv"));
        assertEquals(1 + 2 * (8 + 7), byType.size(), "one row per map, category and defect type: " + byType);
        assertTrue(byType.stream().anyMatch(l -> l.startsWith("AST,board,misplaced,")), byType.toString());

        // the saved model remembers its input mode and refuses to score without depth
        try (NDManager m = Engines.newManager(); Detector model = ModelFile.read(models.resolve("board.ast"), m, null)) {
            assertEquals(InputMode.RGB_DEPTH, model.config().input);
            Path img = data.resolve("board/test/good/rgb/000.png");
            Exception e = assertThrows(IllegalArgumentException.class,
                    () -> model.score(ImageFiles.toFloatImage(ImageFiles.open(img), 1), null));
            assertTrue(e.getMessage().contains("depth"), e.getMessage());
            // the depth foreground masks the score: background cells are left out, and zero in the upsampled map
            Path xyz = data.resolve("board/test/good/xyz/000.tiff");
            io.github.astfiji.core.score.AnomalyMap sr = model.score(ImageFiles.toFloatImage(ImageFiles.open(img), 1), DepthFiles.read(xyz), null)
                    .primary();
            io.github.astfiji.core.image.FloatImage im = ImageFiles.toFloatImage(ImageFiles.open(img), 1);
            float[] depthMask = model.input(im, DepthFiles.read(xyz), null).mask;
            assertTrue(depthMask != null, "an object on a table has a depth foreground");
            assertTrue(java.util.Arrays.equals(model.gridMask(depthMask, 64, 64), sr.foreground), "the score uses that foreground");
            float maxFg = 0;
            for (int k = 0; k < sr.grid.length; k++) {
                if (sr.foreground[k]) {
                    maxFg = Math.max(maxFg, sr.grid[k]);
                }
            }
            assertEquals(maxFg, sr.score, 0f, "image score = max over the foreground");
            Exception wrongSize = assertThrows(IllegalArgumentException.class, () -> model.score(
                    ImageFiles.toFloatImage(ImageFiles.open(img), 1), new io.github.astfiji.core.image.DepthMap(3, 3, new float[9]), null));
            assertTrue(wrongSize.getMessage().contains("3x3"), wrongSize.getMessage());
        }

        // detect pairs rgb/ with xyz/ by itself and scores only the images
        Path det = dir.resolve("detect");
        CliTest.Run d = cli("detect", "--model", models.resolve("board.ast").toString(), "--images", data.resolve("board/test").toString(),
                "--out", det.toString());
        assertEquals(0, d.code(), d.out());
        int images = SampleDataset.open(data.resolve("board")).test.size();
        assertEquals(images + 1, Files.readAllLines(det.resolve("scores.csv")).size(), d.out());
        assertTrue(d.out().contains("Image AUROC (good vs defect sub-folders)"), d.out());

        // an rgb+depth model with images but no depth: refused before anything is written
        Path flat = dir.resolve("flat");
        Files.createDirectories(flat);
        Files.copy(data.resolve("board/test/good/rgb/000.png"), flat.resolve("a.png"));
        CliTest.Run noDepth = cli("detect", "--model", models.resolve("board.ast").toString(), "--images", flat.toString(),
                "--out", dir.resolve("nodepth").toString());
        assertEquals(1, noDepth.code());
        assertTrue(noDepth.out().contains("a.png") && noDepth.out().contains("--depth"), noDepth.out());
        assertTrue(!Files.exists(dir.resolve("nodepth/scores.csv")));
    }

    /**
     * Depth matters: dents and bumps change only the depth (the generator proves the image
     * bit-identical), so a model that reads depth must find them and one that reads the
     * image alone must not. Image AUROC of those two types, averaged over both categories.
     */
    @Test
    void depthOnlyDefectsAreFoundWithDepthAndMissedWithout() throws Exception {
        // a woven texture on a table, with more test scenes than the small set for a steadier AUROC
        Path objects = dir.resolve("objects");
        SyntheticDataset.write(objects, new SyntheticDataset.Size(128, 20, 10, 5, List.of(io.github.astfiji.core.data.SyntheticRgbd.Category.WEAVE)),
                3, Progress.NONE);
        double[] auroc = new double[2];
        String[] inputs = {"rgb", "depth"};
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve("depth-matters-" + inputs[k]);
            CliTest.Run r = cli("evaluate", "--data", objects.toString(), "--input", inputs[k], "--image-size", "128", "--epochs", "30",
                    "--out", out.toString());
            assertEquals(0, r.code(), r.out());
            double sum = 0;
            int n = 0;
            for (String line : Files.readAllLines(out.resolve("results_by_type.csv"))) {
                String[] v = line.split(",");
                if (v[0].equals("AST") && (v[2].equals("dent") || v[2].equals("bump"))) {
                    sum += Double.parseDouble(v[3]);
                    n++;
                }
            }
            assertEquals(2, n, "dent and bump");
            auroc[k] = sum / n;
        }
        System.out.printf("RgbdEvaluationTest: dents and bumps, image AUROC with rgb input %.3f, with depth %.3f%n", auroc[0], auroc[1]);
        assertTrue(auroc[1] >= 0.8, "a depth model finds depth-only defects: " + auroc[1]);
        assertTrue(auroc[0] <= 0.75 && auroc[1] >= auroc[0] + 0.2, "an image-only model cannot see them: " + auroc[0]);
    }

    @Test
    void trainTakesAnMvtec3dTrainingFolderAsItIs() throws Exception {
        // train/good holds rgb/ and xyz/ only: they are paired without --depth
        Path model = dir.resolve("weave-depth.ast");
        CliTest.Run r = cli(CliTest.concat(new String[] {"train", "--images", data.resolve("weave/train/good").toString(),
            "--model", model.toString(), "--input", "rgb+depth"}, CliTest.FAST));
        assertEquals(0, r.code(), r.out());
        try (NDManager m = Engines.newManager(); Detector back = ModelFile.read(model, m, null)) {
            assertEquals(InputMode.RGB_DEPTH, back.config().input);
        }
    }

    @Test
    void categoryWithoutDefectsSaysWhatItCannotEvaluate() throws Exception {
        Path cat = dir.resolve("nodefects/plain");
        Files.createDirectories(cat.resolve("train/good"));
        Files.createDirectories(cat.resolve("test/good"));
        List<Path> imgs = ImageFiles.list(Path.of("test-images/train/good"), false);
        for (int i = 0; i < 6; i++) {
            Files.copy(imgs.get(i), cat.resolve("train/good/" + imgs.get(i).getFileName()));
        }
        Files.copy(imgs.get(7), cat.resolve("test/good/a.png"));
        Files.copy(imgs.get(8), cat.resolve("test/good/b.png"));
        CliTest.Run r = cli(CliTest.concat(new String[] {"evaluate", "--data", dir.resolve("nodefects").toString()}, CliTest.FAST));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("no defect images") && r.out().contains("n/a"), r.out());

        CliTest.Run depth = cli(CliTest.concat(new String[] {"evaluate", "--data", cat.toString(), "--input", "depth"}, CliTest.FAST));
        assertEquals(1, depth.code());
        assertTrue(depth.out().contains("no depth images") && depth.out().contains("--input rgb"), depth.out());
        assertTrue(DepthFiles.match(cat.resolve("train/good/a.png"), cat) == null);
    }
}
