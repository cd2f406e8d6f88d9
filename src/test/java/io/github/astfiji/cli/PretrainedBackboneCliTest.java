package io.github.astfiji.cli;

import com.google.gson.JsonObject;
import io.github.astfiji.core.backbone.pretrained.PretrainedBackbones;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.weights.LoopbackServer;
import io.github.astfiji.core.weights.WeightsFile;
import io.github.astfiji.core.weights.WeightsStore;
import io.github.astfiji.testing.TorchFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pretrained backbone named on the command line, as a user on another computer meets it:
 * fetched on first use from a server (here on 127.0.0.1, serving torchvision-format ResNet-18
 * weights), recorded in the model, fetched again for detection where the weights folder is
 * empty, and refused with the offline message where downloads are off.
 */
class PretrainedBackboneCliTest {

    /** The build's weights folder (pom.xml), which the options below replace for the test JVM. */
    private final String folderBefore = System.getProperty(WeightsStore.FOLDER_PROPERTY);

    @AfterEach
    void restoreSettings() {
        if (folderBefore == null) {
            System.clearProperty(WeightsStore.FOLDER_PROPERTY);
        } else {
            System.setProperty(WeightsStore.FOLDER_PROPERTY, folderBefore);
        }
        System.clearProperty(WeightsStore.OFFLINE_PROPERTY);
    }

    @Test
    void trainsWithADownloadedBackboneAndDetectsElsewhere(@TempDir Path dir) throws Exception {
        Path weights = TorchFixtures.parityDir().resolve("resnet18.pth");
        byte[] content = Files.readAllBytes(weights);
        try (LoopbackServer server = new LoopbackServer("resnet18-test.pth", content)) {
            WeightsFile published = new WeightsFile("resnet18-test.pth", server.url(), content.length, Checksums.sha256(weights));
            if (PretrainedBackbones.byName("test-resnet18") == null) {
                PretrainedBackbones.register("test-resnet18", "resnet18", published);
            }
            Path model = dir.resolve("m.ast");
            CliTest.Run train = CliTest.cli("train", "--images", "test-images/train/good", "--model", model.toString(),
                    "--backbone", "test-resnet18", "--weights-dir", dir.resolve("cache-a").toString(), "--epochs", "1", "--image-size", "64");
            assertEquals(0, train.code(), train.out());
            assertTrue(train.out().contains("Downloading resnet18-test.pth (" + published.size() + ")"), train.out());
            assertTrue(Files.isRegularFile(dir.resolve("cache-a").resolve("resnet18-test.pth")));
            JsonObject bb = io.github.astfiji.core.model.ModelFileTest.manifest(model).getAsJsonObject("backbone");
            assertEquals("pretrained:test-resnet18", bb.get("id").getAsString());
            assertEquals(published.sha256(), bb.get("checksum").getAsString());
            assertEquals(256, bb.get("channels").getAsInt());
            assertEquals(1, server.requests.get());

            // another weights folder on this computer: the copy the model records is checked and taken, nothing downloaded
            CliTest.Run local = CliTest.cli("detect", "--model", model.toString(), "--images", "test-images/test",
                    "--out", dir.resolve("out0").toString(), "--weights-dir", dir.resolve("cache-b").toString());
            assertEquals(0, local.code(), local.out());
            assertEquals(1, server.requests.get());
            assertTrue(Files.isRegularFile(dir.resolve("cache-b").resolve("resnet18-test.pth")));

            // another computer: none of those copies, an empty weights folder; the model asks for the same weights and gets them
            Files.delete(dir.resolve("cache-a").resolve("resnet18-test.pth"));
            Files.delete(dir.resolve("cache-b").resolve("resnet18-test.pth"));
            CliTest.Run detect = CliTest.cli("detect", "--model", model.toString(), "--images", "test-images/test",
                    "--out", dir.resolve("out").toString(), "--weights-dir", dir.resolve("cache-d").toString());
            assertEquals(0, detect.code(), detect.out());
            assertEquals(2, server.requests.get());
            assertTrue(Files.size(dir.resolve("out/scores.csv")) > 0);

            // an offline computer: the message names the file, its checksum and the folder to put it in
            CliTest.Run offline = CliTest.cli("detect", "--model", model.toString(), "--images", "test-images/test",
                    "--out", dir.resolve("out2").toString(), "--weights-dir", dir.resolve("cache-c").toString(), "--offline");
            assertNotEquals(0, offline.code());
            assertTrue(offline.out().contains("resnet18-test.pth") && offline.out().contains(published.sha256())
                    && offline.out().contains(dir.resolve("cache-c").toString()), offline.out());
            assertEquals(2, server.requests.get(), "nothing downloaded when told not to");
        }
    }
}
