package io.github.astfiji.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.FloatArrays;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.Preprocessing;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.DetectorConfig;
import io.github.astfiji.core.detector.Method;
import io.github.astfiji.core.detector.MethodNetwork;
import io.github.astfiji.core.detector.Scores;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.tiling.Layout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
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

    private static final int CALIBRATION_IMAGES = 32;
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
            Preprocessing pre = checkAndFitPreprocessing(images);
            int grid = config.imageSize / backbone.stride();
            if (grid < 2) {
                throw new IllegalArgumentException("image size " + config.imageSize + " gives a feature map smaller than 2x2 with a stride-"
                        + backbone.stride() + " backbone; raise the image size");
            }
            network = method.build(modelManager, config, Detector.inputChannels(method, config, backbone));
            Detector detector = new Detector(method, config, modelManager, pre, backbone, network);
            history = new History();
            try (NDManager cache = parent.newSubManager()) {
                long t0 = System.nanoTime();
                List<ImageSource> fit = new ArrayList<>();
                List<ImageSource> held = new ArrayList<>();
                int folds = Math.min(config.calibrationFolds, images.size());
                if (folds >= 2) {
                    fit.addAll(images);
                } else {
                    splitForCalibration(images, fit, held);
                }
                if (backbone.needsCalibration() && config.input.usesImage()) {
                    calibrate(fit, detector, cache);
                }
                TrainingSet data = extractAll(fit, detector, cache);
                history.featureSeconds = (System.nanoTime() - t0) / 1e9;
                NormalScores outOfFold = null;
                if (folds >= 2) {
                    t0 = System.nanoTime();
                    outOfFold = scoreByFolds(folds, fit, data, pre, backbone, parent);
                    history.foldSeconds = (System.nanoTime() - t0) / 1e9;
                }
                t0 = System.nanoTime();
                network.prepare(data);
                history.calibrationSeconds = (System.nanoTime() - t0) / 1e9;
                for (TrainingPhase phase : network.phases()) {
                    t0 = System.nanoTime();
                    phase.begin(data);
                    history.phases.add(phase.name());
                    history.losses.add(runPhase(phase, network.params(), data));
                    history.seconds.add((System.nanoTime() - t0) / 1e9);
                }
                progress.checkCancelled();
                t0 = System.nanoTime();
                network.calibrate(data);
                history.calibrationSeconds += (System.nanoTime() - t0) / 1e9;
                if (outOfFold != null) {
                    outOfFold.setStats(detector, folds + "-fold", true);
                } else if (held.isEmpty()) {
                    computeStats(detector, fit, "training");
                } else {
                    computeStats(detector, held, "held-out");
                }
                if (outOfFold != null || !held.isEmpty()) {
                    measureTrainingScores(detector, fit);
                }
                refuseUnusable(detector);
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

    /**
     * Holds out an evenly spaced share of the normal images for threshold calibration, so
     * thresholds come from images the networks never fitted. Below 10 images all are used
     * for training and the statistics come from the training images themselves.
     */
    void splitForCalibration(List<ImageSource> images, List<ImageSource> fit, List<ImageSource> held) {
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

    /** One pass over the images: consistent channels and bit depth, and intensity percentiles. */
    private Preprocessing checkAndFitPreprocessing(List<ImageSource> images) throws IOException {
        progress.stage("Checking training images", images.size());
        FloatImage first = null;
        String firstName = null;
        List<float[]> samples = new ArrayList<>();
        int[] widths = new int[images.size()];
        int[] heights = new int[images.size()];
        int perImage = Math.max(1000, 2_000_000 / images.size());
        for (int i = 0; i < images.size(); i++) {
            progress.checkCancelled();
            ImageSource src = images.get(i);
            FloatImage im = load(src);
            if (first == null) {
                first = im;
                firstName = src.name();
            } else if (im.channels() != first.channels() || is8(im) != is8(first)) {
                throw new IllegalArgumentException("training image " + src.name() + " is " + describe(im)
                        + " but " + firstName + " is " + describe(first)
                        + "; all training images must have the same type (convert them, or train separate models)");
            }
            String bad = Preprocessing.nonFinite(im);
            if (bad != null) {
                throw new IllegalArgumentException("training image " + src.name() + ": " + bad);
            }
            float[] d = im.data();
            int step = Math.max(1, d.length / perImage);
            float[] s = new float[(d.length + step - 1) / step];
            for (int k = 0, j = 0; j < d.length; j += step) {
                s[k++] = d[j];
            }
            samples.add(s);
            widths[i] = im.width();
            heights[i] = im.height();
            progress.step(i + 1, src.name());
        }
        resolveSizing(median(widths), median(heights));
        float[] pooled = FloatArrays.concat(samples);
        FloatImage probe = new FloatImage(pooled.length, 1, 1, first.bitDepth(), pooled);
        Preprocessing p = Preprocessing.fit(List.of(probe), config.imageSize);
        p.channels = first.channels();
        return p;
    }

    /**
     * Records the training images' typical size and decides "auto" sizing: tiles at full
     * resolution for images more than twice the network input, the whole image fitted
     * otherwise; depth keeps the papers' resizing (its foreground and channels are computed
     * on the whole map).
     */
    private void resolveSizing(int width, int height) {
        config.trainingWidth = width;
        config.trainingHeight = height;
        if (config.sizing.equals("auto")) {
            config.sizing = config.input.usesDepth() ? "resize" : Math.max(width, height) > 2 * config.imageSize ? "tile" : "fit";
        }
        if (config.input.usesDepth() && !config.sizing.equals("resize")) {
            throw new IllegalArgumentException("depth input works with the whole image resized (sizing resize), not " + config.sizing);
        }
    }

    private static int median(int[] v) {
        int[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static boolean is8(FloatImage im) {
        return im.bitDepth() == 8 || im.bitDepth() == 24;
    }

    private static String describe(FloatImage im) {
        return (im.channels() == 1 ? "grayscale " : "RGB ") + (im.bitDepth() == 24 ? 8 : im.bitDepth()) + "-bit";
    }

    private static FloatImage load(ImageSource src) throws IOException {
        try {
            return src.load();
        } catch (IOException e) {
            throw new IOException("cannot read training image " + src.name() + ": " + e.getMessage(), e);
        }
    }

    private void calibrate(List<ImageSource> images, Detector detector, NDManager cache) throws IOException {
        int n = Math.min(CALIBRATION_IMAGES, images.size());
        progress.stage("Calibrating backbone", n);
        List<NDArray> batches = new ArrayList<>();
        int s = config.imageSize;
        try (NDManager scope = cache.newSubManager()) {
            List<float[]> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                progress.checkCancelled();
                int idx = (int) ((long) i * images.size() / n);
                FloatImage im = load(images.get(idx));
                if (detector.sizing() == Layout.Sizing.RESIZE) {
                    pending.add(detector.preprocessing().apply(im));
                } else {
                    // one view per image is enough for feature statistics
                    List<float[][]> views = trainingViews(detector.prepare(im, null, null), detector);
                    pending.add(views.get(views.size() / 2)[0]);
                }
                if (pending.size() == config.batchSize || i == n - 1) {
                    batches.add(scope.create(concatenated(pending), new Shape(pending.size(), 3, s, s)));
                    pending.clear();
                }
                progress.step(i + 1, null);
            }
            detector.backbone().calibrate(batches);
        }
    }

    private static float[] concatenated(List<float[]> parts) {
        return FloatArrays.concat(parts);
    }

    /**
     * The training views of a fitted or tiled image: its preprocessed network inputs and
     * the content mask of each at the deepest feature grid (mirrored padding excluded from
     * the losses). Tiles lie side by side; at most maxTilesPerImage, evenly spread.
     */
    private List<float[][]> trainingViews(Detector.Input in, Detector detector) {
        Layout layout = detector.layout(in.image.width(), in.image.height(), true);
        List<Layout.View> all = layout.views;
        int k = Math.min(all.size(), config.maxTilesPerImage);
        List<float[][]> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Layout.View v = all.get((int) ((long) i * all.size() / k));
            out.add(new float[][] {detector.preprocessing().apply(layout.pixels(in.image, v)),
                layout.contentMask(v, detector.backbone().stride())});
        }
        return out;
    }

    /**
     * Runs every image (and depth map) through preprocessing and the backbone once: the
     * network inputs per scale (one row per image, or per view when fitting or tiling) and
     * (N, g, g) foreground masks (1/0, all ones where an image has no mask).
     */
    private TrainingSet extractAll(List<ImageSource> images, Detector detector, NDManager cache) throws IOException {
        progress.stage("Extracting features", images.size());
        boolean resize = detector.sizing() == Layout.Sizing.RESIZE;
        List<List<NDArray>> parts = new ArrayList<>();
        int g = detector.gridSize();
        List<float[]> masks = new ArrayList<>();
        List<Integer> imageOf = new ArrayList<>();
        List<Detector.Input> pendingImages = new ArrayList<>();
        List<float[]> pendingViews = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            progress.checkCancelled();
            Detector.Input in = prepare(images.get(i), detector);
            if (resize) {
                boolean[] fg = detector.gridMask(in.mask, in.image.width(), in.image.height());
                float[] m = new float[g * g];
                for (int k = 0; k < m.length; k++) {
                    m[k] = fg == null || fg[k] ? 1f : 0f;
                }
                masks.add(m);
                imageOf.add(i);
                pendingImages.add(in);
            } else {
                for (float[][] v : trainingViews(in, detector)) {
                    pendingViews.add(v[0]);
                    masks.add(v[1]);
                    imageOf.add(i);
                }
            }
            boolean last = i == images.size() - 1;
            while (pendingImages.size() >= config.batchSize || pendingViews.size() >= config.batchSize
                    || (last && (!pendingImages.isEmpty() || !pendingViews.isEmpty()))) {
                try (NDManager scope = cache.newSubManager()) {
                    NDList f;
                    if (resize) {
                        List<Detector.Input> batch = new ArrayList<>(pendingImages.subList(0, Math.min(config.batchSize, pendingImages.size())));
                        pendingImages.subList(0, batch.size()).clear();
                        f = detector.inputs(scope, batch);
                    } else {
                        List<float[]> batch = new ArrayList<>(pendingViews.subList(0, Math.min(config.batchSize, pendingViews.size())));
                        pendingViews.subList(0, batch.size()).clear();
                        f = detector.features(scope, concatenated(batch), batch.size());
                    }
                    for (int sc = 0; sc < f.size(); sc++) {
                        if (parts.size() <= sc) {
                            parts.add(new ArrayList<>());
                        }
                        f.get(sc).attach(cache);
                        parts.get(sc).add(f.get(sc));
                    }
                }
            }
            progress.step(i + 1, null);
        }
        NDList inputs = new NDList();
        for (List<NDArray> scale : parts) {
            inputs.add(NDArrays.concat(new NDList(scale.toArray(new NDArray[0])), 0));
            scale.forEach(NDArray::close);
        }
        return new TrainingSet(cache, inputs, cache.create(FloatArrays.concat(masks), new Shape(masks.size(), g, g)),
                imageOf.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Loads one image with its depth and mask; problems name the image. */
    private static Detector.Input prepare(ImageSource src, Detector detector) throws IOException {
        FloatImage im = load(src);
        DepthMap depth;
        float[] mask;
        try {
            depth = src.depth();
            mask = src.mask();
        } catch (IOException e) {
            throw new IOException("cannot read the depth or mask of training image " + src.name() + ": " + e.getMessage(), e);
        }
        try {
            return detector.prepare(im, depth, mask);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("training image " + src.name() + ": " + e.getMessage(), e);
        }
    }

    private int[][] batches(int n, Random rng) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Collections.shuffle(Arrays.asList(order), rng);
        int count = (n + config.batchSize - 1) / config.batchSize;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            int start = b * config.batchSize;
            int end = Math.min(n, start + config.batchSize);
            out[b] = new int[end - start];
            for (int i = start; i < end; i++) {
                out[b][i - start] = order[i];
            }
        }
        return out;
    }

    /** Image and pixel scores of normal images per map, as the statistics want them. */
    private final class NormalScores {
        final float[][] imageScores;
        final float[][][] pixels;

        NormalScores(int maps, int n) {
            imageScores = new float[maps][n];
            pixels = new float[maps][n][];
        }

        void add(int image, Scores s) {
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
                        + "absurd scores from the fold models; lower the learning rate, or use --calibration-folds 0 (calibration_folds=0)");
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
    private void scoreImages(Detector scorer, List<ImageSource> images, List<Integer> ids,
                             java.util.function.BiConsumer<Integer, Scores> sink) throws IOException {
        for (int start = 0; start < ids.size(); start += config.batchSize) {
            progress.checkCancelled();
            List<Integer> part = ids.subList(start, Math.min(ids.size(), start + config.batchSize));
            List<Detector.Input> batch = new ArrayList<>();
            for (int i : part) {
                batch.add(prepare(images.get(i), scorer));
            }
            List<Scores> scored = scorer.score(batch);
            for (int j = 0; j < part.size(); j++) {
                sink.accept(part.get(j), scored.get(j));
            }
        }
    }

    /**
     * k-fold calibration: for each fold of the images (every k-th image), a model of the same
     * settings trains on the other folds' cached features and scores the fold's images, so
     * every normal image is scored once by a model that never saw it. The fold models share
     * the backbone (its feature statistics come from all images) and are freed after use.
     */
    private NormalScores scoreByFolds(int k, List<ImageSource> images, TrainingSet data, Preprocessing pre, Backbone backbone,
                                      NDManager parent) throws IOException {
        NormalScores out = new NormalScores(method.mapNames().size(), images.size());
        for (int f = 0; f < k; f++) {
            java.util.Set<Integer> fold = new HashSet<>();
            for (int i = f; i < images.size(); i += k) {
                fold.add(i);
            }
            try (NDManager foldManager = parent.newSubManager()) {
                MethodNetwork net = method.build(foldManager, config, Detector.inputChannels(method, config, backbone));
                TrainingSet rest = data.without(fold, foldManager);
                net.prepare(rest);
                for (TrainingPhase phase : net.phases()) {
                    phase.begin(rest);
                    runPhase(phase, net.params(), rest, String.format("Fold %d/%d: training %s", f + 1, k, phase.name()),
                            config.seed * 31 + 100 * (f + 1));
                }
                net.calibrate(rest);
                // not closed: it would close the shared backbone; its manager is freed with foldManager
                Detector scorer = new Detector(method, config, foldManager, pre, backbone, net);
                List<Integer> members = new ArrayList<>(fold);
                java.util.Collections.sort(members);
                scoreImages(scorer, images, members, out::add);
                net.close();
            }
        }
        return out;
    }

    /** Runs one phase: epochs of shuffled mini-batches, Adam on the phase's parameters; returns the loss per epoch. */
    private double[] runPhase(TrainingPhase phase, Params params, TrainingSet data) {
        return runPhase(phase, params, data, "Training " + phase.name(), config.seed * 31 + history.phases.size());
    }

    /**
     * Epochs of shuffled mini-batches under a {@link DivergenceGuard}: an epoch whose loss
     * diverged is undone (parameters and optimiser state of the last good epoch, a lower
     * learning rate) and run again; what happened goes to the progress line and the history.
     */
    private double[] runPhase(TrainingPhase phase, Params params, TrainingSet data, String stageName, long shuffleSeed) {
        List<String> names = phase.parameters();
        double[] lossOut = new double[phase.epochs()];
        progress.stage(stageName, phase.epochs());
        OptimiserStep step = new OptimiserStep(config.learningRate, config.beta1, config.beta2, config.weightDecay,
                config.gradientClip, config.clipBothSides, stageName);
        // one stream per phase, so a phase's shuffling does not depend on the phases before it
        Random rng = new Random(shuffleSeed);
        for (String name : names) {
            params.get(name).setRequiresGradient(true);
        }
        try (DivergenceGuard guard = new DivergenceGuard(phase.name(), params, names, step)) {
            int epoch = 0;
            while (epoch < phase.epochs()) {
                double loss;
                try {
                    loss = runEpoch(phase, params, data, names, step, rng);
                } catch (OptimiserStep.StepsDiverged e) {
                    loss = Double.NaN;
                }
                if (guard.accept(epoch, loss)) {
                    lossOut[epoch] = loss;
                    epoch++;
                    progress.step(epoch, String.format("loss %.4f", loss));
                } else {
                    String event = guard.events().get(guard.events().size() - 1);
                    if (history != null) {
                        history.recoveries.add(stageName.startsWith("Training ") ? event : stageName + ": " + event);
                    }
                    epoch = guard.resumeEpoch();
                    progress.step(epoch, "recovering: " + event);
                }
            }
        } finally {
            step.close();
            params.releaseGradients(names);
        }
        return lossOut;
    }

    /** One epoch's mini-batches; the mean loss over the steps taken (NaN when none was). */
    private double runEpoch(TrainingPhase phase, Params params, TrainingSet data, List<String> names, OptimiserStep step, Random rng) {
        double sum = 0;
        int count = 0;
        for (int[] batch : batches((int) data.size(), rng)) {
            progress.checkCancelled();
            try (NDManager scope = data.manager().newSubManager()) {
                TrainingSet.Batch b = new TrainingSet.Batch(data, scope.create(batch), scope);
                float value = step.step(params, names, scope, () -> phase.loss(b));
                if (!Float.isNaN(value)) {
                    sum += value * batch.length;
                    count += batch.length;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Images of the training set scored by the final model, for comparison with the held-out scores. */
    private static final int TRAINING_SCORE_SAMPLE = 8;

    /** Sets each map's training median from up to TRAINING_SCORE_SAMPLE evenly spread training images. */
    private void measureTrainingScores(Detector detector, List<ImageSource> fit) throws IOException {
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
    private void refuseUnusable(Detector detector) {
        for (int k = 0; k < method.mapNames().size(); k++) {
            String problem = detector.stats(method.mapNames().get(k)).problem();
            if (problem != null) {
                String recovered = history.recoveries.isEmpty() ? "" : " (training had to recover from "
                        + history.recoveries.size() + " divergence(s))";
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
    private void computeStats(Detector detector, List<ImageSource> images, String source) throws IOException {
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
