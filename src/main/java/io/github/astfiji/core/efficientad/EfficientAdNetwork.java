package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * EfficientAD (Batzner, Heckler, König, WACV 2024) over one parameter set: a frozen PDN
 * teacher whose outputs are standardised per channel with their training-set statistics, a
 * student PDN with twice the teacher's outputs (the first half regresses the teacher, the
 * second half the autoencoder), and the autoencoder. The student-teacher map finds local
 * defects; the student-autoencoder map finds defects of arrangement. Each map is mapped
 * linearly so that its 0.9 and 0.995 quantiles on held-out normal images become 0 and 0.1,
 * the two are averaged, padded by 4 cells and resized to the input.
 */
public final class EfficientAdNetwork implements MethodNetwork {

    /** Quantiles of each map on held-out normal images that become 0 and 0.1 (the paper's). */
    static final double QUANTILE_LOW = 0.9;
    static final double QUANTILE_HIGH = 0.995;
    /** Cells of zeros around the map before resizing (the PDN's border, the paper's 4). */
    static final int MAP_PAD = 4;
    /** Teacher targets of the training images are cached when they take at most this many bytes. */
    private static final long CACHE_BYTES = 1L << 30;
    /** The teacher's standardised outputs on the training images, from beforeTraining (null when too large to keep). */
    private NDArray standardisedTargets;

    private final EfficientAdConfig config;
    private final Params params;
    private final Pdn teacher;
    private final Pdn student;
    private final AutoEncoder autoencoder;
    private final int channels;

    public EfficientAdNetwork(NDManager manager, EfficientAdConfig config) {
        config.validate();
        this.config = config;
        this.params = new Params(manager);
        this.channels = config.teacherChannels;
        SplittableRandom rng = new SplittableRandom(config.seed * 1_000_003L + 17);
        // replaced by the pretrained teacher's weights before training, and by the model file's when loading
        teacher = new Pdn(params, "teacher", config.medium(), config.widthFactor, channels, rng);
        student = new Pdn(params, "student", config.medium(), config.widthFactor, config.autoencoder ? 2 * channels : channels, rng);
        autoencoder = config.autoencoder ? new AutoEncoder(params, config.imageSize, channels, rng) : null;
        params.addBuffer("teacher.mean", Params.constant(channels, 0f), 1, channels, 1, 1);
        params.addBuffer("teacher.std", Params.constant(channels, 1f), 1, channels, 1, 1);
        params.addBuffer("map.quantiles", new float[] {0f, 1f, 0f, 1f}, 4);
    }

    @Override
    public Params params() {
        return params;
    }

    /** The teacher's outputs standardised with the training statistics. */
    public NDArray teacherFeatures(NDArray images) {
        return teacher.forward(images).sub(params.get("teacher.mean")).div(params.get("teacher.std"));
    }

    public NDArray studentFeatures(NDArray images) {
        return student.forward(images);
    }

    /** The autoencoder's reconstruction of the teacher's features (eval mode: no dropout); null when it is off. */
    public NDArray autoencoderFeatures(NDArray images, boolean training) {
        return autoencoder == null ? null : autoencoder.forward(images, training);
    }

    /** Loads the pretrained teacher and measures its per-channel mean and standard deviation on the training images. */
    @Override
    public void beforeTraining(TrainingSet data) {
        PdnTeacher t = config.checkedTeacher;
        config.checkedTeacher = null; // taken once: the weights are copied into params below, the arrays need not stay
        if (t == null) { // settings copied after the check: read it again
            t = PdnTeacher.forSettings(config);
        }
        for (String name : params.names()) {
            if (name.startsWith("teacher.conv")) {
                float[] v = t.weights.get(name);
                if (v == null || v.length != params.get(name).size()) {
                    throw new IllegalArgumentException("the EfficientAD teacher has no " + name + " of this shape; it does not fit these settings");
                }
                params.set(name, v);
            }
        }
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        long[] cells = {0};
        // the teacher runs once over the training images: its outputs give the statistics and, when
        // they fit, stay as the student's standardised targets
        int g = Pdn.outputSize(config.imageSize);
        boolean keep = data.size() * channels * g * g * 4 <= CACHE_BYTES;
        NDList kept = new NDList();
        data.forEachBatch(4, (in, masks, scope) -> {
            NDArray out = teacher.forward(in.get(0));
            float[] s = out.sum(new int[] {0, 2, 3}).toFloatArray();
            float[] s2 = out.square().sum(new int[] {0, 2, 3}).toFloatArray();
            for (int c = 0; c < channels; c++) {
                sum[c] += s[c];
                sumSq[c] += s2[c];
            }
            cells[0] += out.getShape().get(0) * out.getShape().get(2) * out.getShape().get(3);
            if (keep) {
                out.attach(data.manager());
                kept.add(out);
            }
        });
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / cells[0];
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(sumSq[c] / cells[0] - m * m, 0) + 1e-12);
        }
        params.set("teacher.mean", mean);
        params.set("teacher.std", std);
        standardisedTargets = null;
        if (keep) {
            NDArray raw = NDArrays.concat(kept, 0);
            standardisedTargets = raw.sub(params.get("teacher.mean")).div(params.get("teacher.std"));
            raw.close();
            kept.forEach(NDArray::close);
        }
    }

    @Override
    public List<TrainingPhase> phases() {
        return List.of(new Phase());
    }

    /** The student and the autoencoder, trained together with one optimiser as in the paper. */
    private final class Phase implements TrainingPhase {
        private int epochs;
        private PenaltyImages penalty;
        private NDArray cachedTargets;
        private final SplittableRandom augmentRng = new SplittableRandom(config.seed * 7_919 + 3);

        @Override
        public String name() {
            return config.autoencoder ? "student and autoencoder" : "student";
        }

        /** Steps become passes over the training set (the one loop counts passes): at least one. */
        @Override
        public void begin(TrainingSet data) {
            long perEpoch = (data.size() + config.batchSize - 1) / config.batchSize;
            epochs = (int) Math.max(config.steps == 0 ? 0 : 1, (config.steps + perEpoch - 1) / perEpoch);
            if (!PenaltyImages.NONE.equals(config.penaltyImages)) {
                try {
                    penalty = new PenaltyImages(config.penaltyImages, config.imageSize, config.seed, data.manager());
                } catch (IOException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
            cachedTargets = standardisedTargets; // measured in beforeTraining, or null when too large to keep
        }

        @Override
        public int epochs() {
            return epochs;
        }

        @Override
        public int learningRateDropEpoch() {
            return (int) Math.floor(config.learningRateDropAt * epochs);
        }

        @Override
        public List<String> parameters() {
            return params.trainableNames().stream().filter(n -> n.startsWith("student.") || n.startsWith("ae.")).toList();
        }

        @Override
        public NDArray loss(TrainingSet.Batch batch) {
            NDArray x = batch.inputs().get(0);
            NDArray target = cachedTargets != null ? batch.rows(cachedTargets) : null;
            NDArray p = penalty == null ? null : penalty.next(batch.scope());
            NDArray aug = autoencoder == null ? null : augment(x, augmentRng.nextInt(3), 0.8f + 0.4f * augmentRng.nextFloat());
            NDList parts = losses(x, target, p, aug, true);
            NDArray total = parts.get(0);
            for (int i = 1; i < parts.size(); i++) {
                total = total.add(parts.get(i));
            }
            return total;
        }
    }

    /**
     * The paper's three losses for a batch: student-teacher (hard-feature mean, plus the
     * mean square of the student's teacher half on a penalty image when one is given),
     * autoencoder-teacher and student-autoencoder (both on the augmented images, when the
     * autoencoder is on). target: the teacher's standardised features of images when cached
     * (else computed). Dropout only when training.
     */
    public NDList losses(NDArray images, NDArray target, NDArray penaltyImage, NDArray augmented, boolean training) {
        NDArray t = target != null ? target : teacherFeatures(images);
        NDArray s = studentFeatures(images);
        NDArray st = hardFeatureLoss(t, s.get(":, 0:" + channels), config.hardFeatureQuantile);
        if (penaltyImage != null) {
            st = st.add(studentFeatures(penaltyImage).get(":, 0:" + channels).square().mean());
        }
        if (autoencoder == null) {
            return new NDList(st);
        }
        NDArray ae = autoencoder.forward(augmented, training);
        NDArray augTarget = teacherFeatures(augmented);
        NDArray augStudent = studentFeatures(augmented).get(":, " + channels + ":");
        return new NDList(st, augTarget.sub(ae).square().mean(), ae.sub(augStudent).square().mean());
    }

    /**
     * The student-teacher loss without its penalty: the mean of the squared differences at or
     * above their q-quantile (linear interpolation between order statistics, as
     * torch.quantile), so the student spends its capacity where it imitates the teacher worst.
     */
    public static NDArray hardFeatureLoss(NDArray teacher, NDArray student, float q) {
        NDArray d = teacher.sub(student).square();
        float threshold = quantile(d.stopGradient().flatten(), q);
        NDArray keep = d.gte(threshold).toType(DataType.FLOAT32, false).stopGradient();
        return d.mul(keep).sum().div(keep.sum());
    }

    /** The q-quantile of a flat tensor as torch.quantile computes it (linear between the two nearest order statistics). */
    static float quantile(NDArray flat, double q) {
        long n = flat.size();
        double pos = q * (n - 1);
        long lo = (long) Math.floor(pos);
        long hi = (long) Math.ceil(pos);
        int k = (int) (n - lo);
        float[] top = flat.topK(k, 0, true, true).get(0).toFloatArray();
        float vLo = top[(int) (n - 1 - lo)];
        float vHi = top[(int) (n - 1 - hi)];
        return (float) (vLo + (vHi - vLo) * (pos - lo));
    }

    /**
     * One of the paper's colour augmentations on ImageNet-normalised images: kind 0 scales
     * brightness, 1 contrast (towards the image's mean grey), 2 saturation (towards each
     * pixel's grey), by factor f; values stay in [0, 1] before normalising again.
     */
    static NDArray augment(NDArray x, int kind, float f) {
        NDManager m = x.getManager();
        NDArray img = x.mul(m.create(Preprocessing.STD, new Shape(1, 3, 1, 1))).add(m.create(Preprocessing.MEAN, new Shape(1, 3, 1, 1)))
                .clip(0f, 1f);
        NDArray grey = grey(img);
        NDArray out;
        switch (kind) {
            case 0 -> out = img.mul(f);
            case 1 -> out = img.mul(f).add(grey.sum(new int[] {1, 2, 3}, true).div(grey.size() / grey.getShape().get(0)).mul(1 - f));
            default -> out = img.mul(f).add(grey.mul(1 - f));
        }
        return normalise(out.clip(0f, 1f));
    }

    /** Grey (ITU-R 601 luma) of (N, 3, H, W) images in [0, 1], as (N, 1, H, W). */
    static NDArray grey(NDArray img) {
        return img.get(":, 0:1").mul(0.299f).add(img.get(":, 1:2").mul(0.587f)).add(img.get(":, 2:3").mul(0.114f));
    }

    /** (N, 3, H, W) images in [0, 1] normalised as every network input (ImageNet mean and deviation). */
    static NDArray normalise(NDArray img) {
        NDManager m = img.getManager();
        return img.sub(m.create(Preprocessing.MEAN, new Shape(1, 3, 1, 1))).div(m.create(Preprocessing.STD, new Shape(1, 3, 1, 1)));
    }

    /** The raw student-teacher and student-autoencoder maps on the PDN grid, (N, g, g) each (the second null without the autoencoder). */
    public NDList rawMaps(NDArray images) {
        NDArray t = teacherFeatures(images);
        NDArray s = studentFeatures(images);
        NDArray st = t.sub(s.get(":, 0:" + channels)).square().mean(new int[] {1});
        if (autoencoder == null) {
            return new NDList(st);
        }
        NDArray ae = autoencoder.forward(images, false);
        NDArray sae = ae.sub(s.get(":, " + channels + ":")).square().mean(new int[] {1});
        return new NDList(st, sae);
    }

    /** Measures each map's 0.9 and 0.995 quantiles on held-out normal images (the training images when none are held out). */
    @Override
    public void afterTraining(TrainingSet data, Supplier<TrainingSet> heldOut) {
        TrainingSet set = heldOut.get();
        NDArray images = set.inputs().get(0);
        int maps = autoencoder == null ? 1 : 2;
        float[][] values = new float[maps][];
        int g = Pdn.outputSize(config.imageSize);
        long n = images.getShape().get(0);
        for (int k = 0; k < maps; k++) {
            values[k] = new float[(int) (n * g * g)];
        }
        for (long i = 0; i < n; i++) {
            try (NDManager scope = set.manager().newSubManager()) {
                NDArray x = images.get(i + ":" + (i + 1));
                x.attach(scope);
                NDList raw = rawMaps(x);
                for (int k = 0; k < maps; k++) {
                    System.arraycopy(raw.get(k).toFloatArray(), 0, values[k], (int) (i * g * g), g * g);
                }
            }
        }
        float[] q = {0f, 1f, 0f, 1f};
        for (int k = 0; k < maps; k++) {
            float[] sorted = values[k].clone();
            Arrays.sort(sorted);
            q[2 * k] = sortedQuantile(sorted, QUANTILE_LOW);
            q[2 * k + 1] = sortedQuantile(sorted, QUANTILE_HIGH);
            if (!(q[2 * k + 1] > q[2 * k])) {
                // a map that is flat on normal images cannot be scaled by its quantiles: keep its scale
                q[2 * k + 1] = q[2 * k] + 1e-6f;
            }
        }
        params.set("map.quantiles", q);
    }

    static float sortedQuantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return (float) (sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
    }

    /**
     * The maps at the network input's size: the combined EfficientAD map (the primary) and
     * the student-teacher map alone (a patch-only baseline reported beside it), each
     * quantile-normalised, padded by 4 cells and resized bilinearly; (N, S, S) each.
     */
    @Override
    public NDList maps(NDList inputs) {
        NDList raw = rawMaps(inputs.get(0));
        float[] q = params.get("map.quantiles").toFloatArray();
        NDArray st = raw.get(0).sub(q[0]).mul(0.1f / (q[1] - q[0]));
        NDArray combined = st;
        if (raw.size() > 1) {
            NDArray ae = raw.get(1).sub(q[2]).mul(0.1f / (q[3] - q[2]));
            combined = st.mul(0.5f).add(ae.mul(0.5f));
        }
        return new NDList(toInput(combined), toInput(st));
    }

    private NDArray toInput(NDArray map) {
        int s = config.imageSize;
        NDArray padded = map.expandDims(1).pad(new Shape(MAP_PAD, MAP_PAD, MAP_PAD, MAP_PAD), 0);
        return AutoEncoder.bilinear(padded, s, s).squeeze(1);
    }

    @Override
    public void close() {
        params.close();
    }
}
