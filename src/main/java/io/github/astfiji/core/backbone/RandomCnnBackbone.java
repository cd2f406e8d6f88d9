package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Built-in candidate 1: a seeded random CNN (3 stages of conv3x3, BatchNorm, ReLU,
 * 2x2 average pooling; stride 8). Random weights alone shrink activations layer by
 * layer towards denormal floats, so each BatchNorm's statistics are recalibrated on the
 * training images, stage by stage, before use. Output: stage 2 (pooled) and stage 3.
 */
public final class RandomCnnBackbone extends CalibratedBackbone {

    public static final String ID = "builtin:random-cnn";
    public static final String PYRAMID_ID = "builtin:random-cnn-pyramid";
    static final int[] WIDTHS = {32, 64, 128};
    static final int[] PYRAMID_WIDTHS = {32, 64, 128, 256};
    private final boolean pyramid;
    private final int[] widths;

    public RandomCnnBackbone(NDManager manager, long seed) {
        this(manager, seed, false);
    }

    /** pyramid: 4 stages, the ReLU outputs of stages 2-4 (strides 4, 8, 16), only scaled (Reverse Distillation). */
    public RandomCnnBackbone(NDManager manager, long seed, boolean pyramid) {
        super(manager, pyramid ? new int[] {PYRAMID_WIDTHS[1], PYRAMID_WIDTHS[2], PYRAMID_WIDTHS[3]} : new int[] {WIDTHS[1] + WIDTHS[2]});
        this.pyramid = pyramid;
        this.widths = pyramid ? PYRAMID_WIDTHS : WIDTHS;
        SplittableRandom rng = new SplittableRandom(seed);
        int in = 3;
        for (int s = 0; s < widths.length; s++) {
            int out = widths[s];
            params.add("stage" + s + ".conv.weight", Params.heNormal(rng, out * in * 9, in * 9), out, in, 3, 3);
            params.add("stage" + s + ".conv.bias", Params.constant(out, 0f), out);
            Layers.addBatchNorm(params, "stage" + s + ".bn", out);
            in = out;
        }
    }

    @Override
    public String id() {
        return pyramid ? PYRAMID_ID : ID;
    }

    @Override
    protected boolean centred() {
        return !pyramid;
    }

    @Override
    public int[] scaleStrides() {
        return pyramid ? new int[] {4, 8, 16} : new int[] {8};
    }

    @Override
    public int stride() {
        return pyramid ? 16 : 8;
    }

    @Override
    protected NDList rawScales(NDArray images) {
        NDArray[] stages = run(images, widths.length);
        if (pyramid) {
            return new NDList(stages[1], stages[2], stages[3]);
        }
        NDArray mid = Layers.avgPool(stages[1], 2);
        return new NDList(NDArrays.concat(new NDList(mid, stages[2]), 1));
    }

    /** Runs the first {@code upTo} stages and returns each stage's pooled output. */
    private NDArray[] run(NDArray x, int upTo) {
        NDArray[] out = new NDArray[upTo];
        for (int s = 0; s < upTo; s++) {
            x = Activation.relu(Layers.batchNorm(params, "stage" + s + ".bn", Layers.conv(params, "stage" + s + ".conv", x), false));
            x = Layers.avgPool(x, 2);
            out[s] = x;
        }
        return out;
    }

    @Override
    protected void calibrateLayers(List<NDArray> batches) {
        for (int s = 0; s < widths.length; s++) {
            final int stage = s;
            float[][] m = channelMoments(batches, x -> {
                NDArray in = stage == 0 ? x : run(x, stage)[stage - 1];
                return Layers.conv(params, "stage" + stage + ".conv", in);
            }, widths[s]);
            params.set("stage" + s + ".bn.running_mean", m[0]);
            params.set("stage" + s + ".bn.running_var", m[1]);
        }
    }
}
