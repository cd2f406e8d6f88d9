package io.github.astfiji.cli;

import io.github.astfiji.core.efficientad.PdnTeacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EfficientAD from the command line as a user runs it: make-pdn-teacher writes a teacher
 * (not over an existing file), train uses it and the model carries it, detect and
 * evaluate run the model; the help lists the method and its presets.
 */
class EfficientAdCliTest {

    @Test
    void teacherTrainDetectAndEvaluate(@TempDir Path dir) throws Exception {
        var help = CliTest.cli("train", "--help");
        assertTrue(help.out().contains("efficientad: EfficientAD") && help.out().contains("optimiser steps"), help.out());

        Path teacher = dir.resolve("pdn.zip");
        var make = CliTest.cli("make-pdn-teacher", "--out", teacher.toString(), "--images", "test-images/train/good", "--steps", "10",
                "--width", "0.0625", "--crop", "64", "--batch-size", "2");
        assertEquals(0, make.code(), make.out());
        PdnTeacher t = PdnTeacher.load(teacher.toString(), "small");
        assertEquals(0.0625f, t.info.widthFactor);
        assertTrue(t.info.provenance.contains("builtin:filter-pyramid") && t.info.provenance.contains("10 steps"), t.info.provenance);
        var again = CliTest.cli("make-pdn-teacher", "--out", teacher.toString(), "--images", "test-images/train/good", "--steps", "1");
        assertEquals(1, again.code());
        assertTrue(again.out().contains("--overwrite"), again.out());

        Path model = dir.resolve("ead.ast");
        var train = CliTest.cli("train", "--method", "efficientad", "--images", "test-images/train/good", "--model", model.toString(),
                "--set", "teacher=" + teacher, "--epochs", "30", "--image-size", "64");
        assertEquals(0, train.code(), train.out());
        Files.delete(teacher); // the model carries its teacher
        var detect = CliTest.cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", dir.resolve("out").toString());
        assertEquals(0, detect.code(), detect.out());
        assertTrue(detect.out().contains("EfficientAD model"), detect.out());
        assertTrue(Files.readString(dir.resolve("out").resolve("scores.csv")).lines().count() > 5);

        var wrong = CliTest.cli("train", "--method", "efficientad", "--images", "test-images/train/good", "--model",
                dir.resolve("x.ast").toString(), "--set", "teacher=" + dir.resolve("missing.zip"), "--epochs", "1");
        assertEquals(1, wrong.code());
        assertTrue(wrong.out().contains("missing.zip") && wrong.out().contains("make-pdn-teacher"), wrong.out());
    }
}
