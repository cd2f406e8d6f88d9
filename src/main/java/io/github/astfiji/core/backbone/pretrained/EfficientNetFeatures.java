package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's EfficientNet-B5 (Tan and Le 2019; the lukemelas port of the original
 * weights) cut after its sixth stage, as AST uses it (Rudolph et al. 2023): the stem and
 * MBConv blocks 1-36, 304 channels at stride 32. Blocks are expansion (1x1), depthwise
 * k x k, squeeze-and-excitation, projection (1x1), with a residual where the shape allows;
 * SiLU activations and BatchNorm with eps 0.001, as torchvision builds B5.
 */
final class EfficientNetFeatures extends PretrainedNetwork {

    /** B0's stages (expansion, kernel, stride, in, out, blocks), scaled for B5 by width 1.6 and depth 2.2. */
    private static final int[][] B0_STAGES = {
        {1, 3, 1, 32, 16, 1}, {6, 3, 2, 16, 24, 2}, {6, 5, 2, 24, 40, 2}, {6, 3, 2, 40, 80, 3},
        {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
    };
    private static final double WIDTH = 1.6;
    private static final double DEPTH = 2.2;
    private static final float EPS = 1e-3f;
    static final int CHANNELS = adjust(192);
    static final int STRIDE = 32;

    private final FoldedConv stem;
    private final List<MbConv> blocks = new ArrayList<>();

    private static final class MbConv {
        FoldedConv expand;
        FoldedConv depthwise;
        FoldedConv squeeze;
        FoldedConv excite;
        FoldedConv project;
        boolean residual;
    }

    EfficientNetFeatures(NDManager parent, String id, String checksum, StateDict w) throws IOException {
        super(parent, id, checksum, w.file(), new int[] {CHANNELS}, new int[] {STRIDE});
        int stemOut = adjust(32);
        w.requireShape("features.0.0.weight", w.take("features.0.0.weight"), stemOut, 3, 3, 3);
        stem = FoldedConv.withBatchNorm(w, "features.0.0", "features.0.1", EPS, 2, 1, 1);
        for (int s = 0; s < B0_STAGES.length; s++) {
            int[] st = B0_STAGES[s];
            int expandRatio = st[0];
            int kernel = st[1];
            int out = adjust(st[4]);
            int repeats = (int) Math.ceil(st[5] * DEPTH);
            int in = adjust(st[3]);
            for (int b = 0; b < repeats; b++) {
                String name = "features." + (s + 1) + "." + b + ".block.";
                int stride = b == 0 ? st[2] : 1;
                int blockIn = b == 0 ? in : out;
                int expanded = blockIn * expandRatio;
                MbConv m = new MbConv();
                int i = 0;
                if (expandRatio != 1) {
                    m.expand = FoldedConv.withBatchNorm(w, name + i + ".0", name + i + ".1", EPS, 1, 0, 1);
                    i++;
                }
                w.requireShape(name + i + ".0.weight", w.take(name + i + ".0.weight"), expanded, 1, kernel, kernel);
                m.depthwise = FoldedConv.withBatchNorm(w, name + i + ".0", name + i + ".1", EPS, stride, (kernel - 1) / 2, expanded);
                i++;
                m.squeeze = FoldedConv.plain(w, name + i + ".fc1");
                m.excite = FoldedConv.plain(w, name + i + ".fc2");
                w.requireShape(name + i + ".fc1.weight", w.take(name + i + ".fc1.weight"), Math.max(1, blockIn / 4), expanded, 1, 1);
                i++;
                w.requireShape(name + i + ".0.weight", w.take(name + i + ".0.weight"), out, expanded, 1, 1);
                m.project = FoldedConv.withBatchNorm(w, name + i + ".0", name + i + ".1", EPS, 1, 0, 1);
                m.residual = stride == 1 && blockIn == out;
                blocks.add(m);
            }
        }
        w.requireAllUsed("features.7.", "features.8.", "classifier.");
        stem.attach(manager);
        for (MbConv m : blocks) {
            for (FoldedConv c : new FoldedConv[] {m.expand, m.depthwise, m.squeeze, m.excite, m.project}) {
                if (c != null) {
                    c.attach(manager);
                }
            }
        }
    }

    /** torchvision's channel rounding: scaled, then to a multiple of 8 without losing more than 10 %. */
    static int adjust(int channels) {
        double scaled = channels * WIDTH;
        int rounded = Math.max(8, (int) (scaled + 4) / 8 * 8);
        return rounded < 0.9 * scaled ? rounded + 8 : rounded;
    }

    @Override
    NDList forward(NDArray images) {
        NDArray x = stage(images, true, in -> silu(stem.apply(in)));
        for (MbConv m : blocks) {
            x = stage(x, false, in -> block(m, in));
        }
        return new NDList(x);
    }

    private static NDArray block(MbConv m, NDArray in) {
        NDArray y = m.expand == null ? in : silu(m.expand.apply(in));
        y = silu(m.depthwise.apply(y));
        NDArray gate = Activation.sigmoid(m.excite.apply(silu(m.squeeze.apply(y.mean(new int[] {3}, true).mean(new int[] {2}, true)))));
        // every y here is this block's own intermediate, so products and sums go in place
        y = m.project.apply(y.muli(gate));
        return m.residual ? y.addi(in) : y; // stochastic depth is the identity at inference
    }

    /** x * sigmoid(x), in place: only ever applied to a convolution's fresh output. */
    private static NDArray silu(NDArray x) {
        return x.muli(Activation.sigmoid(x));
    }
}
