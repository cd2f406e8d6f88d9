package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDArray;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.Params;

import java.util.SplittableRandom;

/**
 * The AST student: a plain residual CNN, deliberately unlike the flow, that learns
 * to reproduce the teacher's outputs on normal data only.
 * conv3x3(in -> hidden), LeakyReLU(0.2); residual blocks of 2x(conv3x3, BN, LeakyReLU)
 * with a skip; conv3x3(hidden -> out) with no final activation.
 */
public final class Student {

    static final float SLOPE = 0.2f;
    private final Params params;
    private final int blocks;

    public Student(Params params, int in, int out, int hidden, int blocks, long seed) {
        this.params = params;
        this.blocks = blocks;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Layers.addConv(params, "student.conv_in", in, hidden, 3, rng);
        for (int b = 0; b < blocks; b++) {
            String p = "student.blocks." + b + ".";
            Layers.addConv(params, p + "conv1", hidden, hidden, 3, rng);
            Layers.addBatchNorm(params, p + "bn1", hidden);
            Layers.addConv(params, p + "conv2", hidden, hidden, 3, rng);
            Layers.addBatchNorm(params, p + "bn2", hidden);
        }
        Layers.addConv(params, "student.conv_out", hidden, out, 3, rng);
    }

    /** x: (N, in, H, W) = [positional encoding, features]; training switches BatchNorm to batch statistics. */
    public NDArray forward(NDArray x, boolean training) {
        NDArray h = Layers.leakyRelu(Layers.conv(params, "student.conv_in", x), SLOPE);
        for (int b = 0; b < blocks; b++) {
            String p = "student.blocks." + b + ".";
            NDArray r = Layers.leakyRelu(Layers.batchNorm(params, p + "bn1", Layers.conv(params, p + "conv1", h), training), SLOPE);
            r = Layers.leakyRelu(Layers.batchNorm(params, p + "bn2", Layers.conv(params, p + "conv2", r), training), SLOPE);
            h = h.add(r);
        }
        return Layers.conv(params, "student.conv_out", h);
    }
}
