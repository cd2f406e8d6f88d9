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
import io.github.astfiji.core.eval.F1Max;
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
        return trainAndSave(images, config, backbone, null, false, modelFile, overwrite, progress);
    }

    /**
     * As above; with labelled validation images (normal and defective) the F1-optimal image
     * threshold is computed and stored too, and made the active one when useF1 is set.
     */
    public static String trainAndSave(List<ImageSource> images, AstConfig config, String backbone, Validation validation,
                                      boolean useF1, Path modelFile, boolean overwrite, Progress progress) throws IOException {
        config.validate();
        if (useF1 && validation == null) {
            throw new IllegalArgumentException("the F1 threshold needs labelled validation images (normal and defective): give --validation DIR");
        }
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
                String f1Note = "";
                if (validation != null) {
                    f1Note = calibrateF1(m, validation, useF1, progress);
                }
                ModelFile.write(m, modelFile, overwrite);
                AstTrainer.History h = trainer.history();
                ScoreStats s = m.stats(ScoreMode.AST);
                return String.format(Locale.ROOT,
                        "Model written to %s%nTrained on %d images (%s backbone, %d channels, stride %d, preset %s).%n"
                                + "Teacher loss %.4f -> %.4f, student loss %.4f -> %.4f.%n"
                                + "Thresholds from %d %s normal images: image score %.5g, pixel %.5g.",
                        modelFile, images.size(), bb.id(), bb.channels(), bb.stride(), config.preset,
                        first(h.teacherLoss), last(h.teacherLoss), first(h.studentLoss), last(h.studentLoss),
                        s.images, s.source, s.fprThreshold, s.pixelThreshold) + f1Note;
            }
        }
    }

    /** Labelled images for the F1-optimal threshold. */
    public static final class Validation {
        public final List<ImageSource> images;
        public final boolean[] defect;

        public Validation(List<ImageSource> images, boolean[] defect) {
            this.images = images;
            this.defect = defect;
        }

        /** A folder like an MVTec test folder: good/ plus one sub-folder per defect type (rgb/ and xyz/ inside for depth). */
        public static Validation of(Path dir) throws IOException {
            SampleDataset ds = SampleDataset.openTest(dir);
            int defects = 0;
            for (boolean d : ds.testIsDefect) {
                defects += d ? 1 : 0;
            }
            if (defects == 0 || defects == ds.testIsDefect.length) {
                throw new IOException("validation folder " + dir + " needs both normal images (good/) and defect images "
                        + "(one sub-folder per defect type) for an F1 threshold");
            }
            return new Validation(ds.test, ds.testIsDefect);
        }
    }

    private static String calibrateF1(AnomalyModel m, Validation v, boolean useF1, Progress progress) throws IOException {
        progress.stage("Scoring validation images", v.images.size());
        float[] scores = new float[v.images.size()];
        for (int i = 0; i < scores.length; i++) {
            progress.checkCancelled();
            ImageSource src = v.images.get(i);
            try {
                scores[i] = m.score(src.load(), src.depth(), src.mask()).get(ScoreMode.AST).score;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("validation image " + src.name() + ": " + e.getMessage(), e);
            }
            progress.step(i + 1, src.name());
        }
        F1Max best = F1Max.of(scores, v.defect);
        ScoreStats s = m.stats(ScoreMode.AST);
        s.f1Threshold = best.threshold;
        s.f1 = (float) best.f1;
        s.f1Images = scores.length;
        if (useF1) {
            s.imageThreshold = best.threshold;
            s.thresholdRule = "f1";
        }
        return String.format(Locale.ROOT, "%nF1-optimal image threshold %.5g (F1 %.3f on %d labelled validation images)%s.",
                best.threshold, best.f1, scores.length, useF1 ? ", used for verdicts" : "; verdicts use the normal-image threshold");
    }

    private static double first(double[] a) {
        return a.length == 0 ? Double.NaN : a[0];
    }

    private static double last(double[] a) {
        return a.length == 0 ? Double.NaN : a[a.length - 1];
    }
}
