package io.github.astfiji.cli;

import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.workflow.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a detector (any method, see the list below) on a folder of normal (defect-free) images.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--images", required = true, description = "Folder of normal training images (or one multi-slice TIFF).")
    Path images;

    @Option(names = "--model", required = true, description = "Model file to write (e.g. model.ast).")
    Path model;

    @Option(names = "--method", completionCandidates = MethodIds.class,
            description = "The method: ${COMPLETION-CANDIDATES} (default: the first; each is described below).")
    String method;

    @Mixin
    TrainingOptions options;

    @Option(names = "--depth", description = "Folder of depth images, one per training image with the same name (xyz TIFF or 1-channel depth).")
    Path depth;

    @Option(names = "--masks", description = "Folder of masks, one per image with the same name (.png/.tif, or NAME_mask.png): "
            + "only pixels above 0 are learned from.")
    Path masks;

    @Option(names = "--validation", description = "Labelled folder (good/ plus one sub-folder per defect type) for an F1-optimal threshold.")
    Path validation;

    @Option(names = "--threshold", defaultValue = "fpr",
            description = "Threshold for verdicts: fpr (default: 1 %% false positives on held-out normal images) or f1 (needs --validation).")
    String threshold;

    @Option(names = "--overwrite", description = "Replace an existing model file.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        Method m = Methods.get(method);
        DetectorConfig config = options.config(m);
        boolean useF1 = switch (threshold.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "fpr" -> false;
            case "f1" -> true;
            default -> throw new IllegalArgumentException("unknown --threshold '" + threshold + "'; use fpr or f1");
        };
        List<ImageSource> sources = DepthFiles.folderWithDepth(images, depth);
        if (sources == null) {
            if (config.input.usesDepth()) {
                throw new IllegalArgumentException("--input " + config.input.label + " needs depth images: give --depth DIR "
                        + "(or a folder with rgb/ and xyz/ as in MVTec 3D-AD)");
            }
            sources = ImageFiles.sources(ImageFiles.list(images, false), images, masks);
        } else if (masks != null) {
            throw new IllegalArgumentException("--masks works with images without depth; a depth model finds its foreground itself");
        }
        Training.Validation val = validation == null ? null : Training.Validation.of(validation);
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
            String summary = Training.trainAndSave(sources, m, config, options.backbone, val, useF1, model, overwrite, progress);
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
