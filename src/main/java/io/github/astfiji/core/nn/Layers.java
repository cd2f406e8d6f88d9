package io.github.astfiji.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

import java.util.SplittableRandom;

/** Functional building blocks over {@link Params}; all tensors are NCHW. */
public final class Layers {

    private Layers() {
    }

    /** Registers a conv layer's weight (out, in, k, k) and bias with PyTorch's default init. */
    public static void addConv(Params p, String name, int in, int out, int k, SplittableRandom rng) {
        int fanIn = in * k * k;
        p.add(name + ".weight", Params.uniformFanIn(rng, out * in * k * k, fanIn), out, in, k, k);
        p.add(name + ".bias", Params.uniformFanIn(rng, out, fanIn), out);
    }

    /** Registers BatchNorm affine parameters and running statistics (PyTorch names). */
    public static void addBatchNorm(Params p, String name, int channels) {
        p.add(name + ".weight", Params.constant(channels, 1f), channels);
        p.add(name + ".bias", Params.constant(channels, 0f), channels);
        p.addBuffer(name + ".running_mean", Params.constant(channels, 0f), channels);
        p.addBuffer(name + ".running_var", Params.constant(channels, 1f), channels);
    }

    /** Registers a bias-free conv weight (out, in, k, k), He-normal over fan-out (torchvision's ResNet init). */
    public static void addConvNoBias(Params p, String name, int in, int out, int k, SplittableRandom rng) {
        p.add(name + ".weight", Params.heNormal(rng, out * in * k * k, out * k * k), out, in, k, k);
    }

    /**
     * Registers a bias-free 2x2 transposed-convolution weight in PyTorch's layout
     * (in, out, 2, 2), with PyTorch's default init U(+-1/sqrt(out * 4)).
     */
    public static void addConvTranspose2x2(Params p, String name, int in, int out, SplittableRandom rng) {
        p.add(name + ".weight", Params.uniformFanIn(rng, in * out * 4, out * 4), in, out, 2, 2);
    }

    /** Convolution with zero padding k/2 and the given stride; the bias is optional (absent = none). */
    public static NDArray conv(Params p, String name, NDArray x, int stride) {
        NDArray w = p.get(name + ".weight");
        int k = (int) w.getShape().get(2);
        NDArray b = p.has(name + ".bias") ? p.get(name + ".bias") : null;
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(k / 2, k / 2)).head();
    }

    /**
     * Transposed convolution, kernel 2, stride 2, no bias. The PyTorch engine of DJL has no
     * transposed convolution; with kernel = stride the output blocks do not overlap, so it
     * is exactly a 1x1 convolution to out*4 channels followed by a depth-to-space shuffle.
     */
    public static NDArray convTranspose2x2(Params p, String name, NDArray x) {
        NDArray w = p.get(name + ".weight"); // (in, out, 2, 2)
        long in = w.getShape().get(0);
        long out = w.getShape().get(1);
        NDArray k = w.transpose(1, 2, 3, 0).reshape(out * 4, in, 1, 1); // rows ordered (o, a, b)
        NDArray y = Conv2d.conv2d(x, k, null, new Shape(1, 1), new Shape(0, 0)).head();
        long n = y.getShape().get(0);
        long h = y.getShape().get(2);
        long wd = y.getShape().get(3);
        return y.reshape(n, out, 2, 2, h, wd).transpose(0, 1, 4, 2, 5, 3).reshape(n, out, h * 2, wd * 2);
    }

    /** Convolution with zero padding k/2 (odd kernels), stride 1. */
    public static NDArray conv(Params p, String name, NDArray x) {
        NDArray w = p.get(name + ".weight");
        int k = (int) w.getShape().get(2);
        return Conv2d.conv2d(x, w, p.get(name + ".bias"), new Shape(1, 1), new Shape(k / 2, k / 2)).head();
    }

    /** Convolution with 'replicate' padding (edge values repeated), as the flow's subnets use. */
    public static NDArray convReplicate(Params p, String name, NDArray x) {
        NDArray w = p.get(name + ".weight");
        int k = (int) w.getShape().get(2);
        NDArray padded = replicatePad(x, k / 2);
        return Conv2d.conv2d(padded, w, p.get(name + ".bias"), new Shape(1, 1), new Shape(0, 0)).head();
    }

    /** Pads H and W by repeating the border rows/columns {@code pad} times. */
    public static NDArray replicatePad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray top = x.get(new NDIndex(":, :, 0:1, :")).repeat(2, pad);
        NDArray bottom = x.get(new NDIndex(":, :, {}:{}, :", h - 1, h)).repeat(2, pad);
        NDArray rows = NDArrays.concat(new NDList(top, x, bottom), 2);
        NDArray left = rows.get(new NDIndex(":, :, :, 0:1")).repeat(3, pad);
        NDArray right = rows.get(new NDIndex(":, :, :, {}:{}", w - 1, w)).repeat(3, pad);
        return NDArrays.concat(new NDList(left, rows, right), 3);
    }

    /** BatchNorm over channels; in training it uses batch statistics and updates the running ones. */
    public static NDArray batchNorm(Params p, String name, NDArray x, boolean training) {
        // DJL passes MXNet-style momentum (weight of the old value): 0.9 == PyTorch's momentum 0.1.
        return BatchNorm.batchNorm(x, p.get(name + ".running_mean"), p.get(name + ".running_var"),
                p.get(name + ".weight"), p.get(name + ".bias"), 1, 0.9f, 1e-5f, training).head();
    }

    public static NDArray leakyRelu(NDArray x, float slope) {
        return x.maximum(x.mul(slope));
    }

    /** k x k average pooling with stride k (no padding). */
    public static NDArray avgPool(NDArray x, int k) {
        return ai.djl.nn.pooling.Pool.avgPool2d(x, new Shape(k, k), new Shape(k, k), new Shape(0, 0), false, true);
    }
}
