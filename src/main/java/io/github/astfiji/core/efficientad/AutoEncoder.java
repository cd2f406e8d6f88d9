package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.Params;

import java.util.SplittableRandom;

/**
 * EfficientAD's autoencoder: it must rebuild the teacher's features of the whole image
 * from a 64-number code, so it learns the image's layout (where which part belongs) and
 * fails where a part is missing or misplaced, which patch-local students cannot see.
 * Encoder: five 4x4 stride-2 convolutions (32, 32, 64, 64, 64 channels) and one that
 * reduces the remaining imageSize / 32 square to 1x1 (8x8 at the paper's 256 px). Decoder:
 * six steps of bilinear upsampling, a 4x4 convolution padded by 2, ReLU and dropout 0.2, to
 * the sizes the paper uses at 256 px (3, 8, 15, 32, 63, 127, scaled with the image), then
 * upsampling to the PDN's output grid and two 3x3 convolutions to the teacher's channels.
 */
public final class AutoEncoder {

    static final float DROPOUT = 0.2f;
    private static final int[] ENCODER = {32, 32, 64, 64, 64};
    private final Params params;
    private final int imageSize;
    private final int outputSize;

    public AutoEncoder(Params params, int imageSize, int outChannels, SplittableRandom rng) {
        this.params = params;
        this.imageSize = imageSize;
        this.outputSize = Pdn.outputSize(imageSize);
        int in = 3;
        for (int i = 0; i < ENCODER.length; i++) {
            Layers.addConv(params, "ae.enc" + (i + 1), in, ENCODER[i], 4, rng);
            in = ENCODER[i];
        }
        Layers.addConv(params, "ae.enc6", 64, 64, imageSize / 32, rng);
        for (int i = 1; i <= 7; i++) {
            Layers.addConv(params, "ae.dec" + i, 64, 64, i <= 6 ? 4 : 3, rng);
        }
        Layers.addConv(params, "ae.dec8", 64, outChannels, 3, rng);
    }

    /** The decoder's intermediate sizes: 3, 8, 15, 32, 63, 127 at 256 px. */
    int[] upsampleSizes() {
        int s = imageSize;
        return new int[] {Math.max(1, s / 64 - 1), s / 32, s / 16 - 1, s / 8, s / 4 - 1, s / 2 - 1};
    }

    /** (N, 3, S, S) to (N, out, g, g) on the PDN's output grid g; dropout only when training. */
    public NDArray forward(NDArray x, boolean training) {
        for (int i = 1; i <= 5; i++) {
            x = conv(x, "ae.enc" + i, 2, 1).maximum(0f);
        }
        x = conv(x, "ae.enc6", 1, 0);
        int[] sizes = upsampleSizes();
        for (int i = 0; i < sizes.length; i++) {
            x = conv(bilinear(x, sizes[i], sizes[i]), "ae.dec" + (i + 1), 1, 2).maximum(0f);
            x = Dropout.dropout(x, DROPOUT, training).head();
        }
        x = bilinear(x, outputSize, outputSize);
        x = conv(x, "ae.dec7", 1, 1).maximum(0f);
        return conv(x, "ae.dec8", 1, 1);
    }

    private NDArray conv(NDArray x, String name, int stride, int pad) {
        return Conv2d.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"), new Shape(stride, stride), new Shape(pad, pad))
                .head();
    }

    /**
     * Bilinear resizing of an (N, C, H, W) tensor with PyTorch's nn.Upsample arithmetic
     * (corners not aligned, no antialiasing when shrinking: the engine's own resize
     * antialiases, which the paper's networks never saw), as two small interpolation
     * matrices, so gradients flow through it.
     */
    public static NDArray bilinear(NDArray x, int height, int width) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h == height && w == width) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rows = m.create(weights((int) h, height), new Shape(height, h));
        NDArray cols = m.create(weights((int) w, width), new Shape(width, w));
        return rows.matMul(x.matMul(cols.transpose()));
    }

    /** (out, in) linear-interpolation weights: source = (i + 0.5) * in / out - 0.5, clamped at 0. */
    static float[] weights(int in, int out) {
        float[] a = new float[out * in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double lambda = src - i0;
            a[i * in + i0] += (float) (1 - lambda);
            a[i * in + i1] += (float) lambda;
        }
        return a;
    }
}
