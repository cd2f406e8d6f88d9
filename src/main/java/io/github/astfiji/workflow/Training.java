package io.github.astfiji.workflow;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.eval.F1Max;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.score.ScoreStats;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.Plots;
import io.github.astfiji.io.SampleDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Train-and-save as one step, for any method, shared by the command line and the Fiji commands. */
public final class Training {

    private Training() {
    }

    /**
     * Checks the output first (so hours of training are not lost to a bad path), trains,
     * and writes the model atomically. The engine's memory is released before returning.
     *
     * @return a short human-readable summary
     */
    public static String trainAndSave(List<ImageSource> images, Method method, DetectorConfig config, String backbone,
                                      Path modelFile, boolean overwrite, Progress progress) throws IOException {
        return trainAndSave(images, method, config, backbone, null, false, modelFile, overwrite, progress);
    }

    /**
     * As above; with labelled validation images (normal and defective) the F1-optimal image
     * threshold is computed and stored too, and made the active one when useF1 is set.
     */
    public static String trainAndSave(List<ImageSource> images, Method method, DetectorConfig config, String backbone,
                                      Validation validation, boolean useF1, Path modelFile, boolean overwrite,
                                      Progress progress) throws IOException {
        config.validate();
        if (useF1 && validation == null) {
            throw new IllegalArgumentException("the F1 threshold needs labelled validation images (normal and defective): give --validation DIR");
        }
        ModelFile.checkTarget(modelFile, overwrite);
        Path plot = scorePlotFile(modelFile);
        ImageFiles.checkWritable(plot, overwrite);
        Path dir = modelFile.toAbsolutePath().getParent();
        if (dir != null && !Files.isWritable(dir)) {
            throw new java.nio.file.AccessDeniedException(dir.toString(), null, "permission denied: cannot write the model "
                    + modelFile.getFileName() + " into this folder; choose a folder you can write to");
        }
        if (images.isEmpty()) {
            throw new IOException("no training images were given");
        }
        try (NDManager root = Engines.newManager()) {
            Backbone bb = BackboneSetup.forTraining(method, config, backbone, images, root, progress);
            String busy = Engines.busyMachineHint();
            Trainer trainer = new Trainer(method, config, progress);
            try (Detector m = trainer.train(images, bb, root)) {
                String f1Note = "";
                if (validation != null) {
                    f1Note = calibrateF1(m, validation, useF1, progress);
                }
                ModelFile.write(m, modelFile, overwrite);
                Plots.save(Plots.scores(m.stats(), m.stats().imageThreshold, new float[0], "Normal image scores: " + modelFile.getFileName()), plot);
                Trainer.History h = trainer.history();
                ScoreStats s = m.stats();
                StringBuilder losses = new StringBuilder();
                for (int i = 0; i < h.phases.size(); i++) {
                    losses.append(String.format(Locale.ROOT, "%s%s loss %.4f -> %.4f", i == 0 ? "" : ", ", capitalise(h.phases.get(i)),
                            first(h.losses.get(i)), last(h.losses.get(i))));
                }
                StringBuilder times = new StringBuilder(String.format(Locale.ROOT, "Time: features %.1f s", h.featureSeconds));
                for (int i = 0; i < h.phases.size(); i++) {
                    times.append(String.format(Locale.ROOT, ", %s %.2f s per epoch", h.phases.get(i),
                            h.seconds.get(i) / Math.max(1, h.losses.get(i).length)));
                }
                if (h.foldSeconds > 0) {
                    times.append(String.format(Locale.ROOT, ", calibration folds %.0f s", h.foldSeconds));
                }
                losses.append(".").append(System.lineSeparator()).append(times);
                if (!h.recoveries.isEmpty()) {
                    losses.append(System.lineSeparator()).append("Recovered from ").append(h.recoveries.size())
                            .append(" divergence(s): ").append(String.join("; ", h.recoveries));
                }
                return String.format(Locale.ROOT,
                        "Model written to %s%nTrained %s on %d images in %.0f s on %s (%s backbone, channels %s, stride %s, preset %s, sizing %s).%n"
                                + "%s.%nThresholds from %d %s normal images: image score %.5g, pixel %.5g; %s.%nScore plot: %s",
                        modelFile, method.displayName(), images.size(), h.totalSeconds(), Engines.describe(), bb.id(),
                        java.util.Arrays.toString(m.inputChannels()), java.util.Arrays.toString(bb.scaleStrides()), config.preset,
                        config.sizing, losses, s.images, s.source, s.fprThreshold, s.pixelThreshold, s.operatingPoint(), plot) + f1Note
                        + (busy.isEmpty() ? "" : System.lineSeparator() + busy) + scaleNote(m.preprocessing(), config.imageScore);
            }
        }
    }

    /** What the model knows of its images' channels and scale, for the summary. */
    private static String scaleNote(io.github.astfiji.core.image.Preprocessing p, io.github.astfiji.core.score.ImageScoreRule rule) {
        String channels = p.channelHigh != null && p.channels > 1 ? p.channels + " channels, each with its own intensity range" : "";
        if (rule == io.github.astfiji.core.score.ImageScoreRule.TOP) {
            channels += (channels.isEmpty() ? "" : ", ") + "image score = the mean of the highest 5 % of the map";
        }
        String scale = p.pixelSize > 0 ? "pixel size " + io.github.astfiji.core.image.PixelScale.describe(p.pixelSize)
                + " (calibrated images at another size are rescaled to it)" : "";
        String both = (channels + (channels.isEmpty() || scale.isEmpty() ? "" : "; ") + scale);
        return both.isEmpty() ? "" : System.lineSeparator() + "Images: " + both + ".";
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

    /** Where training puts the picture of its normal scores and threshold: beside the model, model_scores.png. */
    public static Path scorePlotFile(Path modelFile) {
        String name = modelFile.getFileName().toString();
        String stem = name.endsWith(ModelFile.EXTENSION) ? name.substring(0, name.length() - ModelFile.EXTENSION.length()) : name;
        return modelFile.resolveSibling(stem + "_scores.png");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String calibrateF1(Detector m, Validation v, boolean useF1, Progress progress) throws IOException {
        progress.stage("Scoring validation images", v.images.size());
        float[] scores = new float[v.images.size()];
        for (int i = 0; i < scores.length; i++) {
            progress.checkCancelled();
            ImageSource src = v.images.get(i);
            try {
                scores[i] = m.score(src.load(), src.depth(), src.mask()).primary().score;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("validation image " + src.name() + ": " + e.getMessage(), e);
            }
            progress.step(i + 1, src.name());
        }
        F1Max best = F1Max.of(scores, v.defect);
        ScoreStats s = m.stats();
        float fprThreshold = s.imageThreshold;
        s.f1Threshold = best.threshold;
        s.f1 = (float) best.f1;
        s.f1Images = scores.length;
        if (useF1) {
            s.imageThreshold = best.threshold;
            s.thresholdRule = "f1";
        }
        return String.format(Locale.ROOT, "%nOn %d labelled validation images: the F1-optimal threshold %.5g (F1 %.3f) %s; "
                        + "the threshold for %.3g false alarms per 100 normal parts, %.5g, %s. Verdicts use the %s one (--threshold f1|fpr).",
                scores.length, best.threshold, best.f1, hits(scores, v.defect, best.threshold), s.falseAlarmsPer100, fprThreshold,
                hits(scores, v.defect, fprThreshold), useF1 ? "F1" : "false-alarm");
    }

    /** "finds 14 of 18 defective and flags 1 of 6 normal images" at a threshold. */
    private static String hits(float[] scores, boolean[] defect, float threshold) {
        int found = 0;
        int defects = 0;
        int flagged = 0;
        int normals = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean above = scores[i] > threshold;
            if (defect[i]) {
                defects++;
                found += above ? 1 : 0;
            } else {
                normals++;
                flagged += above ? 1 : 0;
            }
        }
        return "finds " + found + " of " + defects + " defective and flags " + flagged + " of " + normals + " normal images";
    }

    private static double first(double[] a) {
        return a.length == 0 ? Double.NaN : a[0];
    }

    private static double last(double[] a) {
        return a.length == 0 ? Double.NaN : a[a.length - 1];
    }
}
