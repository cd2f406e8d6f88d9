package io.github.astfiji.cli;

import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.Preset;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.ModelTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an AST model on a folder of normal (defect-free) images.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--images", required = true, description = "Folder of normal training images (or one multi-slice TIFF).")
    Path images;

    @Option(names = "--model", required = true, description = "Model file to write (e.g. model.ast).")
    Path model;

    @Option(names = "--preset", defaultValue = "cpu", description = "cpu (default), paper-2d or paper-3d.")
    String preset;

    @Option(names = "--backbone", description = "TorchScript backbone file, or builtin:random-cnn / builtin:filter-bank. Default: built-in.")
    String backbone;

    @Option(names = "--epochs", description = "Epochs for teacher and student each (overrides the preset).")
    Integer epochs;

    @Option(names = "--image-size", description = "Side length images are resized to (overrides the preset).")
    Integer imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default 0).")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing model file.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        AstConfig config = Preset.fromName(preset).config(epochs == null ? 0 : epochs, imageSize == null ? 0 : imageSize);
        config.seed = seed;
        List<ImageSource> sources = ImageFiles.sources(ImageFiles.list(images, false));
        if (backbone == null && Preset.fromName(preset) != Preset.CPU) {
            System.err.println("Note: the " + preset + " preset expects an ImageNet backbone (--backbone efficientnet_b5_block36.pt); using the built-in one.");
        }
        ConsoleProgress progress = new ConsoleProgress(System.err);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            progress.cancel(); // Ctrl-C: stop between batches, write nothing
            try {
                main.join(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String summary = ModelTraining.trainAndSave(sources, config, backbone, model, overwrite, progress);
            progress.finish();
            System.out.println(summary);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        return 0;
    }
}
