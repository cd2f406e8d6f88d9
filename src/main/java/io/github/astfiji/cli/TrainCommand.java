package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.ScoreMode;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstTrainer;
import io.github.astfiji.core.ast.Preset;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
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
        AstConfig config = Preset.fromName(preset).config();
        if (epochs != null) {
            config.teacherEpochs = epochs;
            config.studentEpochs = epochs;
        }
        if (imageSize != null) {
            config.imageSize = imageSize;
        }
        config.seed = seed;
        config.validate();
        // Check the output before hours of training, not after.
        ImageFiles.checkWritable(model, overwrite);
        Path dir = model.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new java.io.IOException("the folder for " + model + " does not exist; create it first");
        }
        List<ImageSource> sources = ImageFiles.sources(ImageFiles.list(images, false));
        if (backbone == null && (Preset.fromName(preset) != Preset.CPU)) {
            System.err.println("Note: the " + preset + " preset expects an ImageNet backbone (--backbone efficientnet_b5.pt); using the built-in one.");
        }
        ConsoleProgress progress = new ConsoleProgress(System.err);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            progress.cancel();
            try {
                main.join(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try (NDManager root = Engines.newManager()) {
            Backbone bb = Backbones.create(backbone, root, config.imageSize, seed);
            System.err.printf("Training on %d images, preset %s, backbone %s (%d channels, stride %d)%n",
                    sources.size(), config.preset, bb.id(), bb.channels(), bb.stride());
            AstTrainer trainer = new AstTrainer(config, progress);
            try (AnomalyModel m = trainer.train(sources, bb, root)) {
                progress.finish();
                ModelFile.write(m, model, overwrite);
                AstTrainer.History h = trainer.history();
                System.out.printf("Model written to %s%n", model);
                System.out.printf("Teacher loss %.4f -> %.4f, student loss %.4f -> %.4f%n",
                        first(h.teacherLoss), last(h.teacherLoss), first(h.studentLoss), last(h.studentLoss));
                System.out.printf("Training image scores: mean %.5f, max %.5f%n",
                        m.stats(ScoreMode.AST).imageMean, m.stats(ScoreMode.AST).imageMax);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        return 0;
    }

    private static double first(double[] a) {
        return a.length == 0 ? Double.NaN : a[0];
    }

    private static double last(double[] a) {
        return a.length == 0 ? Double.NaN : a[a.length - 1];
    }
}
