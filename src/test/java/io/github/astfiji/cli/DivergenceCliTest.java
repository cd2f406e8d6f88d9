package io.github.astfiji.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.github.astfiji.cli.CliTest.cli;
import static io.github.astfiji.cli.CliTest.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training that diverges beyond recovery (an absurd learning rate) becomes no model: the
 * command says what diverged and what to try, exits with its own code, and leaves no file;
 * evaluate marks the method's rows as failed instead of reporting numbers.
 */
class DivergenceCliTest {

    @org.junit.jupiter.api.BeforeAll
    static void samples() throws IOException {
        CliTest.findSamples();
    }

    private static final String[] ABSURD = {"--epochs", "3", "--image-size", "64", "--set", "learningRate=10000"};

    @Test
    void unrecoverableDivergenceWritesNothingAndExitsWithItsOwnCode(@TempDir Path dir) throws IOException {
        Path images = CliTest.folderOf(dir.resolve("good"), "gray8");
        Path model = dir.resolve("m.ast");
        CliTest.Run r = cli(concat(new String[] {"train", "--images", images.toString(), "--model", model.toString()}, ABSURD));
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("diverged at epoch"), r.out());
        assertTrue(r.out().contains("no model was written"), r.out());
        assertTrue(r.out().contains("Try:"), r.out());
        assertFalse(Files.exists(model), "no model file");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(1, left.count(), "nothing but the images: no partial model, no score plot");
        }
    }

    @Test
    void evaluateMarksAFailedMethodAndGoesOn(@TempDir Path dir) throws IOException {
        CliTest.Run r = cli(concat(new String[] {"evaluate", "--data", "test-images", "--methods", "ast", "--out", dir.toString()}, ABSURD));
        assertEquals(0, r.code(), r.out());
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("**failed**"), md);
        assertTrue(md.contains("FAILED: Training"), md);
        String csv = Files.readString(dir.resolve("results.csv"));
        assertFalse(csv.contains(",0.5000,"), "no chance-level number stands for a failed training: " + csv);
    }
}
