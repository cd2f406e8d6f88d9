package io.github.astfiji.core.train;

import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.FloatArrays;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.score.ScoreStats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the operating point comes from: the split of normal images into those that train
 * and those held out, the held-out (or out-of-fold) images scored exactly as detection
 * scores them, score statistics and thresholds per map, and the check that refuses a model
 * whose normal scores are non-finite or absurd next to its training images' scores.
 */
final class ThresholdCalibration {

    private final Method method;
    private final DetectorConfig config;
    private final Progress progress;

    ThresholdCalibration(Method method, DetectorConfig config, Progress progress) {
        this.method = method;
        this.config = config;
        this.progress = progress;
    }

    /**
     * Holds out an evenly spaced share of the normal images for threshold calibration, so
     * thresholds come from images the networks never fitted. Below 10 images all are used
     * for training and the statistics come from the training images themselves.
     */
    void split(List<ImageSource> images, List<ImageSource> fit, List<ImageSource> held) {
        int n = images.size();
        int k = n < 10 ? 0 : Math.max(1, Math.round(n * config.calibrationFraction));
        Set<Integer> heldIdx = new HashSet<>();
        for (int i = 0; i < k; i++) {
            heldIdx.add((int) (((long) i * n + n / 2) / k) % n);
        }
        for (int i = 0; i < n; i++) {
            (heldIdx.contains(i) ? held : fit).add(images.get(i));
        }
    }

    /** Image and pixel scores of normal images per map, as the statistics want them. */
    final class NormalScores {
        final float[][] imageScores;
        final float[][][] pixels;

        NormalScores(int maps, int n) {
            imageScores = new float[maps][n];
            pixels = new float[maps][n][];
        }

        void add(int image, AnomalyMaps s) {
            for (int k = 0; k < imageScores.length; k++) {
                imageScores[k][image] = s.get(k).score;
                pixels[k][image] = s.get(k).foregroundValues();
            }
        }

        /**
         * Sets the detector's statistics from these scores; with dropUnstable (out-of-fold
         * scores of fold models) numerically unstable ones are left out.
         */
        void setStats(Detector detector, String source, boolean dropUnstable) {
            int n = imageScores.length == 0 ? 0 : imageScores[0].length;
            boolean[] unstable = dropUnstable ? unstableScores(imageScores) : new boolean[n];
            int dropped = 0;
            for (boolean u : unstable) {
                dropped += u ? 1 : 0;
            }
            if (dropped > n / 2) {
                throw new IllegalStateException("k-fold calibration failed: " + dropped + " of " + n + " normal images got non-finite or "
                        + "absurd scores from the fold models; lower the learning rate, or use --calibration-folds 0");
            }
            String label = dropped == 0 ? source : source + " (" + dropped + " numerically unstable fold score(s) left out)";
            for (int k = 0; k < imageScores.length; k++) {
                float[] kept = new float[n - dropped];
                List<float[]> keptPixels = new ArrayList<>();
                for (int i = 0, j = 0; i < n; i++) {
                    if (!unstable[i]) {
                        kept[j++] = imageScores[k][i];
                        keptPixels.add(pixels[k][i]);
                    }
                }
                detector.setStats(detector.method().mapNames().get(k),
                        ScoreStats.of(kept, FloatArrays.concat(keptPixels), config.targetFpr, label));
            }
        }
    }

    /**
     * Images whose out-of-fold score (in any map) is non-finite or beyond a million times
     * that map's median. A fold model that blew up on one image (seen once: 3e22 on a normal
     * tile where the others scored about 1) says nothing about normal variation, and one
     * such score would set the threshold.
     */
    static boolean[] unstableScores(float[][] imageScores) {
        int n = imageScores.length == 0 ? 0 : imageScores[0].length;
        boolean[] unstable = new boolean[n];
        for (float[] map : imageScores) {
            float[] sorted = map.clone();
            Arrays.sort(sorted);
            double median = n == 0 ? 0 : sorted[n / 2];
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(map[i]) || (median > 0 && map[i] > 1e6 * median)) {
                    unstable[i] = true;
                }
            }
        }
        return unstable;
    }

    /** Scores the given images in batches, as detection does, handing each result to {@code sink}. */
    void scoreImages(Detector scorer, List<ImageSource> images, List<Integer> ids,
                             java.util.function.BiConsumer<Integer, AnomalyMaps> sink) throws IOException {
        for (int start = 0; start < ids.size(); start += config.batchSize) {
            progress.checkCancelled();
            List<Integer> part = ids.subList(start, Math.min(ids.size(), start + config.batchSize));
            List<Detector.Input> batch = new ArrayList<>();
            for (int i : part) {
                batch.add(TrainingImages.input(images.get(i), scorer));
            }
            List<AnomalyMaps> scored = scorer.score(batch);
            for (int j = 0; j < part.size(); j++) {
                sink.accept(part.get(j), scored.get(j));
            }
        }
    }

    /** Images of the training set scored by the final model, for comparison with the held-out scores. */
    private static final int TRAINING_SCORE_SAMPLE = 8;

    /** Sets each map's training median from up to TRAINING_SCORE_SAMPLE evenly spread training images. */
    void measureTrainingScores(Detector detector, List<ImageSource> fit) throws IOException {
        int n = Math.min(TRAINING_SCORE_SAMPLE, fit.size());
        List<Integer> sample = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sample.add((int) ((long) i * fit.size() / n));
        }
        int maps = method.mapNames().size();
        float[][] scores = new float[maps][n];
        scoreImages(detector, fit, sample, (image, s) -> {
            int at = sample.indexOf(image);
            for (int k = 0; k < maps; k++) {
                scores[k][at] = s.get(k).score;
            }
        });
        for (int k = 0; k < maps; k++) {
            float[] sorted = scores[k].clone();
            Arrays.sort(sorted);
            detector.stats(method.mapNames().get(k)).trainingMedian = sorted[n / 2];
        }
    }

    /** Refuses a model whose statistics say it cannot judge images (non-finite or absurd normal scores). */
    void refuseUnusable(Detector detector, List<String> recoveries) {
        for (int k = 0; k < method.mapNames().size(); k++) {
            String problem = detector.stats(method.mapNames().get(k)).problem();
            if (problem != null) {
                String recovered = recoveries.isEmpty() ? "" : " (training had to recover from "
                        + recoveries.size() + " divergence(s))";
                throw new TrainingFailedException("The trained " + method.displayName() + " model cannot judge images" + recovered
                        + ": in its " + method.mapLabel(k) + " map " + problem + ". No model was written. Try the default sizing "
                        + "(fit), a lower learning rate (setting learningRate) or more normal training images.");
            }
        }
    }

    /**
     * Score statistics of every map on normal images the networks did not fit (or, with
     * few images, on the training images), scored exactly as detection scores them.
     */
    void computeStats(Detector detector, List<ImageSource> images, String source) throws IOException {
        NormalScores scores = new NormalScores(detector.method().mapNames().size(), images.size());
        progress.stage("Measuring normal scores", images.size());
        int[] done = {0};
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            all.add(i);
        }
        scoreImages(detector, images, all, (i, s) -> {
            scores.add(i, s);
            progress.step(++done[0], null);
        });
        scores.setStats(detector, source, false);
    }
}
