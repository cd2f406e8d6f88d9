package io.github.astfiji.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C during training, as a user presses it: the command line exits with 130, writes no
 * model and no half-written file, and a model that was there before is left as it was.
 */
class InterruptTest {

    /**
     * True where this process ignores SIGINT (started in the background by a non-interactive
     * shell, e.g. under nohup): the child inherits that and Ctrl-C cannot reach it at all.
     */
    static boolean interruptIgnored() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2L) != 0; // bit of signal 2, SIGINT
            }
        }
        return false;
    }

    @Test
    void ctrlCDuringTrainingLeavesNothingHalfWrittenAndTheOldModelIntact(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(interruptIgnored(),
                "this test runs in a background job that ignores Ctrl-C (SIGINT); run it in the foreground");
        Path model = dir.resolve("precious.ast");
        byte[] old = "an older model the user wants to keep".getBytes(StandardCharsets.UTF_8);
        Files.write(model, old);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Cli.class.getName(), "train", "--images", "test-images/train/good", "--model", model.toString(), "--overwrite",
                "--epochs", "400", "--image-size", "64", "--calibration-folds", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.contains("Training teacher")) {
                    // the first line of the teacher phase: training is under way
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                    break;
                }
            }
            Thread reader = new Thread(() -> r.lines().forEach(lines::add));
            reader.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process stops after Ctrl-C");
            reader.join(5000);
        }
        String out = String.join("\n", lines);
        assertEquals(130, p.exitValue(), out);
        assertArrayEquals(old, Files.readAllBytes(model), "the existing model is untouched");
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(f -> f.getFileName().toString()).toList();
            assertEquals(List.of("precious.ast"), names, "no half-written model, temporary file or plot is left");
        }
    }
}
