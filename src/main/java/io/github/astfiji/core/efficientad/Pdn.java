package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.Params;

import java.util.SplittableRandom;

/**
 * EfficientAD's patch description network: a few unpadded convolutions and two 2x2 average
 * poolings, so every output cell describes one 33 x 33 px patch at stride 4 (a 256 px input
 * gives 56 x 56). ReLU after every convolution but the last. Layer names follow anomalib's
 * (conv1, conv2, ...), so published teacher weights map onto them by name.
 */
public final class Pdn {

    /** (kernel, output channels of the paper's width) per convolution; 0 channels = the network's output count. */
    private static final int[][] SMALL = {{4, 128}, {4, 256}, {3, 256}, {4, 0}};
    private static final int[][] MEDIUM = {{4, 256}, {4, 512}, {1, 512}, {3, 512}, {4, 0}, {1, 0}};
    /** Convolutions after which a 2x2 average pooling follows (1-based). */
    private static final int POOL_AFTER_1 = 1;
    private static final int POOL_AFTER_2 = 2;

    private final Params params;
    private final String prefix;
    private final int layers;

    /** Registers a PDN's weights under prefix (e.g. "teacher"), PyTorch's default initialisation. */
    public Pdn(Params params, String prefix, boolean medium, float widthFactor, int outChannels, SplittableRandom rng) {
        this.params = params;
        this.prefix = prefix;
        int[][] spec = medium ? MEDIUM : SMALL;
        this.layers = spec.length;
        int in = 3;
        for (int i = 0; i < spec.length; i++) {
            int out = spec[i][1] == 0 ? outChannels : Math.max(1, Math.round(spec[i][1] * widthFactor));
            Layers.addConv(params, name(i), in, out, spec[i][0], rng);
            in = out;
        }
    }

    private String name(int i) {
        return prefix + ".conv" + (i + 1);
    }

    /** (N, 3, H, W) to (N, out, (H - 28) / 4 - 1 rounded down, ...): 56 x 56 for 256 px. */
    public NDArray forward(NDArray x) {
        for (int i = 0; i < layers; i++) {
            x = Conv2d.conv2d(x, params.get(name(i) + ".weight"), params.get(name(i) + ".bias"), new Shape(1, 1), new Shape(0, 0)).head();
            if (i < layers - 1) {
                x = x.maximum(0f);
            }
            if (i + 1 == POOL_AFTER_1 || i + 1 == POOL_AFTER_2) {
                x = Layers.avgPool(x, 2);
            }
        }
        return x;
    }

    /** The output grid's side for an input side (both PDN shapes: conv 4, pool, conv 4, pool, then 33 px in all). */
    public static int outputSize(int inputSize) {
        return ((inputSize - 3) / 2 - 3) / 2 - 5;
    }
}
