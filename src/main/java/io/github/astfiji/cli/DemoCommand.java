package io.github.astfiji.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The README's main job: train on the bundled normal images, detect on the bundled test images. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train on test-images/train/good and detect on test-images/test; results under --out.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "test-images", description = "Sample data set (default test-images).")
    Path data;

    @Option(names = "--out", defaultValue = "target/demo", description = "Where the model and results go (default target/demo); replaced on each run.")
    Path out;

    @Option(names = "--epochs", description = "Epochs per phase (default: the cpu preset's).")
    Integer epochs;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(data.resolve("train/good")) || !Files.isDirectory(data.resolve("test"))) {
            throw new IllegalArgumentException(data + " must hold train/good and test/<type> folders; run from the project folder");
        }
        Files.createDirectories(out);
        Path model = out.resolve("model.ast");
        String[] train = epochs == null
                ? new String[] {"train", "--images", data.resolve("train/good").toString(), "--model", model.toString(), "--overwrite"}
                : new String[] {"train", "--images", data.resolve("train/good").toString(), "--model", model.toString(), "--overwrite",
                    "--epochs", epochs.toString()};
        int rc = Cli.run(train);
        if (rc != 0) {
            return rc;
        }
        return Cli.run("detect", "--model", model.toString(), "--images", data.resolve("test").toString(),
                "--out", out.resolve("results").toString(), "--overwrite");
    }
}
