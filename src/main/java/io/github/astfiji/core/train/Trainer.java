package io.github.astfiji.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.astfiji.core.FloatArrays;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.Preprocessing;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.DetectorConfig;
import io.github.astfiji.core.detector.Method;
import io.github.astfiji.core.detector.MethodNetwork;
import io.github.astfiji.core.detector.Scores;
import io.github.astfiji.core.nn.Params;

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

        /** Losses per epoch of the phase with this name. */
        public double[] loss(String phase) {
            int i = phases.indexOf(phase);
            if (i < 0) {
                throw new IllegalArgumentException("no phase '" + phase + "' (phases: " + phases + ")");
            }
            return losses.get(i);
        }

        public double totalSeconds() {
            double s = featureSeconds;
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
                splitForCalibration(images, fit, held);
                if (backbone.needsCalibration() && config.input.usesImage()) {
                    calibrate(fit, detector, cache);
                }
                TrainingSet data = extractAll(fit, detector, cache);
                history.featureSeconds = (System.nanoTime() - t0) / 1e9;
                for (TrainingPhase phase : network.phases()) {
                    t0 = System.nanoTime();
                    phase.begin(data);
                    history.phases.add(phase.name());
                    history.losses.add(runPhase(phase, network.params(), data));
                    history.seconds.add((System.nanoTime() - t0) / 1e9);
                }
                if (held.isEmpty()) {
                    computeStats(detector, fit, "training");
                } else {
                    computeStats(detector, held, "held-out");
                }
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
            progress.step(i + 1, src.name());
        }
        float[] pooled = FloatArrays.concat(samples);
        FloatImage probe = new FloatImage(pooled.length, 1, 1, first.bitDepth(), pooled);
        Preprocessing p = Preprocessing.fit(List.of(probe), config.imageSize);
        p.channels = first.channels();
        return p;
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
                pending.add(detector.preprocessing().apply(load(images.get(idx))));
                if (pending.size() == config.batchSize || i == n - 1) {
                    float[] b = new float[pending.size() * 3 * s * s];
                    for (int k = 0; k < pending.size(); k++) {
                        System.arraycopy(pending.get(k), 0, b, k * 3 * s * s, 3 * s * s);
                    }
                    batches.add(scope.create(b, new Shape(pending.size(), 3, s, s)));
                    pending.clear();
                }
                progress.step(i + 1, null);
            }
            detector.backbone().calibrate(batches);
        }
    }

    /**
     * Runs every image (and depth map) through preprocessing and the backbone once: the
     * network inputs per scale and (N, g, g) foreground masks (1/0, all ones where an image
     * has no mask).
     */
    private TrainingSet extractAll(List<ImageSource> images, Detector detector, NDManager cache) throws IOException {
        progress.stage("Extracting features", images.size());
        List<List<NDArray>> parts = new ArrayList<>();
        int g = detector.gridSize();
        float[] m = new float[images.size() * g * g];
        for (int start = 0; start < images.size(); start += config.batchSize) {
            progress.checkCancelled();
            int end = Math.min(images.size(), start + config.batchSize);
            List<Detector.Input> batch = new ArrayList<>();
            for (int i = start; i < end; i++) {
                Detector.Input in = prepare(images.get(i), detector);
                boolean[] fg = detector.gridMask(in.mask, in.image.width(), in.image.height());
                for (int k = 0; k < g * g; k++) {
                    m[i * g * g + k] = fg == null || fg[k] ? 1f : 0f;
                }
                batch.add(in);
            }
            try (NDManager scope = cache.newSubManager()) {
                NDList f = detector.inputs(scope, batch);
                for (int s = 0; s < f.size(); s++) {
                    if (parts.size() <= s) {
                        parts.add(new ArrayList<>());
                    }
                    f.get(s).attach(cache);
                    parts.get(s).add(f.get(s));
                }
            }
            progress.step(end, null);
        }
        NDList inputs = new NDList();
        for (List<NDArray> scale : parts) {
            inputs.add(NDArrays.concat(new NDList(scale.toArray(new NDArray[0])), 0));
            scale.forEach(NDArray::close);
        }
        return new TrainingSet(cache, inputs, cache.create(m, new Shape(images.size(), g, g)));
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

    private Optimizer adam() {
        return Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(config.learningRate))
                .optBeta1(config.beta1).optBeta2(config.beta2).optEpsilon(1e-8f)
                .optWeightDecays(config.weightDecay)
                // element-wise clipping: one outlier batch must not throw a flow off; a huge bound = off
                .optClipGrad(config.gradientClip > 0 ? config.gradientClip : Float.MAX_VALUE)
                .build();
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

    /** Runs one phase: epochs of shuffled mini-batches, Adam on the phase's parameters; returns the loss per epoch. */
    private double[] runPhase(TrainingPhase phase, Params params, TrainingSet data) {
        String stageName = "Training " + phase.name();
        List<String> names = phase.parameters();
        double[] lossOut = new double[phase.epochs()];
        progress.stage(stageName, phase.epochs());
        Optimizer opt = adam();
        // one stream per phase, so a phase's shuffling does not depend on the phases before it
        Random rng = new Random(config.seed * 31 + history.phases.size());
        for (String name : names) {
            params.get(name).setRequiresGradient(true);
        }
        int badSteps = 0;
        try {
            for (int epoch = 0; epoch < phase.epochs(); epoch++) {
                double sum = 0;
                int count = 0;
                for (int[] batch : batches((int) data.size(), rng)) {
                    progress.checkCancelled();
                    try (NDManager step = data.manager().newSubManager()) {
                        TrainingSet.Batch b = new TrainingSet.Batch(data, step.create(batch), step);
                        float value;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray loss = phase.loss(b);
                            value = loss.getFloat();
                            if (Float.isFinite(value)) {
                                gc.backward(loss);
                            }
                        }
                        boolean ok = Float.isFinite(value) && applyStep(opt, params, names, step);
                        // A non-finite loss or gradient skips the step instead of poisoning the weights;
                        // only repeated failures mean the training itself diverged.
                        badSteps = ok ? 0 : badSteps + 1;
                        if (badSteps >= 3) {
                            throw new IllegalStateException(stageName + " diverged (loss " + value + ") at epoch " + (epoch + 1)
                                    + "; lower the learning rate or check the images for extreme values");
                        }
                        if (ok) {
                            sum += value * batch.length;
                            count += batch.length;
                        }
                    }
                }
                lossOut[epoch] = sum / Math.max(1, count);
                progress.step(epoch + 1, String.format("loss %.4f", lossOut[epoch]));
            }
        } finally {
            for (String name : names) {
                params.get(name).setRequiresGradient(false);
            }
        }
        return lossOut;
    }

    /**
     * Adam step on every named parameter if all gradients are finite; gradients are reset
     * either way (to exact zeros: 0 * NaN would stay NaN). Returns whether it stepped.
     */
    private static boolean applyStep(Optimizer opt, Params params, List<String> names, NDManager step) {
        List<NDArray> grads = new ArrayList<>();
        boolean finite = true;
        try {
            for (String name : names) {
                NDArray g = params.get(name).getGradient();
                g.attach(step); // results of ops on g land in g's manager: keep them in the step's scope
                grads.add(g);
                if (finite && g.isInfinite().logicalOr(g.isNaN()).any().getBoolean()) {
                    finite = false;
                }
            }
            for (int k = 0; k < names.size(); k++) {
                NDArray g = grads.get(k);
                if (finite) {
                    opt.update(names.get(k), params.get(names.get(k)), g);
                    g.muli(0f); // PyTorch accumulates gradients: reset for the next step
                } else {
                    g.set(new float[(int) g.size()]);
                }
            }
            return finite;
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /**
     * Score statistics of every map on normal images the networks did not fit (or, with
     * few images, on the training images), scored exactly as detection scores them.
     */
    private void computeStats(Detector detector, List<ImageSource> images, String source) throws IOException {
        int maps = detector.method().mapNames().size();
        float[][] imageScores = new float[maps][images.size()];
        List<List<float[]>> pixels = new ArrayList<>();
        for (int k = 0; k < maps; k++) {
            pixels.add(new ArrayList<>());
        }
        progress.stage("Measuring normal scores", images.size());
        for (int start = 0; start < images.size(); start += config.batchSize) {
            progress.checkCancelled();
            int end = Math.min(images.size(), start + config.batchSize);
            List<Detector.Input> batch = new ArrayList<>();
            for (int i = start; i < end; i++) {
                batch.add(prepare(images.get(i), detector));
            }
            List<Scores> scored = detector.score(batch);
            for (int i = start; i < end; i++) {
                for (int k = 0; k < maps; k++) {
                    ScoreResult r = scored.get(i - start).get(k);
                    imageScores[k][i] = r.score;
                    pixels.get(k).add(r.foregroundValues());
                }
            }
            progress.step(end, null);
        }
        for (int k = 0; k < maps; k++) {
            detector.setStats(detector.method().mapNames().get(k),
                    ScoreStats.of(imageScores[k], FloatArrays.concat(pixels.get(k)), config.targetFpr, source));
        }
    }
}
