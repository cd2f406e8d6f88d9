package io.github.astfiji.core.us;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One network of Uninformed Students (a teacher or a student; they share the
 * architecture) for one patch size p: a p x p patch in, a descriptor out. Layers as in the
 * paper's supplementary and the community re-implementations: valid convolutions, 2 x 2
 * stride-2 max pooling (floor), LeakyReLU (slope 5e-3) after every convolution but the
 * last. Hidden widths are the paper's times a width factor.
 * <p>
 * Two ways to run it. {@link #patches}: one descriptor per patch. {@link #dense}: one
 * descriptor per pixel of a whole image, equal to running the network on the patch whose
 * top-left corner sits at that pixel of the padded image, without computing any patch
 * twice. This is the dilated form of fast dense feature extraction: every pooling runs
 * with stride 1 over taps spaced by the current dilation, and every later layer's
 * dilation doubles, so no image-side constraint remains.
 */
public final class PatchNet {

    static final float SLOPE = 5e-3f;
    public static final int[] PATCH_SIZES = {17, 33, 65};

    /** A convolution (kernel, output channels) or, with kernel 0, a 2 x 2 max pooling. */
    record Layer(int kernel, int out) {
        boolean pool() {
            return kernel == 0;
        }
    }

    private final Params params;
    private final String prefix;
    private final int patchSize;
    private final List<Layer> layers;

    /**
     * Registers the network's weights under the prefix, initialised as PyTorch's default
     * (U(+-1/sqrt(fan-in)) for weights and biases); trainable, or buffers for a frozen teacher.
     */
    public PatchNet(Params params, String prefix, int patchSize, float widthFactor, int descriptorDim, boolean trainable,
                    SplittableRandom rng) {
        this.params = params;
        this.prefix = prefix;
        this.patchSize = patchSize;
        this.layers = architecture(patchSize, widthFactor, descriptorDim);
        int in = 3;
        int c = 0;
        for (Layer l : layers) {
            if (l.pool()) {
                continue;
            }
            int fanIn = in * l.kernel * l.kernel;
            float[] w = Params.uniformFanIn(rng, l.out * fanIn, fanIn);
            float[] b = Params.uniformFanIn(rng, l.out, fanIn);
            String name = prefix + ".conv" + c++;
            if (trainable) {
                params.add(name + ".weight", w, l.out, in, l.kernel, l.kernel);
                params.add(name + ".bias", b, l.out);
            } else {
                params.addBuffer(name + ".weight", w, l.out, in, l.kernel, l.kernel);
                params.addBuffer(name + ".bias", b, l.out);
            }
            in = l.out;
        }
    }

    /** The layers for a patch size; p x p in gives 1 x 1 out. */
    static List<Layer> architecture(int p, float widthFactor, int descriptorDim) {
        int w128 = Math.max(1, Math.round(128 * widthFactor));
        int w256 = Math.max(1, Math.round(256 * widthFactor));
        List<Layer> l = new ArrayList<>();
        switch (p) {
            case 17: // 17 -> 12 -> 8 -> 4 -> 1
                l.add(new Layer(6, w128));
                l.add(new Layer(5, w256));
                l.add(new Layer(5, w256));
                l.add(new Layer(4, descriptorDim));
                break;
            case 33: // 33 -> 29 -> 14 -> 10 -> 5 -> 4 -> 1
                l.add(new Layer(5, w128));
                l.add(new Layer(0, 0));
                l.add(new Layer(5, w256));
                l.add(new Layer(0, 0));
                l.add(new Layer(2, w256));
                l.add(new Layer(4, descriptorDim));
                break;
            case 65: // 65 -> 61 -> 30 -> 26 -> 13 -> 9 -> 4 -> 1 -> 1
                l.add(new Layer(5, w128));
                l.add(new Layer(0, 0));
                l.add(new Layer(5, w128));
                l.add(new Layer(0, 0));
                l.add(new Layer(5, w128));
                l.add(new Layer(0, 0));
                l.add(new Layer(4, w256));
                l.add(new Layer(1, descriptorDim));
                break;
            default:
                throw new IllegalArgumentException("patch size must be 17, 33 or 65, is " + p);
        }
        return l;
    }

    public int patchSize() {
        return patchSize;
    }

    /** Patches (B, 3, p, p) -> descriptors (B, D). */
    public NDArray patches(NDArray x) {
        return run(x, false).reshape(x.getShape().get(0), -1);
    }

    /**
     * Images already padded by {@link #pad} (N, 3, h + p - 1, w + p - 1) -> descriptors
     * (N, D, h, w): pixel (r, c) is the descriptor of the padded image's patch at (r, c).
     */
    public NDArray dense(NDArray padded, int h, int w) {
        NDArray out = run(padded, true);
        return out.get(new NDIndex(":, :, 0:{}, 0:{}", h, w));
    }

    private NDArray run(NDArray x, boolean dense) {
        int dilation = 1;
        int c = 0;
        int convs = (int) layers.stream().filter(l -> !l.pool()).count();
        for (Layer l : layers) {
            if (l.pool()) {
                if (dense) {
                    x = shiftedMax(x, dilation);
                    dilation *= 2;
                } else {
                    x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
                }
                continue;
            }
            String name = prefix + ".conv" + c++;
            x = Conv2d.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"), new Shape(1, 1), new Shape(0, 0),
                    new Shape(dilation, dilation), 1).head();
            if (c < convs) {
                x = Layers.leakyRelu(x, SLOPE);
            }
        }
        return x;
    }

    /** Max over the 2 x 2 taps spaced by d: the stride-1, dilated form of a 2 x 2 stride-2 max pooling. */
    private static NDArray shiftedMax(NDArray x, int d) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray a = x.get(new NDIndex(":, :, 0:{}, 0:{}", h - d, w - d));
        NDArray b = x.get(new NDIndex(":, :, {}:, 0:{}", d, w - d));
        NDArray c = x.get(new NDIndex(":, :, 0:{}, {}:", h - d, d));
        NDArray e = x.get(new NDIndex(":, :, {}:, {}:", d, d));
        return a.maximum(b).maximum(c.maximum(e));
    }

    /**
     * Pads images for {@link #dense} by reflection (the edge pixel not repeated):
     * ceil((p - 1) / 2) before and floor((p - 1) / 2) after, so each pixel's patch is centred
     * on it. The image sides must be larger than half the patch.
     */
    public static NDArray pad(NDArray images, int p) {
        int before = p / 2;
        int after = (p - 1) / 2;
        return reflect(reflect(images, 2, before, after), 3, before, after);
    }

    private static NDArray reflect(NDArray x, int axis, int before, int after) {
        long n = x.getShape().get(axis);
        if (before >= n || after >= n) {
            throw new IllegalArgumentException("the image is " + n + " px along one side; Uninformed Students with this patch size "
                    + "needs more than " + Math.max(before, after) + " px");
        }
        String all = axis == 2 ? ":, :, {}:{}, :" : ":, :, :, {}:{}";
        NDArray head = x.get(new NDIndex(all, 1, before + 1)).flip(axis);
        NDArray tail = x.get(new NDIndex(all, n - 1 - after, n - 1)).flip(axis);
        return NDArrays.concat(new NDList(head, x, tail), axis);
    }
}
