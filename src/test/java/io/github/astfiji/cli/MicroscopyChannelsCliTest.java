package io.github.astfiji.cli;

import io.github.astfiji.core.backbone.FilterBankBackbone;
import io.github.astfiji.core.data.SyntheticFluorescence;
import io.github.astfiji.core.data.SyntheticFluorescence.Defect;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.score.ImageScoreRule;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.testing.Hyperstacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-channel 16-bit fluorescence files on the command line: each file is one image with
 * its channels together (not one image per channel), the channels keep their own intensity
 * ranges in the model, a file with another channel count is refused with the reason, and a
 * z-stack gets a row per plane.
 */
class MicroscopyChannelsCliTest {

    static final int SIZE = 96;

    /** A CYX (or CZYX) 16-bit ImageJ hyperstack TIFF, as a fluorescence microscope's software writes it. */
    static Path writeHyperstack(Path file, List<FloatImage> planes) throws Exception {
        ImageFiles.saveTiff(Hyperstacks.composite(file.getFileName().toString(), planes, planes.size(), 1), file);
        return file;
    }

    static FloatImage image(int channels, Defect defect, long seed) {
        return SyntheticFluorescence.make(SIZE, channels, defect, seed).image;
    }

    @Test
    void threeChannelFilesTrainAsOneImageEachAndMismatchesAreRefused(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        for (int i = 0; i < 12; i++) {
            writeHyperstack(train.resolve(String.format("cell_%02d.tif", i)), List.of(image(3, Defect.NONE, i)));
        }
        Path model = dir.resolve("cells.ast");
        CliTest.Run trained = CliTest.cli("train", "--images", train.toString(), "--model", model.toString(),
                "--epochs", "8", "--image-size", "96", "--calibration-folds", "0");
        assertEquals(0, trained.code(), trained.out());
        assertTrue(trained.out().contains("on 12 images"), "12 three-channel files are 12 images, not 36:\n" + trained.out());
        assertTrue(trained.out().contains("builtin:channel-sharpness backbone") && trained.out().contains("highest 5 % of the map"),
                "the summary says how a composite is described and scored:\n" + trained.out());
        try (var manager = Engines.newManager(); Detector d = ModelFile.read(model, manager, null)) {
            assertEquals(3, d.preprocessing().channels);
            assertEquals(16, d.preprocessing().bitDepth);
            assertNotNull(d.preprocessing().channelHigh, "each channel keeps its own range");
            // nuclei (channel 1) are brighter than the cytoplasm (channel 2): the ranges tell them apart
            assertTrue(d.preprocessing().channelHigh[0] > d.preprocessing().channelHigh[1] * 1.2,
                    java.util.Arrays.toString(d.preprocessing().channelHigh));
            // a composite's stains are described channel by channel and scored by the top 5 % of the map (issue 22)
            assertEquals(FilterBankBackbone.CHANNEL_SHARPNESS_ID, d.backbone().id());
            assertEquals(ImageScoreRule.TOP, d.config().imageScore);
        }
        // what the user names is kept
        Path chosen = dir.resolve("chosen.ast");
        CliTest.Run own = CliTest.cli("train", "--images", train.toString(), "--model", chosen.toString(), "--epochs", "2",
                "--image-size", "96", "--calibration-folds", "0", "--image-score", "max", "--backbone", FilterBankBackbone.SHARPNESS_ID);
        assertEquals(0, own.code(), own.out());
        try (var manager = Engines.newManager(); Detector d = ModelFile.read(chosen, manager, null)) {
            assertEquals(FilterBankBackbone.SHARPNESS_ID, d.backbone().id());
            assertEquals(ImageScoreRule.MAX, d.config().imageScore);
        }

        Path test = Files.createDirectories(dir.resolve("test"));
        for (int i = 0; i < 3; i++) {
            writeHyperstack(test.resolve("normal_" + i + ".tif"), List.of(image(3, Defect.NONE, 100 + i)));
            writeHyperstack(test.resolve("saturated_" + i + ".tif"), List.of(image(3, Defect.SATURATED, 200 + i)));
        }
        writeHyperstack(test.resolve("two_channels.tif"), List.of(image(2, Defect.NONE, 300)));
        writeHyperstack(test.resolve("zstack.tif"), List.of(image(3, Defect.NONE, 400), image(3, Defect.SATURATED, 401), image(3, Defect.NONE, 402)));
        Path out = dir.resolve("out");
        CliTest.Run detected = CliTest.cli("detect", "--model", model.toString(), "--images", test.toString(), "--out", out.toString());
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        String table = String.join("\n", csv);
        // 6 single-plane files, the refused one, and 3 planes of the z-stack
        assertEquals(1 + 6 + 1 + 3, csv.size(), table + "\n" + detected.out());
        String refused = csv.stream().filter(l -> l.startsWith("two_channels.tif,")).findFirst().orElseThrow();
        assertTrue(refused.contains("3 channels") && refused.contains("has 2"), refused);
        // the planes in their order: the saturated one in the middle stands out
        double z2 = score(csv.stream().filter(l -> l.startsWith("zstack.tif [z=2],")).findFirst().orElseThrow());
        assertTrue(z2 > minScore(csv, "zstack.tif [z=1]") && z2 > minScore(csv, "zstack.tif [z=3]"), table);
        assertTrue(Files.exists(out.resolve("zstack_z2_heatmap.tif")) && Files.exists(out.resolve("zstack_z2_overlay.png")),
                "one map and overlay per plane");
        double normal = maxScore(csv, "normal_");
        double saturated = minScore(csv, "saturated_");
        assertTrue(saturated > normal, "every saturated-channel image scores above every normal one: " + saturated + " vs " + normal + "\n" + table);
    }

    static double score(String row) {
        return Double.parseDouble(row.split(",")[2]);
    }

    static double maxScore(List<String> csv, String prefix) {
        return csv.stream().filter(l -> l.startsWith(prefix)).mapToDouble(MicroscopyChannelsCliTest::score).max().orElseThrow();
    }

    static double minScore(List<String> csv, String prefix) {
        return csv.stream().filter(l -> l.startsWith(prefix)).mapToDouble(MicroscopyChannelsCliTest::score).min().orElseThrow();
    }

    /**
     * A masks folder limits training and scoring: a defect outside the mask leaves the score
     * as it was and the map empty there; one inside is found.
     */
    @Test
    void aMaskExcludesADefectOutsideItAndKeepsOneInside(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        Path masks = Files.createDirectories(dir.resolve("masks"));
        ij.process.ByteProcessor left = new ij.process.ByteProcessor(SIZE, SIZE);
        left.setColor(255);
        left.setRoi(0, 0, SIZE / 2, SIZE);
        left.fill();
        for (int i = 0; i < 10; i++) {
            String name = String.format("cell_%02d", i);
            writeHyperstack(train.resolve(name + ".tif"), List.of(image(2, Defect.NONE, 40 + i)));
            ImageFiles.savePng(new ij.ImagePlus(name, left), masks.resolve(name + ".png"));
        }
        Path model = dir.resolve("masked.ast");
        CliTest.Run trained = CliTest.cli("train", "--images", train.toString(), "--masks", masks.toString(), "--model", model.toString(),
                "--epochs", "8", "--image-size", "96", "--calibration-folds", "0");
        assertEquals(0, trained.code(), trained.out());

        FloatImage base = image(2, Defect.NONE, 700);
        Path test = Files.createDirectories(dir.resolve("test"));
        writeHyperstack(test.resolve("plain.tif"), List.of(base));
        writeHyperstack(test.resolve("outside.tif"), List.of(Hyperstacks.withSquare(base, 78, 40, 14)));
        writeHyperstack(test.resolve("inside.tif"), List.of(Hyperstacks.withSquare(base, 12, 40, 14)));
        Path testMasks = Files.createDirectories(dir.resolve("test masks"));
        for (String name : List.of("plain", "outside", "inside")) {
            ImageFiles.savePng(new ij.ImagePlus(name, left), testMasks.resolve(name + "_mask.png"));
        }
        Path out = dir.resolve("out");
        CliTest.Run detected = CliTest.cli("detect", "--model", model.toString(), "--images", test.toString(), "--masks", testMasks.toString(),
                "--out", out.toString());
        assertEquals(0, detected.code(), detected.out());
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        double plain = maxScore(csv, "plain.tif");
        double outside = maxScore(csv, "outside.tif");
        double inside = maxScore(csv, "inside.tif");
        assertTrue(inside > 2 * plain, "the defect inside the mask is found: " + String.join("\n", csv));
        assertEquals(plain, outside, 0.02 * (inside - plain), "the defect outside the mask leaves the score as it was:\n" + String.join("\n", csv));
        ij.ImagePlus map = ImageFiles.open(out.resolve("outside_heatmap.tif"));
        for (int y = 0; y < SIZE; y += 7) {
            assertEquals(0f, map.getProcessor().getf(SIZE - 3, y), "the map is empty outside the mask");
        }

        // an image without its mask is reported, and the others still scored
        writeHyperstack(test.resolve("unmasked.tif"), List.of(base));
        Path out2 = dir.resolve("out2");
        CliTest.Run partly = CliTest.cli("detect", "--model", model.toString(), "--images", test.toString(), "--masks", testMasks.toString(),
                "--out", out2.toString());
        assertEquals(DetectCommand.FINISHED_WITH_ERRORS, partly.code(), partly.out());
        String row = Files.readAllLines(out2.resolve("scores.csv")).stream().filter(l -> l.startsWith("unmasked.tif,")).findFirst().orElseThrow();
        assertTrue(row.contains("no mask for unmasked.tif"), row);
    }
}
