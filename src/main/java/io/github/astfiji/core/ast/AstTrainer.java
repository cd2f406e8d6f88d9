package io.github.astfiji.core.ast;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.FloatArrays;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.Preprocessing;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreMode;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.nn.Params;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains AST in the paper's two phases on normal images only. Features are extracted
 * once and cached; the teacher's outputs are cached for the student phase, so neither
 * phase reruns the backbone. Nothing is written here: the caller saves the model only
 * when training finished, so a cancel leaves no half-written file.
 */
public final class AstTrainer {

    /** Loss per epoch of each phase, for reports and tests. */
    public static final class History {
        public final double[] teacherLoss;
        public final double[] studentLoss;
        public double featureSeconds;
        public double teacherSeconds;
        public double studentSeconds;

        History(int teacherEpochs, int studentEpochs) {
            teacherLoss = new double[teacherEpochs];
            studentLoss = new double[studentEpochs];
        }
    }

    private static final int CALIBRATION_IMAGES = 32;
    private final AstConfig config;
    private final Progress progress;
    private History history;

    public AstTrainer(AstConfig config, Progress progress) {
        config.validate();
        this.config = config;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    public History history() {
        return history;
    }

    /**
     * Trains a model. The backbone is taken over by the returned model (and closed with it,
     * or here if training fails).
     */
    public AnomalyModel train(List<ImageSource> images, Backbone backbone, NDManager parent) throws IOException {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images were given");
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) config.seed);
        NDManager modelManager = parent.newSubManager();
        AstNetwork network = null;
        try {
            Preprocessing pre = checkAndFitPreprocessing(images);
            int grid = config.imageSize / backbone.stride();
            if (grid < 2) {
                throw new IllegalArgumentException("image size " + config.imageSize + " gives a feature map smaller than 2x2 with a stride-"
                        + backbone.stride() + " backbone; raise the image size");
            }
            network = new AstNetwork(modelManager, config, config.featureChannels(backbone.channels()));
            AnomalyModel model = new AnomalyModel(modelManager, pre, backbone, network);
            history = new History(config.teacherEpochs, config.studentEpochs);
            try (NDManager cache = parent.newSubManager()) {
                long t0 = System.nanoTime();
                List<ImageSource> fit = new ArrayList<>();
                List<ImageSource> held = new ArrayList<>();
                splitForCalibration(images, fit, held);
                if (backbone.needsCalibration() && config.input.usesImage()) {
                    calibrate(fit, model, cache);
                }
                NDList fitCache = extractAll(fit, model, cache);
                NDArray features = fitCache.get(0);
                NDArray masks = fitCache.get(1);
                history.featureSeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                trainTeacher(network, features, masks, cache);
                history.teacherSeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                NDArray targets = teacherOutputs(network, features, cache);
                trainStudent(network, features, targets, masks, cache);
                history.studentSeconds = (System.nanoTime() - t0) / 1e9;
                if (held.isEmpty()) {
                    computeStats(model, features, masks, cache, "training");
                } else {
                    NDList heldCache = extractAll(held, model, cache);
                    computeStats(model, heldCache.get(0), heldCache.get(1), cache, "held-out");
                }
            }
            return model;
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
        java.util.Set<Integer> heldIdx = new java.util.HashSet<>();
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

    private void calibrate(List<ImageSource> images, AnomalyModel model, NDManager cache) throws IOException {
        int n = Math.min(CALIBRATION_IMAGES, images.size());
        progress.stage("Calibrating backbone", n);
        List<NDArray> batches = new ArrayList<>();
        int s = config.imageSize;
        try (NDManager scope = cache.newSubManager()) {
            List<float[]> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                progress.checkCancelled();
                int idx = (int) ((long) i * images.size() / n);
                pending.add(model.preprocessing().apply(load(images.get(idx))));
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
            model.backbone().calibrate(batches);
        }
    }

    /**
     * Runs every image (and depth map) through preprocessing and the backbone once:
     * returns the (N, C, g, g) network inputs and (N, g, g) foreground masks (1/0, all ones
     * where an image has no mask).
     */
    private NDList extractAll(List<ImageSource> images, AnomalyModel model, NDManager cache) throws IOException {
        progress.stage("Extracting features", images.size());
        List<NDArray> parts = new ArrayList<>();
        int g = model.gridSize();
        float[] m = new float[images.size() * g * g];
        for (int start = 0; start < images.size(); start += config.batchSize) {
            progress.checkCancelled();
            int end = Math.min(images.size(), start + config.batchSize);
            List<AnomalyModel.Input> batch = new ArrayList<>();
            for (int i = start; i < end; i++) {
                AnomalyModel.Input in = prepare(images.get(i), model);
                boolean[] fg = model.gridMask(in.mask, in.image.width(), in.image.height());
                for (int k = 0; k < g * g; k++) {
                    m[i * g * g + k] = fg == null || fg[k] ? 1f : 0f;
                }
                batch.add(in);
            }
            try (NDManager scope = cache.newSubManager()) {
                NDArray f = model.networkInput(scope, batch);
                f.attach(cache);
                parts.add(f);
            }
            progress.step(end, null);
        }
        NDArray all = NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
        parts.forEach(NDArray::close);
        return new NDList(all, cache.create(m, new Shape(images.size(), g, g)));
    }

    /** Loads one training image with its depth and mask; problems name the image. */
    private static AnomalyModel.Input prepare(ImageSource src, AnomalyModel model) throws IOException {
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
            return model.prepare(im, depth, mask);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("training image " + src.name() + ": " + e.getMessage(), e);
        }
    }

    private Optimizer adam() {
        return Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(config.learningRate))
                .optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f)
                .optWeightDecays(config.weightDecay)
                // element-wise gradient clipping: one outlier batch must not throw the flow off
                .optClipGrad(config.gradientClip)
                .build();
    }

    /** Sum of loss*mask over the sum of mask: the masked per-pixel mean. */
    static NDArray maskedMean(NDArray perPixel, NDArray mask) {
        return perPixel.mul(mask).sum().div(mask.sum().maximum(1f));
    }

    private int[][] batches(int n, Random rng) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(Arrays.asList(order), rng);
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

    private interface StepLoss {
        NDArray compute(NDArray idx, NDManager step);
    }

    /**
     * Rows of a cached tensor, attached to the step's scope. DJL attaches an op's result
     * to its input's manager, so without this every intermediate of the step would pile
     * up in the long-lived cache.
     */
    static NDArray rows(NDArray source, NDArray idx, NDManager scope) {
        NDArray r = source.get(idx);
        r.attach(scope);
        return r;
    }

    static NDArray rows(NDArray source, long start, long end, NDManager scope) {
        NDArray r = source.get(start + ":" + end);
        r.attach(scope);
        return r;
    }

    /** Runs one phase: epochs of shuffled mini-batches, Adam on the named parameters. */
    private void runPhase(String stageName, int epochs, long n, Params params, List<String> names,
                          double[] lossOut, NDManager cache, long seedOffset, StepLoss lossFn) {
        progress.stage(stageName, epochs);
        Optimizer opt = adam();
        Random rng = new Random(config.seed * 31 + seedOffset);
        for (String name : names) {
            params.get(name).setRequiresGradient(true);
        }
        int badSteps = 0;
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                double sum = 0;
                int count = 0;
                for (int[] batch : batches((int) n, rng)) {
                    progress.checkCancelled();
                    try (NDManager step = cache.newSubManager()) {
                        NDArray idx = step.create(batch);
                        float value;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray loss = lossFn.compute(idx, step);
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

    private void trainTeacher(AstNetwork net, NDArray features, NDArray masks, NDManager cache) {
        List<String> names = net.params().trainableNames().stream().filter(s -> s.startsWith("teacher.")).toList();
        runPhase("Training teacher (flow)", config.teacherEpochs, features.getShape().get(0), net.params(), names,
                history.teacherLoss, cache, 1, (idx, step) -> {
                    NDList out = net.teacherForward(rows(features, idx, step));
                    return maskedMean(CouplingFlow.nll(out.get(0), out.get(1)), rows(masks, idx, step));
                });
    }

    private NDArray teacherOutputs(AstNetwork net, NDArray features, NDManager cache) {
        List<NDArray> parts = new ArrayList<>();
        long n = features.getShape().get(0);
        for (long start = 0; start < n; start += config.batchSize) {
            try (NDManager scope = cache.newSubManager()) {
                NDArray z = net.teacherForward(rows(features, start, Math.min(n, start + config.batchSize), scope)).get(0);
                z.attach(cache);
                parts.add(z);
            }
        }
        NDArray all = NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
        parts.forEach(NDArray::close);
        return all;
    }

    private void trainStudent(AstNetwork net, NDArray features, NDArray targets, NDArray masks, NDManager cache) {
        List<String> names = net.params().trainableNames().stream().filter(s -> s.startsWith("student.")).toList();
        runPhase("Training student", config.studentEpochs, features.getShape().get(0), net.params(), names,
                history.studentLoss, cache, 2, (idx, step) -> {
                    NDArray zs = net.studentForward(rows(features, idx, step), true);
                    return maskedMean(AstNetwork.distance(rows(targets, idx, step), zs), rows(masks, idx, step));
                });
    }

    /** Score statistics of both maps over the training images' foreground. */
    private void computeStats(AnomalyModel model, NDArray features, NDArray masks, NDManager cache, String source) {
        long n = features.getShape().get(0);
        List<float[]> imageScores = List.of(new float[(int) n], new float[(int) n]);
        List<List<float[]>> pixelMaps = List.of(new ArrayList<>(), new ArrayList<>());
        for (long start = 0; start < n; start += config.batchSize) {
            long end = Math.min(n, start + config.batchSize);
            try (NDManager scope = cache.newSubManager()) {
                NDList maps = model.network().maps(rows(features, start, end, scope));
                float[] mk = rows(masks, start, end, scope).toFloatArray();
                int h = (int) maps.get(0).getShape().get(1);
                int w = (int) maps.get(0).getShape().get(2);
                for (int mode = 0; mode < 2; mode++) {
                    float[] all = maps.get(mode).toFloatArray();
                    for (int i = 0; i < end - start; i++) {
                        float[] grid = Arrays.copyOfRange(all, i * h * w, (i + 1) * h * w);
                        boolean[] fg = new boolean[h * w];
                        boolean partial = false;
                        for (int k = 0; k < fg.length; k++) {
                            fg[k] = mk[i * h * w + k] > 0;
                            partial |= !fg[k];
                        }
                        ScoreResult r = new ScoreResult(grid, w, h, partial ? fg : null, config.imageScore);
                        imageScores.get(mode)[(int) (start + i)] = r.score;
                        float[] kept = new float[grid.length];
                        int c = 0;
                        for (int k = 0; k < grid.length; k++) {
                            if (fg[k]) {
                                kept[c++] = grid[k];
                            }
                        }
                        pixelMaps.get(mode).add(Arrays.copyOf(kept, c));
                    }
                }
            }
        }
        ScoreMode[] modes = {ScoreMode.AST, ScoreMode.TEACHER_NLL};
        for (int mode = 0; mode < 2; mode++) {
            float[] px = FloatArrays.concat(pixelMaps.get(mode));
            model.setStats(modes[mode], ScoreStats.of(imageScores.get(mode), px, config.targetFpr, source));
        }
    }
}
