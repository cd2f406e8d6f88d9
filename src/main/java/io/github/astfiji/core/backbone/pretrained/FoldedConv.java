package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import java.io.IOException;

/**
 * A convolution with the BatchNorm that follows it folded in: at inference BatchNorm is a
 * per-channel affine map, so w' = w * gamma / sqrt(var + eps) and b' = beta - mean * gamma /
 * sqrt(var + eps) give the same output with one operation instead of two.
 */
final class FoldedConv {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final int groups;

    private FoldedConv(NDArray weight, NDArray bias, int stride, int padding, int groups) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.groups = groups;
    }

    /** conv (no bias) named {@code conv} followed by BatchNorm named {@code norm}, both in torchvision's names. */
    static FoldedConv withBatchNorm(StateDict w, String conv, String norm, float eps, int stride, int padding, int groups) throws IOException {
        NDArray kernel = w.take(conv + ".weight");
        NDArray gamma = w.take(norm + ".weight");
        NDArray beta = w.take(norm + ".bias");
        NDArray mean = w.take(norm + ".running_mean");
        NDArray var = w.take(norm + ".running_var");
        long out = kernel.getShape().get(0);
        w.requireShape(norm + ".weight", gamma, out);
        w.requireShape(norm + ".bias", beta, out);
        w.requireShape(norm + ".running_mean", mean, out);
        w.requireShape(norm + ".running_var", var, out);
        NDArray scale = gamma.div(var.add(eps).sqrt());
        NDArray folded = kernel.mul(scale.reshape(out, 1, 1, 1));
        NDArray shift = beta.sub(mean.mul(scale));
        for (NDArray used : new NDArray[] {kernel, gamma, beta, mean, var, scale}) {
            used.close(); // the unfolded tensors are not needed again: freed now, not when the file's scope ends
        }
        return new FoldedConv(folded, shift, stride, padding, groups);
    }

    /** A plain convolution with its own bias (squeeze-and-excitation's 1x1 layers). */
    static FoldedConv plain(StateDict w, String conv) throws IOException {
        return new FoldedConv(w.take(conv + ".weight"), w.take(conv + ".bias"), 1, 0, 1);
    }

    NDArray apply(NDArray x) {
        return Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), groups).head();
    }

    void attach(ai.djl.ndarray.NDManager manager) {
        weight.attach(manager);
        bias.attach(manager);
    }

    long outChannels() {
        return weight.getShape().get(0);
    }
}
