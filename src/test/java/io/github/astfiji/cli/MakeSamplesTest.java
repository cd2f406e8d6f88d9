package io.github.astfiji.cli;

import ij.ImagePlus;
import io.github.astfiji.io.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark sets of issue 22 as make-samples writes them: the MVTec layout, the image kinds, the same set from the same seed. */
class MakeSamplesTest {

    @Test
    void fluorescenceSetIsThreeChannel16BitWithGroundTruth(@TempDir Path dir) throws Exception {
        for (String name : List.of("a", "b")) {
            CliTest.Run r = CliTest.cli("make-samples", "--scene", "fluorescence", "--out", dir.resolve(name).toString(), "--size", "64",
                    "--train", "2", "--test-good", "1", "--per-defect", "1", "--seed", "3");
            assertEquals(0, r.code(), r.out());
        }
        Path a = dir.resolve("a");
        for (String type : List.of("good", "blur", "debris", "scratch", "saturated", "missing")) {
            assertTrue(Files.isRegularFile(a.resolve("test/" + type + "/000.tif")), type);
            if (!type.equals("good")) {
                ImagePlus mask = ImageFiles.open(a.resolve("ground_truth/" + type + "/000_mask.png"));
                assertTrue(mask.getStatistics().max > 0, "the " + type + " defect has a ground-truth mask");
            }
        }
        ImagePlus im = ImageFiles.open(a.resolve("train/good/000.tif"));
        assertEquals(3, im.getNChannels());
        assertEquals(16, im.getBitDepth());
        assertArrayEquals(Files.readAllBytes(a.resolve("test/blur/000.tif")), Files.readAllBytes(dir.resolve("b/test/blur/000.tif")),
                "the same seed gives the same set");
    }

    @Test
    void microscopyDefectsOnATissueTexture(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tissue");
        CliTest.Run r = CliTest.cli("make-samples", "--source", "test-images/train/good/000.png", "--defects", "microscopy", "--out",
                out.toString(), "--size", "64", "--train", "2", "--test-good", "1", "--per-defect", "1");
        assertEquals(0, r.code(), r.out());
        for (String type : List.of("blur", "debris", "scratch")) {
            assertTrue(Files.isRegularFile(out.resolve("test/" + type + "/000.png")) && Files.isRegularFile(out.resolve("ground_truth/" + type + "/000_mask.png")),
                    type);
        }
        CliTest.Run bad = CliTest.cli("make-samples", "--source", "test-images/train/good/000.png", "--defects", "bubbles", "--out",
                dir.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("--defects takes texture or microscopy"), bad.out());
    }
}
