package io.github.astfiji.cli;

import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.testing.TinyMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.astfiji.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adding a method is one package and one registry line: a tiny method registered here appears
 * in the command line's help and the Fiji dialogs' choices, trains end to end, and its model
 * file is read back and scores images; unregistered, it is gone from all of them.
 */
class NewMethodTest {

    @Test
    void aRegisteredMethodIsOfferedEverywhereAndTrainsEndToEnd(@TempDir Path dir) throws Exception {
        CliTest.findSamples();
        Path images = CliTest.folderOf(dir.resolve("good"), "gray8");
        Path model = dir.resolve("tiny.ast");
        try (AutoCloseable registration = Methods.register(new TinyMethod())) {
            CliTest.Run help = cli("train", "--help");
            assertTrue(help.out().contains("ast, rd, us, efficientad, tiny"), help.out());
            assertTrue(help.out().contains("tiny: Tiny autoencoder"), help.out());
            assertTrue(io.github.astfiji.fiji.ij1.PluginChoices.methods().contains("tiny"), "the Train dialog offers it");
            assertTrue(io.github.astfiji.fiji.ij1.PluginChoices.presets().contains("cpu"));

            CliTest.Run train = cli("train", "--method", "tiny", "--images", images.toString(), "--model", model.toString(),
                    "--epochs", "2");
            assertEquals(0, train.code(), train.out());
            assertTrue(train.out().contains("Trained Tiny autoencoder"), train.out());
            CliTest.Run detect = cli("detect", "--model", model.toString(), "--images", images.toString(), "--out",
                    dir.resolve("out").toString());
            assertEquals(0, detect.code(), detect.out());
            List<String> rows = Files.readAllLines(dir.resolve("out/scores.csv"));
            assertEquals(CliTest.sampleCount() + 1, rows.size(), rows.toString());
        }
        assertFalse(Methods.ids().contains("tiny"));
        CliTest.Run gone = cli("detect", "--model", model.toString(), "--images", images.toString(), "--out", dir.resolve("out2").toString());
        assertEquals(1, gone.code(), "a model of a method this version does not know is refused: " + gone.out());
        assertTrue(gone.out().contains("tiny"), gone.out());
    }
}
