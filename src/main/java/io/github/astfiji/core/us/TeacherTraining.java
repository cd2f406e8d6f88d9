package io.github.astfiji.core.us;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.train.GuardedSteps;
import io.github.astfiji.core.train.OptimiserStep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Pretrains Uninformed Students' teachers once, independent of any inspection task: for
 * each patch size a patch network learns a descriptor of random patches of natural images
 * with the paper's three losses, each weight 1:
 * <ul>
 * <li>knowledge distillation: a linear decoder from the descriptor must reproduce a
 * pretrained network's pooled descriptor of the same patch (squared error on the target
 * standardised per dimension);</li>
 * <li>compactness: the squared off-diagonal correlations between descriptor dimensions
 * over the batch (decorrelated dimensions carry more information);</li>
 * <li>metric learning: a triplet loss max(0, margin + d(a, a+) - min(d(a, n), d(a+, n)))
 * with squared distances, where a+ is the anchor patch shifted by up to p/8 px with
 * Gaussian noise and n a patch of another image.</li>
 * </ul>
 * The target network is a backbone: a user's TorchScript ResNet-18 (the paper's), or the
 * built-in filter bank when nothing else can be had (its features are simple, which
 * costs quality; BENCHMARKS.md says how much). Features of every map it returns are
 * averaged over the patch.
 */
public final class TeacherTraining {

    /** How the teachers are made. */
    public static final class Settings {
        public int[] patchSizes = PatchNet.PATCH_SIZES.clone();
        public float widthFactor = 0.25f;
        public int descriptorDim = 128;
        public int steps = 1000;
        public int batchSize = 64;
        public float learningRate = 2e-4f;
        public float weightDecay = 1e-5f;
        public float margin = 1f;
        /** Images are resized so that their shorter side is this, and half of it (two scales of patches). */
        public int shorterSide = 256;
        public long seed = 0;
    }

    private final Settings settings;
    private final Progress progress;
    /** Loss per patch size at the end: distillation, compactness, triplet (means over the last 10 % of steps). */
    private final List<double[]> finalLosses = new ArrayList<>();
    private final List<String> recoveries = new ArrayList<>();

    public TeacherTraining(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Divergences the pretraining recovered from, one line each. */
    public List<String> recoveries() {
        return recoveries;
    }

    public List<double[]> finalLosses() {
        return finalLosses;
    }

    /**
     * Trains one teacher per patch size on patches of the images, distilling from the
     * target backbone (already calibrated if it needs it). Returns the teachers' weights,
     * named teacher.P.convK.*.
     */
    public Params train(List<FloatImage> images, Backbone target, NDManager manager) {
        if (images.size() < 2) {
            throw new IllegalArgumentException("teacher pretraining needs at least 2 images (negatives come from another image)");
        }
        Params teachers = new Params(manager);
        try (NDManager work = manager.newSubManager()) {
            List<NDArray> pyramid = normalisedImages(images, work);
            for (int p : settings.patchSizes) {
                trainOne(p, pyramid, target, teachers, work);
            }
        }
        return teachers;
    }

    /** Every image ImageNet-normalised at two sizes (shorter side s and s/2), as (1, 3, h, w). */
    private List<NDArray> normalisedImages(List<FloatImage> images, NDManager work) {
        Preprocessing pre = Preprocessing.fit(List.of(images.get(0)), 64);
        List<NDArray> out = new ArrayList<>();
        for (FloatImage im : images) {
            pre.channels = im.channels();
            for (int side : new int[] {settings.shorterSide, settings.shorterSide / 2}) {
                double f = (double) side / Math.min(im.width(), im.height());
                int w = (int) Math.round(im.width() * f);
                int h = (int) Math.round(im.height() * f);
                if (Math.min(w, h) < 2 * PatchNet.PATCH_SIZES[2]) {
                    continue;
                }
                out.add(work.create(pre.apply(im, w, h), new Shape(1, 3, h, w)));
            }
        }
        if (out.size() < 2) {
            throw new IllegalArgumentException("teacher pretraining needs images of at least " + 2 * PatchNet.PATCH_SIZES[2] + " px");
        }
        return out;
    }

    private void trainOne(int p, List<NDArray> pyramid, Backbone target, Params teachers, NDManager work) {
        SplittableRandom rng = new SplittableRandom(settings.seed * 31 + p);
        Params own = new Params(work);
        PatchNet net = new PatchNet(own, "teacher." + p, p, settings.widthFactor, settings.descriptorDim, true, rng);
        int targetDim;
        float[][] targetStats;
        try (NDManager probe = work.newSubManager()) {
            NDArray t = describe(target, patches(pyramid, p, 256, rng, probe).get(0));
            targetDim = (int) t.getShape().get(1);
            NDArray mean = t.mean(new int[] {0});
            NDArray std = t.sub(mean).square().mean(new int[] {0}).add(1e-8f).sqrt();
            targetStats = new float[][] {mean.toFloatArray(), std.toFloatArray()};
        }
        int fan = settings.descriptorDim;
        own.add("decoder.weight", Params.uniformFanIn(rng, targetDim * fan, fan), targetDim, fan);
        own.add("decoder.bias", Params.uniformFanIn(rng, targetDim, fan), targetDim);
        List<String> names = own.trainableNames();
        String stage = String.format(Locale.ROOT, "Pretraining teacher (%d px patches)", p);
        OptimiserStep step = new OptimiserStep(settings.learningRate, 0.9f, 0.999f, settings.weightDecay, 0f, stage);
        own.requireGradients(true);
        progress.stage(stage, settings.steps);
        double[][] tail = {new double[3]};
        int[] tailCount = {0};
        try {
            GuardedSteps.run(stage.toLowerCase(Locale.ROOT), own, names, step, settings.steps, Math.max(1, settings.steps / 20), progress,
                    recoveries, i -> {
                        try (NDManager scope = work.newSubManager()) {
                            NDList batch = patches(pyramid, p, settings.batchSize, rng, scope);
                            NDArray goal = describe(target, batch.get(0)).sub(scope.create(targetStats[0])).div(scope.create(targetStats[1]));
                            double[] parts = new double[3];
                            float value = step.step(own, names, scope, () -> {
                                NDArray a = net.patches(batch.get(0));
                                NDArray pos = net.patches(batch.get(1));
                                NDArray neg = net.patches(batch.get(2));
                                NDArray decoded = a.matMul(own.get("decoder.weight").transpose()).add(own.get("decoder.bias"));
                                NDArray distil = decoded.sub(goal).square().mean();
                                NDArray compact = compactness(a);
                                NDArray triplet = triplet(a, pos, neg, settings.margin);
                                parts[0] = distil.getFloat();
                                parts[1] = compact.getFloat();
                                parts[2] = triplet.getFloat();
                                return distil.add(compact).add(triplet);
                            });
                            // the final losses reported: the mean over the last tenth of the steps
                            if (i >= settings.steps - Math.max(1, settings.steps / 10) && Float.isFinite(value)) {
                                for (int k = 0; k < 3; k++) {
                                    tail[0][k] += parts[k];
                                }
                                tailCount[0]++;
                            }
                            return value;
                        }
                    }, new GuardedSteps.Windows() {
                        @Override
                        public void rewound(int resumeWindow) {
                            tail[0] = new double[3];
                            tailCount[0] = 0;
                        }
                    });
        } finally {
            step.close();
            own.releaseGradients(names);
        }
        for (int k = 0; k < 3; k++) {
            tail[0][k] /= Math.max(1, tailCount[0]);
        }
        finalLosses.add(tail[0]);
        for (String name : own.names()) {
            if (name.startsWith("teacher.")) {
                teachers.addBuffer(name, own.get(name).toFloatArray(), own.get(name).getShape().getShape());
            }
        }
    }

    /** The target network's descriptor of patches: every returned map averaged over the patch, concatenated. */
    static NDArray describe(Backbone target, NDArray patches) {
        NDList maps = target.extractScales(patches);
        NDList pooled = new NDList();
        for (NDArray m : maps) {
            // (DJL's mean takes one axis at a time)
            pooled.add(m.getShape().dimension() == 4 ? m.sum(new int[] {2, 3}).div(m.getShape().get(2) * m.getShape().get(3))
                    : m.reshape(m.getShape().get(0), -1));
        }
        return NDArrays.concat(pooled, 1);
    }

    /** Squared off-diagonal correlations between descriptor dimensions over the batch, averaged. */
    static NDArray compactness(NDArray d) {
        long n = d.getShape().get(0);
        long k = d.getShape().get(1);
        NDArray centred = d.sub(d.mean(new int[] {0}));
        NDArray z = centred.div(centred.square().mean(new int[] {0}).add(1e-8f).sqrt());
        NDArray corr = z.transpose().matMul(z).div(n);
        NDArray offDiagonal = corr.square().sum().sub(corr.square().mul(eye(d.getManager(), k)).sum());
        return offDiagonal.div(k * (k - 1));
    }

    private static NDArray eye(NDManager m, long k) {
        return m.eye((int) k);
    }

    /** The paper's triplet loss with squared distances and the swap (the harder of the two negatives' distances). */
    static NDArray triplet(NDArray a, NDArray pos, NDArray neg, float margin) {
        NDArray dPos = a.sub(pos).square().sum(new int[] {1});
        NDArray dNeg = a.sub(neg).square().sum(new int[] {1}).minimum(pos.sub(neg).square().sum(new int[] {1}));
        return dPos.sub(dNeg).add(margin).maximum(0f).mean();
    }

    /**
     * A batch of (anchor, positive, negative) patches, each (B, 3, p, p): anchors at random
     * places of random images, positives the same place shifted by up to p/8 px plus
     * Gaussian noise (sigma 0.1), negatives from another image.
     */
    private static NDList patches(List<NDArray> pyramid, int p, int count, SplittableRandom rng, NDManager scope) {
        NDList anchors = new NDList();
        NDList positives = new NDList();
        NDList negatives = new NDList();
        int shift = Math.max(1, p / 8);
        for (int i = 0; i < count; i++) {
            int img = rng.nextInt(pyramid.size());
            NDArray im = pyramid.get(img);
            int h = (int) im.getShape().get(2);
            int w = (int) im.getShape().get(3);
            int y = shift + rng.nextInt(h - p - 2 * shift);
            int x = shift + rng.nextInt(w - p - 2 * shift);
            anchors.add(crop(im, y, x, p, scope));
            positives.add(crop(im, y + rng.nextInt(2 * shift + 1) - shift, x + rng.nextInt(2 * shift + 1) - shift, p, scope));
            int other = (img + 1 + rng.nextInt(pyramid.size() - 1)) % pyramid.size();
            NDArray o = pyramid.get(other);
            int oh = (int) o.getShape().get(2);
            int ow = (int) o.getShape().get(3);
            negatives.add(crop(o, rng.nextInt(oh - p + 1), rng.nextInt(ow - p + 1), p, scope));
        }
        NDArray a = NDArrays.concat(anchors, 0);
        NDArray pos = NDArrays.concat(positives, 0);
        float[] noise = new float[(int) pos.size()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (gaussian(rng) * 0.1);
        }
        pos = pos.add(scope.create(noise, pos.getShape()));
        return new NDList(a, pos, NDArrays.concat(negatives, 0));
    }

    /** A patch, kept in the step's scope (slices land in their source's manager otherwise, and would pile up). */
    private static NDArray crop(NDArray im, int y, int x, int p, NDManager scope) {
        NDArray c = im.get(new NDIndex(":, :, {}:{}, {}:{}", y, y + p, x, x + p));
        c.attach(scope);
        return c;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = Math.max(rng.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** A summary for teacher.json's provenance. */
    public String describeRun(String targetId, List<String> imageNames) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "distilled from %s; images %s; %d steps of %d patch triplets per patch size; width factor %.3g;"
                        + " descriptor %d; Adam %.1e, weight decay %.1e; triplet margin %.2g; seed %d; final losses (distil, compact, triplet):",
                targetId, imageNames, settings.steps, settings.batchSize, settings.widthFactor, settings.descriptorDim,
                settings.learningRate, settings.weightDecay, settings.margin, settings.seed));
        for (int i = 0; i < finalLosses.size(); i++) {
            sb.append(String.format(Locale.ROOT, " %d px %s", settings.patchSizes[i], Arrays.toString(
                    Arrays.stream(finalLosses.get(i)).map(v -> Math.round(v * 1e4) / 1e4).toArray())));
        }
        if (!recoveries.isEmpty()) {
            sb.append("; recovered from ").append(recoveries.size()).append(" divergence(s): ").append(String.join("; ", recoveries));
        }
        return sb.toString();
    }
}
