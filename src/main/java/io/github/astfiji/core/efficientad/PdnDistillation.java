package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.train.GuardedSteps;
import io.github.astfiji.core.train.OptimiserStep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Makes an EfficientAD teacher: a PDN learns to reproduce a pretrained network's features of
 * natural images, once, independent of any inspection task (the paper distils an ImageNet
 * WideResNet-101's layers 2 and 3 this way). The target: every feature map of the
 * backbone, each averaged over 3x3 neighbours (the paper's local aggregation), resized to
 * the PDN's output grid and concatenated; more channels than the PDN's are averaged in
 * contiguous groups down to them (the paper's channel pooling), fewer are spread over them
 * by a fixed random projection; each channel is standardised with its statistics on the
 * first batches. Loss: mean squared error. Crops of the images at random scales, flipped
 * and turned grey at random, feed both networks.
 */
public final class PdnDistillation {

    /** How the teacher is made. */
    public static final class Settings {
        public String modelSize = "small";
        public float widthFactor = 1f;
        public int channels = 384;
        public int steps = 1000;
        public int batchSize = 8;
        /** Side of the crops the PDN sees (the paper: 256; the target sees them at the same size). */
        public int cropSize = 128;
        public float learningRate = 1e-4f;
        public float weightDecay = 1e-5f;
        public long seed = 0;
    }

    private final Settings settings;
    private final Progress progress;
    private final List<String> recoveries = new ArrayList<>();
    private final List<Double> lossCurve = new ArrayList<>();
    private double finalLoss = Double.NaN;

    public PdnDistillation(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Mean loss per twentieth of the steps, for the provenance and a curve. */
    public List<Double> lossCurve() {
        return lossCurve;
    }

    /** Trains the PDN; returns its weights as teacher.convK.* (buffers). */
    public Params train(List<FloatImage> images, Backbone target, NDManager manager) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("distilling a teacher needs at least one image");
        }
        Params teacher = new Params(manager);
        try (NDManager work = manager.newSubManager()) {
            List<NDArray> pool = normalisedImages(images, work);
            SplittableRandom rng = new SplittableRandom(settings.seed * 92_821 + 7);
            Params own = new Params(work);
            Pdn pdn = new Pdn(own, "teacher", "medium".equals(settings.modelSize), settings.widthFactor, settings.channels, rng);
            int g = Pdn.outputSize(settings.cropSize);
            NDArray projection;
            float[][] stats;
            try (NDManager probe = work.newSubManager()) {
                NDArray raw = aggregate(target, crops(pool, rng, 4 * settings.batchSize, probe), g);
                int c = (int) raw.getShape().get(1);
                projection = work.create(projection(c, settings.channels, rng), new Shape(settings.channels, c, 1, 1));
                NDArray t = project(raw, projection);
                float cells = t.size() / t.getShape().get(1);
                // the engine's mean takes one axis only: sums over several, divided
                NDArray mean = t.sum(new int[] {0, 2, 3}, true).div(cells);
                NDArray std = t.sub(mean).square().sum(new int[] {0, 2, 3}, true).div(cells).add(1e-8f).sqrt();
                stats = new float[][] {mean.toFloatArray(), std.toFloatArray()};
            }
            NDArray mean = work.create(stats[0], new Shape(1, settings.channels, 1, 1));
            NDArray std = work.create(stats[1], new Shape(1, settings.channels, 1, 1));
            List<String> names = own.trainableNames();
            String stage = "Distilling the EfficientAD teacher";
            OptimiserStep step = new OptimiserStep(settings.learningRate, 0.9f, 0.999f, settings.weightDecay, 0f, stage);
            own.requireGradients(true);
            progress.stage(stage, settings.steps);
            try {
                GuardedSteps.run("teacher distillation", own, names, step, settings.steps, Math.max(Math.min(5, settings.steps), settings.steps / 20),
                        progress, recoveries, i -> {
                            try (NDManager scope = work.newSubManager()) {
                                NDArray x = crops(pool, rng, settings.batchSize, scope);
                                NDArray goal = project(aggregate(target, x, g), projection).sub(mean).div(std);
                                return step.step(own, names, scope, () -> pdn.forward(x).sub(goal).square().mean());
                            }
                        }, new GuardedSteps.Windows() {
                            @Override
                            public void accepted(double windowMean) {
                                lossCurve.add(windowMean);
                                finalLoss = windowMean;
                            }

                            @Override
                            public void rewound(int resumeWindow) {
                                while (lossCurve.size() > resumeWindow) {
                                    lossCurve.remove(lossCurve.size() - 1);
                                }
                            }
                        });
            } finally {
                step.close();
                own.releaseGradients(names);
            }
            for (String name : own.names()) {
                teacher.addBuffer(name, own.get(name).toFloatArray(), own.get(name).getShape().getShape());
            }
        }
        return teacher;
    }

    /** Every image ImageNet-normalised with its shorter side at twice the crop size, (1, 3, h, w). */
    private List<NDArray> normalisedImages(List<FloatImage> images, NDManager work) {
        Preprocessing pre = Preprocessing.fit(List.of(images.get(0)), settings.cropSize);
        List<NDArray> out = new ArrayList<>();
        for (FloatImage im : images) {
            pre.channels = im.channels();
            double f = 2.0 * settings.cropSize / Math.min(im.width(), im.height());
            int w = Math.max(settings.cropSize, (int) Math.round(im.width() * f));
            int h = Math.max(settings.cropSize, (int) Math.round(im.height() * f));
            out.add(work.create(pre.apply(im, w, h), new Shape(1, 3, h, w)));
        }
        return out;
    }

    /** A batch of crops: random image, random scale (crop of 1 to 2 crop sizes resized down), random flip and grey. */
    private NDArray crops(List<NDArray> pool, SplittableRandom rng, int n, NDManager scope) {
        int s = settings.cropSize;
        NDList parts = new NDList();
        for (int b = 0; b < n; b++) {
            NDArray im = pool.get(rng.nextInt(pool.size()));
            int h = (int) im.getShape().get(2);
            int w = (int) im.getShape().get(3);
            int side = Math.min(Math.min(h, w), s + rng.nextInt(s + 1));
            int y = rng.nextInt(h - side + 1);
            int x = rng.nextInt(w - side + 1);
            NDArray crop = im.get(":, :, " + y + ":" + (y + side) + ", " + x + ":" + (x + side));
            crop.attach(scope);
            if (side != s) {
                crop = AutoEncoder.bilinear(crop, s, s);
            }
            if (rng.nextBoolean()) {
                crop = crop.flip(3);
            }
            if (rng.nextInt(10) < 1) {
                crop = crop.mean(new int[] {1}, true).repeat(1, 3);
            }
            parts.add(crop);
        }
        return ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    /** The target's maps, each 3x3-averaged and resized to g x g, concatenated over channels. */
    private static NDArray aggregate(Backbone target, NDArray x, int g) {
        NDList maps = target.extractScales(x);
        NDList out = new NDList();
        for (NDArray m : maps) {
            NDArray local = ai.djl.nn.pooling.Pool.avgPool2d(m, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
            out.add(AutoEncoder.bilinear(local, g, g));
        }
        return ai.djl.ndarray.NDArrays.concat(out, 1);
    }

    private static NDArray project(NDArray t, NDArray projection) {
        return Conv2d.conv2d(t, projection, null, new Shape(1, 1), new Shape(0, 0)).head();
    }

    /**
     * (out, in) weights: averages of contiguous channel groups when in >= out (adaptive
     * average pooling over channels), else a fixed Gaussian spread of the in channels.
     */
    static float[] projection(int in, int out, SplittableRandom rng) {
        float[] w = new float[out * in];
        if (in >= out) {
            for (int o = 0; o < out; o++) {
                int start = (int) Math.floor((double) o * in / out);
                int end = (int) Math.ceil((double) (o + 1) * in / out);
                for (int c = start; c < end; c++) {
                    w[o * in + c] = 1f / (end - start);
                }
            }
        } else {
            for (int i = 0; i < w.length; i++) {
                double u1 = Math.max(rng.nextDouble(), 1e-300);
                w[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble()) / Math.sqrt(in));
            }
        }
        return w;
    }

    /** A summary for teacher.json's provenance. */
    public String describeRun(String targetId, List<String> imageNames, double seconds) {
        String s = String.format(Locale.ROOT, "distilled from %s; images %s; PDN-%s, width factor %.3g, %d channels; %d steps of %d crops of %d px;"
                        + " Adam %.1e, weight decay %.1e; seed %d; %.0f s; final loss %.4f",
                targetId, imageNames, "medium".equals(settings.modelSize) ? "M" : "S", settings.widthFactor, settings.channels, settings.steps,
                settings.batchSize, settings.cropSize, settings.learningRate, settings.weightDecay, settings.seed, seconds, finalLoss);
        return recoveries.isEmpty() ? s : s + "; recovered from " + recoveries.size() + " divergence(s): " + String.join("; ", recoveries);
    }
}
