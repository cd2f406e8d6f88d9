package io.github.astfiji.io;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreMode;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstTrainer;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.model.ModelFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Train-and-save as one step, shared by the command line and the Fiji commands. */
public final class ModelTraining {

    private ModelTraining() {
    }

    /**
     * Checks the output first (so hours of training are not lost to a bad path), trains,
     * and writes the model atomically. The engine's memory is released before returning.
     *
     * @return a short human-readable summary
     */
    public static String trainAndSave(List<ImageSource> images, AstConfig config, String backbone,
                                      Path modelFile, boolean overwrite, Progress progress) throws IOException {
        config.validate();
        ImageFiles.checkWritable(modelFile, overwrite);
        Path dir = modelFile.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException("the folder for " + modelFile + " does not exist; create it first");
        }
        if (images.isEmpty()) {
            throw new IOException("no training images were given");
        }
        try (NDManager root = Engines.newManager()) {
            Backbone bb = Backbones.create(backbone, root, config.imageSize, config.seed);
            AstTrainer trainer = new AstTrainer(config, progress);
            try (AnomalyModel m = trainer.train(images, bb, root)) {
                ModelFile.write(m, modelFile, overwrite);
                AstTrainer.History h = trainer.history();
                ScoreStats s = m.stats(ScoreMode.AST);
                return String.format(Locale.ROOT,
                        "Model written to %s%nTrained on %d images (%s backbone, %d channels, stride %d, preset %s).%n"
                                + "Teacher loss %.4f -> %.4f, student loss %.4f -> %.4f.%n"
                                + "Thresholds from %d %s normal images: image score %.5g, pixel %.5g.",
                        modelFile, images.size(), bb.id(), bb.channels(), bb.stride(), config.preset,
                        first(h.teacherLoss), last(h.teacherLoss), first(h.studentLoss), last(h.studentLoss),
                        s.images, s.source, s.imageThreshold, s.pixelThreshold);
            }
        }
    }

    private static double first(double[] a) {
        return a.length == 0 ? Double.NaN : a[0];
    }

    private static double last(double[] a) {
        return a.length == 0 ? Double.NaN : a[a.length - 1];
    }
}
