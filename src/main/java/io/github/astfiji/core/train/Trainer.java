package io.github.astfiji.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.score.PositionNormalisation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one training loop every method uses, on normal images only: checks the images and
 * fits the intensity scaling, holds out images for thresholds, calibrates a built-in
 * backbone, extracts features once, then runs the method's phases (shuffled mini-batches,
 * Adam, gradient clipping, skipped non-finite steps, progress and cancel between steps,
 * seeded throughout) and measures score statistics on the held-out images. Nothing is
 * written here: the caller saves the model only when training finished, so a cancel
 * leaves no half-written file.
 */
public final class Trainer {

    /** Loss per epoch and time of each phase, for reports and tests. */
    public static final class History {
        public final List<String> phases = new ArrayList<>();
        public final List<double[]> losses = new ArrayList<>();
        public final List<Double> seconds = new ArrayList<>();
        public double featureSeconds;
        /** Training and scoring the calibration folds' models (k-fold thresholds). */
        public double foldSeconds;
        /** The method's own preparation and calibration around the phases (e.g. statistics of frozen outputs). */
        public double calibrationSeconds;
        /** Divergences the phases recovered from, one line each (empty when training ran smoothly). */
        public final List<String> recoveries = new ArrayList<>();

        /** Losses per epoch of the phase with this name. */
        public double[] loss(String phase) {
            int i = phases.indexOf(phase);
            if (i < 0) {
                throw new IllegalArgumentException("no phase '" + phase + "' (phases: " + phases + ")");
            }
            return losses.get(i);
        }

        public double totalSeconds() {
            double s = featureSeconds + calibrationSeconds + foldSeconds;
            for (double v : seconds) {
                s += v;
            }
            return s;
        }
    }

    private final Method method;
    private final DetectorConfig config;
    private final Progress progress;
    private History history;

    public Trainer(Method method, DetectorConfig config, Progress progress) {
        if (!method.configType().isInstance(config)) {
            throw new IllegalArgumentException("a " + method.displayName() + " model needs a " + method.configType().getSimpleName()
                    + ", not a " + config.getClass().getSimpleName());
        }
        config.validate();
        this.method = method;
        this.config = config;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    public History history() {
        return history;
    }

    /**
     * Trains a detector. The backbone is taken over by the returned detector (and closed
     * with it, or here if training fails).
     */
    public Detector train(List<ImageSource> images, Backbone backbone, NDManager parent) throws IOException {
        NDManager modelManager = parent.newSubManager();
        MethodNetwork network = null;
        try {
            if (images.isEmpty()) {
                throw new IllegalArgumentException("no training images were given");
            }
            method.check(config, backbone);
            Engine.getEngine("PyTorch").setRandomSeed((int) config.seed);
            Preprocessing pre = new TrainingImages(config, progress).checkAndFit(images);
            config.imageScore = config.imageScore.settle(pre.isComposite());
            int grid = config.imageSize / backbone.stride();
            if (grid < 2) {
                throw new IllegalArgumentException("image size " + config.imageSize + " gives a feature map smaller than 2x2 with a stride-"
                        + backbone.stride() + " backbone; raise the image size");
            }
            network = method.build(modelManager, config, Detector.inputChannels(method, config, backbone));
            Detector detector = new Detector(method, config, modelManager, pre, backbone, network);
            history = new History();
            FeatureCache features = new FeatureCache(config, progress);
            ThresholdCalibration thresholds = new ThresholdCalibration(method, config, progress);
            PhaseRunner runner = new PhaseRunner(config, progress, history.recoveries);
            try (NDManager cache = parent.newSubManager()) {
                long t0 = System.nanoTime();
                List<ImageSource> fit = new ArrayList<>();
                List<ImageSource> held = new ArrayList<>();
                int folds = Math.min(config.calibrationFolds, images.size());
                if (folds >= 2) {
                    fit.addAll(images);
                } else {
                    thresholds.split(images, fit, held);
                }
                if (backbone.needsCalibration() && config.input.usesImage()) {
                    features.calibrateBackbone(fit, detector, cache);
                }
                TrainingSet data = features.extract(fit, detector, cache);
                history.featureSeconds = (System.nanoTime() - t0) / 1e9;
                ThresholdCalibration.NormalScores outOfFold = null;
                if (folds >= 2) {
                    t0 = System.nanoTime();
                    outOfFold = scoreByFolds(folds, fit, data, pre, backbone, parent, thresholds, runner);
                    history.foldSeconds = (System.nanoTime() - t0) / 1e9;
                }
                t0 = System.nanoTime();
                network.beforeTraining(data);
                history.calibrationSeconds = (System.nanoTime() - t0) / 1e9;
                for (TrainingPhase phase : network.phases()) {
                    t0 = System.nanoTime();
                    phase.begin(data);
                    history.phases.add(phase.name());
                    history.losses.add(runner.run(phase, network.params(), data, "Training " + phase.name(),
                            config.seed * 31 + history.phases.size()));
                    history.seconds.add((System.nanoTime() - t0) / 1e9);
                }
                progress.checkCancelled();
                t0 = System.nanoTime();
                network.afterTraining(data, heldOutSet(held, data, features, detector, cache));
                normalisePositions(detector, network, data);
                history.calibrationSeconds += (System.nanoTime() - t0) / 1e9;
                if (outOfFold != null) {
                    outOfFold.setStats(detector, folds + "-fold", true);
                } else if (held.isEmpty()) {
                    thresholds.computeStats(detector, fit, "training");
                } else {
                    thresholds.computeStats(detector, held, "held-out");
                }
                if (outOfFold != null || !held.isEmpty()) {
                    thresholds.measureTrainingScores(detector, fit);
                }
                thresholds.refuseUnusable(detector, history.recoveries);
            }
            return detector;
        } catch (RuntimeException | IOException | Error e) {
            if (network != null) {
                network.close();
            }
            backbone.close();
            modelManager.close();
            throw e;
        }
    }

    /** Per-position map statistics from the training views, before any threshold is measured (when the setting is on). */
    private void normalisePositions(Detector detector, MethodNetwork network, TrainingSet data) {
        if (config.positionNormalisation) {
            progress.stage("Measuring normal scores per position", 1);
            detector.setPositionNormalisation(measurePositions(network, data, config.batchSize));
        }
    }

    /** Every map of a trained network over its training views, cell by cell (foreground cells only where the set has masks at the map's grid). */
    static PositionNormalisation measurePositions(MethodNetwork network, TrainingSet data, int batchSize) {
        PositionNormalisation.Collector[] collector = new PositionNormalisation.Collector[1];
        try (Engines.GradientsOff off = Engines.gradientsOff()) {
            data.forEachBatch(batchSize, (rows, masks, scope) -> {
                NDList maps = network.maps(rows);
                Shape grid = maps.get(0).getShape();
                if (collector[0] == null) {
                    collector[0] = new PositionNormalisation.Collector(maps.size(), (int) grid.get(1), (int) grid.get(2));
                }
                boolean sameGrid = masks.getShape().get(1) == grid.get(1) && masks.getShape().get(2) == grid.get(2);
                float[] weights = sameGrid ? masks.toFloatArray() : null;
                for (int m = 0; m < maps.size(); m++) {
                    collector[0].add(m, maps.get(m).toFloatArray(), weights);
                }
            });
        }
        return collector[0].finish();
    }

    /** The held-out normal images' features, extracted when a network asks (the training set when none are held out). */
    private static java.util.function.Supplier<TrainingSet> heldOutSet(List<ImageSource> held, TrainingSet data, FeatureCache features,
            Detector detector, NDManager cache) {
        return () -> {
            if (held.isEmpty()) {
                return data;
            }
            try {
                return features.extract(held, detector, cache);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /**
     * k-fold calibration: for each fold of the images (every k-th image), a model of the same
     * settings trains on the other folds' cached features and scores the fold's images, so
     * every normal image is scored once by a model that never saw it. The fold models share
     * the backbone (its feature statistics come from all images) and are freed after use.
     */
    private ThresholdCalibration.NormalScores scoreByFolds(int k, List<ImageSource> images, TrainingSet data, Preprocessing pre,
            Backbone backbone, NDManager parent, ThresholdCalibration thresholds, PhaseRunner runner) throws IOException {
        ThresholdCalibration.NormalScores out = thresholds.new NormalScores(method.mapNames().size(), images.size());
        for (int f = 0; f < k; f++) {
            java.util.Set<Integer> fold = new HashSet<>();
            for (int i = f; i < images.size(); i += k) {
                fold.add(i);
            }
            try (NDManager foldManager = parent.newSubManager()) {
                MethodNetwork net = method.build(foldManager, config, Detector.inputChannels(method, config, backbone));
                TrainingSet rest = data.without(fold, foldManager);
                net.beforeTraining(rest);
                for (TrainingPhase phase : net.phases()) {
                    phase.begin(rest);
                    runner.run(phase, net.params(), rest, String.format("Fold %d/%d: training %s", f + 1, k, phase.name()),
                            config.seed * 31 + 100 * (f + 1));
                }
                net.afterTraining(rest, () -> rest);
                // not closed: it would close the shared backbone; its manager is freed with foldManager
                Detector scorer = new Detector(method, config, foldManager, pre, backbone, net);
                normalisePositions(scorer, net, rest);
                List<Integer> members = new ArrayList<>(fold);
                java.util.Collections.sort(members);
                thresholds.scoreImages(scorer, images, members, out::add);
                net.close();
            }
        }
        return out;
    }

}
