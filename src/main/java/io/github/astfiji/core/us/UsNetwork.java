package io.github.astfiji.core.us;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Params;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Uninformed Students (Bergmann et al., CVPR 2020) over one parameter set: per patch size
 * a frozen pretrained teacher and an ensemble of students of the same architecture that
 * learn to regress the teacher's descriptors, standardised per channel with their mean
 * and standard deviation on the training images. Per pixel, the regression error
 * e = |mean of students - teacher|^2 and the predictive variance v = mean |student|^2 -
 * |mean of students|^2 are each standardised with their mean and standard deviation on
 * normal images and summed; the map is that sum averaged over the patch sizes.
 * Students train densely (every pixel of an image, or of a random crop of it, is a
 * sample), as in the paper.
 */
public final class UsNetwork implements MethodNetwork {

    /** At most this many training images measure the teacher's and the score's statistics. */
    static final int STATISTICS_IMAGES = 16;
    private final UsConfig config;
    private final Params params;
    private final Map<Integer, PatchNet> teachers = new LinkedHashMap<>();
    private final Map<Integer, List<PatchNet>> students = new LinkedHashMap<>();

    public UsNetwork(NDManager manager, UsConfig config) {
        config.validate();
        this.config = config;
        this.params = new Params(manager);
        int d = config.descriptorDim;
        for (int p : config.patchSizes) {
            SplittableRandom rng = new SplittableRandom(config.seed * 1_000_003L + p);
            // replaced by the pretrained teacher's weights before training, and by the model file's when loading
            teachers.put(p, new PatchNet(params, "teacher." + p, p, config.widthFactor, d, false, rng));
            List<PatchNet> ensemble = new ArrayList<>();
            for (int i = 0; i < config.students; i++) {
                ensemble.add(new PatchNet(params, "student." + p + "." + i, p, config.widthFactor, d, true, rng));
            }
            students.put(p, ensemble);
            params.addBuffer("norm." + p + ".mean", Params.constant(d, 0f), 1, d, 1, 1);
            params.addBuffer("norm." + p + ".std", Params.constant(d, 1f), 1, d, 1, 1);
            params.addBuffer("score." + p + ".stats", new float[] {0f, 1f, 0f, 1f}, 4);
        }
    }

    @Override
    public Params params() {
        return params;
    }

    /** The frozen teacher of a patch size. */
    public PatchNet teacher(int p) {
        return teachers.get(p);
    }

    public List<PatchNet> students(int p) {
        return students.get(p);
    }

    /** Loads the pretrained teachers and measures their per-channel statistics on the training images. */
    @Override
    public void beforeTraining(TrainingSet data) {
        UsTeacher teacher;
        try {
            teacher = UsTeacher.load(config.teacher);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        for (int p : config.patchSizes) {
            Map<String, float[]> w = teacher.weights(p);
            for (String name : params.names()) {
                if (name.startsWith("teacher." + p + ".")) {
                    float[] v = w.get(name);
                    if (v == null) {
                        throw new IllegalArgumentException("the teacher has no " + name + "; it does not fit these settings");
                    }
                    params.set(name, v);
                }
            }
        }
        NDArray images = data.inputs().get(0);
        for (int p : config.patchSizes) {
            double[] sum = new double[config.descriptorDim];
            double[] sumSq = new double[config.descriptorDim];
            long count = 0;
            for (long i : statisticsImages(images.getShape().get(0))) {
                try (NDManager scope = data.manager().newSubManager()) {
                    NDArray t = teacherDense(p, one(images, i, scope));
                    float[] s = t.sum(new int[] {0, 2, 3}).toFloatArray();
                    float[] s2 = t.square().sum(new int[] {0, 2, 3}).toFloatArray();
                    for (int c = 0; c < s.length; c++) {
                        sum[c] += s[c];
                        sumSq[c] += s2[c];
                    }
                    count += t.getShape().get(2) * t.getShape().get(3);
                }
            }
            float[] mean = new float[sum.length];
            float[] std = new float[sum.length];
            for (int c = 0; c < sum.length; c++) {
                double m = sum[c] / count;
                mean[c] = (float) m;
                std[c] = (float) Math.sqrt(Math.max(sumSq[c] / count - m * m, 0) + 1e-8);
            }
            params.set("norm." + p + ".mean", mean);
            params.set("norm." + p + ".std", std);
        }
    }

    /** Evenly spaced image indices, at most {@link #STATISTICS_IMAGES}. */
    private static long[] statisticsImages(long n) {
        int k = (int) Math.min(n, STATISTICS_IMAGES);
        long[] idx = new long[k];
        for (int i = 0; i < k; i++) {
            idx[i] = (long) i * n / k;
        }
        return idx;
    }

    private static NDArray one(NDArray images, long i, NDManager scope) {
        NDArray x = images.get(i + ":" + (i + 1));
        x.attach(scope);
        return x;
    }

    @Override
    public List<TrainingPhase> phases() {
        List<TrainingPhase> out = new ArrayList<>();
        for (int p : config.patchSizes) {
            out.add(new StudentPhase(p));
        }
        return out;
    }

    /** The students of one patch size, trained together (each on its own loss) on dense teacher targets. */
    private final class StudentPhase implements TrainingPhase {
        private final int p;
        private final SplittableRandom crops;

        StudentPhase(int p) {
            this.p = p;
            this.crops = new SplittableRandom(config.seed * 7919 + p);
        }

        @Override
        public String name() {
            return "students (" + p + " px patches)";
        }

        @Override
        public int epochs() {
            return config.epochs;
        }

        @Override
        public List<String> parameters() {
            return params.trainableNames().stream().filter(n -> n.startsWith("student." + p + ".")).toList();
        }

        @Override
        public NDArray loss(TrainingSet.Batch batch) {
            NDArray padded = PatchNet.pad(batch.inputs().get(0), p);
            int size = config.imageSize;
            int c = config.cropSize == 0 ? size : config.cropSize;
            if (c < size) {
                NDList parts = new NDList();
                for (long b = 0; b < padded.getShape().get(0); b++) {
                    int y = crops.nextInt(size - c + 1);
                    int x = crops.nextInt(size - c + 1);
                    parts.add(padded.get(new NDIndex("{}:{}, :, {}:{}, {}:{}", b, b + 1, y, y + c + p - 1, x, x + c + p - 1)));
                }
                padded = NDArrays.concat(parts, 0);
            }
            NDArray target = normalised(p, teachers.get(p).dense(padded, c, c));
            NDArray total = null;
            for (PatchNet s : students.get(p)) {
                NDArray l = s.dense(padded, c, c).sub(target).square().sum(new int[] {1}).mean();
                total = total == null ? l : total.add(l);
            }
            return total;
        }
    }

    /** The teacher's descriptors standardised with the training statistics: what students regress. */
    private NDArray normalised(int p, NDArray t) {
        return t.sub(params.get("norm." + p + ".mean")).div(params.get("norm." + p + ".std"));
    }

    private NDArray teacherDense(int p, NDArray images) {
        int h = (int) images.getShape().get(2);
        int w = (int) images.getShape().get(3);
        return teachers.get(p).dense(PatchNet.pad(images, p), h, w);
    }

    /** Raw regression error and predictive variance per pixel for one patch size: two (N, H, W) maps. */
    public NDList errorAndVariance(int p, NDArray images) {
        int h = (int) images.getShape().get(2);
        int w = (int) images.getShape().get(3);
        NDArray padded = PatchNet.pad(images, p);
        NDArray target = normalised(p, teachers.get(p).dense(padded, h, w));
        NDArray sum = null;
        NDArray sumSq = null;
        for (PatchNet s : students.get(p)) {
            NDArray out = s.dense(padded, h, w);
            NDArray sq = out.square().sum(new int[] {1});
            sum = sum == null ? out : sum.add(out);
            sumSq = sumSq == null ? sq : sumSq.add(sq);
        }
        int m = students.get(p).size();
        NDArray mean = sum.div(m);
        NDArray error = mean.sub(target).square().sum(new int[] {1});
        NDArray variance = sumSq.div(m).sub(mean.square().sum(new int[] {1}));
        return new NDList(error, variance);
    }

    /** Measures the mean and standard deviation of the error and the variance on training images (the paper's normal images). */
    @Override
    public void afterTraining(TrainingSet data) {
        NDArray images = data.inputs().get(0);
        for (int p : config.patchSizes) {
            double[] s = new double[4];
            long count = 0;
            for (long i : statisticsImages(images.getShape().get(0))) {
                try (NDManager scope = data.manager().newSubManager()) {
                    NDList ev = errorAndVariance(p, one(images, i, scope));
                    for (int k = 0; k < 2; k++) {
                        s[2 * k] += ev.get(k).sum().getFloat();
                        s[2 * k + 1] += ev.get(k).square().sum().getFloat();
                    }
                    count += ev.get(0).size();
                }
            }
            float[] stats = new float[4];
            for (int k = 0; k < 2; k++) {
                double mean = s[2 * k] / count;
                stats[2 * k] = (float) mean;
                stats[2 * k + 1] = (float) Math.sqrt(Math.max(s[2 * k + 1] / count - mean * mean, 0) + 1e-12);
            }
            params.set("score." + p + ".stats", stats);
        }
    }

    /** The anomaly map: the standardised error plus the standardised variance, averaged over the patch sizes; (N, H, W). */
    @Override
    public NDList maps(NDList inputs) {
        NDArray images = inputs.get(0);
        NDArray total = null;
        for (int p : config.patchSizes) {
            float[] st = params.get("score." + p + ".stats").toFloatArray();
            NDList ev = errorAndVariance(p, images);
            NDArray score = ev.get(0).sub(st[0]).div(st[1]).add(ev.get(1).sub(st[2]).div(st[3]));
            total = total == null ? score : total.add(score);
        }
        return new NDList(total.div(config.patchSizes.length));
    }

    @Override
    public void close() {
        params.close();
    }
}
