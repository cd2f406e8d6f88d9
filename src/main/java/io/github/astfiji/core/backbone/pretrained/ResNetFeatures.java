package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's ResNets (He et al. 2016; version 1.5, stride in the 3x3 convolution) as
 * frozen feature extractors: ResNet-18 (basic blocks 2-2-2-2) and WideResNet-50-2
 * (bottlenecks 3-4-6-3, inner width doubled). What comes out is chosen by {@link Output}:
 * layer 3 alone (stride 16), layers 1-3 (strides 4, 8, 16: Reverse Distillation's encoder),
 * or the whole network's average-pooled layer 4 (a 512-d descriptor, the target that
 * Uninformed Students' teachers are distilled from).
 */
final class ResNetFeatures extends PretrainedNetwork {

    enum Output { LAYER3, LAYERS_1_TO_3, POOLED }

    enum Variant {
        RESNET18("ResNet-18", new int[] {2, 2, 2, 2}, false, 1),
        WIDE_RESNET50_2("WideResNet-50-2", new int[] {3, 4, 6, 3}, true, 2);

        final String title;
        final int[] blocks;
        final boolean bottleneck;
        final int widthFactor;

        Variant(String title, int[] blocks, boolean bottleneck, int widthFactor) {
            this.title = title;
            this.blocks = blocks;
            this.bottleneck = bottleneck;
            this.widthFactor = widthFactor;
        }

        /** Output channels of layer i (0-based). */
        int channels(int layer) {
            return (64 << layer) * (bottleneck ? 4 : 1);
        }
    }

    private static final float EPS = 1e-5f;
    private final FoldedConv stem;
    private final List<List<Block>> layers = new ArrayList<>();
    private final Output output;

    private static final class Block {
        final List<FoldedConv> path = new ArrayList<>();
        FoldedConv downsample;
    }

    ResNetFeatures(NDManager parent, String id, String checksum, StateDict w, Variant v, Output output) throws IOException {
        super(parent, id, checksum, w.file(), channels(v, output), strides(output));
        this.output = output;
        w.requireShape("conv1.weight", w.take("conv1.weight"), 64, 3, 7, 7);
        stem = FoldedConv.withBatchNorm(w, "conv1", "bn1", EPS, 2, 3, 1);
        int layerCount = output == Output.POOLED ? 4 : 3;
        int in = 64;
        for (int l = 0; l < layerCount; l++) {
            List<Block> blocks = new ArrayList<>();
            int planes = 64 << l;
            for (int b = 0; b < v.blocks[l]; b++) {
                String name = "layer" + (l + 1) + "." + b;
                int stride = l > 0 && b == 0 ? 2 : 1;
                Block block = new Block();
                if (v.bottleneck) {
                    block.path.add(FoldedConv.withBatchNorm(w, name + ".conv1", name + ".bn1", EPS, 1, 0, 1));
                    block.path.add(FoldedConv.withBatchNorm(w, name + ".conv2", name + ".bn2", EPS, stride, 1, 1));
                    block.path.add(FoldedConv.withBatchNorm(w, name + ".conv3", name + ".bn3", EPS, 1, 0, 1));
                } else {
                    block.path.add(FoldedConv.withBatchNorm(w, name + ".conv1", name + ".bn1", EPS, stride, 1, 1));
                    block.path.add(FoldedConv.withBatchNorm(w, name + ".conv2", name + ".bn2", EPS, 1, 1, 1));
                }
                int out = v.channels(l);
                if (b == 0 && (stride != 1 || in != out)) {
                    block.downsample = FoldedConv.withBatchNorm(w, name + ".downsample.0", name + ".downsample.1", EPS, stride, 0, 1);
                }
                long expectedWidth = (long) planes * v.widthFactor;
                if (v.bottleneck && block.path.get(0).outChannels() != expectedWidth
                        || block.path.get(block.path.size() - 1).outChannels() != out) {
                    throw new IOException(name + " has other widths than " + v.title + "'s: the file holds another network's weights."
                            + " Use the file published for " + v.title + ".");
                }
                blocks.add(block);
                in = out;
            }
            layers.add(blocks);
        }
        w.requireAllUsed(layerCount == 3 ? "layer4." : "\u0000", "fc.");
        stem.attach(manager);
        for (List<Block> blocks : layers) {
            for (Block b : blocks) {
                b.path.forEach(c -> c.attach(manager));
                if (b.downsample != null) {
                    b.downsample.attach(manager);
                }
            }
        }
    }

    private static int[] channels(Variant v, Output o) {
        switch (o) {
            case LAYER3: return new int[] {v.channels(2)};
            case LAYERS_1_TO_3: return new int[] {v.channels(0), v.channels(1), v.channels(2)};
            default: return new int[] {v.channels(3)};
        }
    }

    private static int[] strides(Output o) {
        switch (o) {
            case LAYER3: return new int[] {16};
            case LAYERS_1_TO_3: return new int[] {4, 8, 16};
            default: return new int[] {32}; // pooled to 1x1; the stride of the map before pooling
        }
    }

    @Override
    NDList forward(NDArray images) {
        NDArray x = stage(images, true, in -> Pool.maxPool2d(Activation.relu(stem.apply(in)),
                new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false));
        NDList maps = new NDList();
        for (int l = 0; l < layers.size(); l++) {
            boolean first = true;
            for (Block b : layers.get(l)) {
                // the previous layer's output, when it is returned, must outlive this block
                boolean keep = first && l > 0 && output == Output.LAYERS_1_TO_3;
                x = stage(x, keep, in -> block(b, in));
                first = false;
            }
            if (output == Output.LAYERS_1_TO_3) {
                maps.add(x);
            }
        }
        if (output == Output.LAYER3) {
            maps.add(x);
        } else if (output == Output.POOLED) {
            maps.add(stage(x, false, in -> in.mean(new int[] {3}, true).mean(new int[] {2}, true)));
        }
        return maps;
    }

    private static NDArray block(Block b, NDArray in) {
        NDArray y = in;
        for (int i = 0; i < b.path.size(); i++) {
            y = b.path.get(i).apply(y);
            if (i < b.path.size() - 1) {
                y = Activation.relu(y);
            }
        }
        NDArray identity = b.downsample == null ? in : b.downsample.apply(in);
        return Activation.relu(y.addi(identity)); // y is this block's own: added in place, one map less per block
    }
}
