package io.github.astfiji.core.rd;

import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.score.ImageScoreRule;

import java.util.Arrays;

/**
 * Reverse Distillation's architecture and training length, on top of the shared settings.
 * The defaults are the paper's (Deng and Li, CVPR 2022, and the authors' code): 256 px,
 * 3 bottleneck blocks, decoder stages of 3, 4, 6 blocks, WideResNet widths (2x), Adam at
 * 0.005 with betas (0.5, 0.999), batch 16, 200 epochs, map smoothed with sigma 4, image
 * score = max of the map. Channel counts follow the encoder (see {@link RdNetwork}).
 */
public final class RdConfig extends DetectorConfig {

    public int epochs = 200;
    /** Residual bottleneck blocks in the one-class bottleneck's final layer. */
    public int bottleneckBlocks = 3;
    /** Blocks per decoder stage, deepest first (the mirror of the encoder's layers 3, 2, 1). */
    public int[] decoderBlocks = {3, 4, 6};
    /** Inner width of a residual block per output plane: 2 for WideResNet-50-2, 1 for ResNet-50. */
    public int widthFactor = 2;
    /** Gaussian smoothing of the anomaly map, in pixels of the network input. */
    public float mapSigma = 4f;

    public RdConfig() {
        imageSize = 256;
        batchSize = 16;
        learningRate = 0.005f;
        beta1 = 0.5f;
        beta2 = 0.999f;
        weightDecay = 0f;
        gradientClip = 0f;
        imageScore = ImageScoreRule.MAX;
    }

    @Override
    public void setEpochs(int epochs) {
        this.epochs = epochs;
    }

    @Override
    public RdConfig copy() {
        return (RdConfig) super.copy();
    }

    @Override
    public void validate() {
        super.validate();
        require(epochs >= 0, "epochs must not be negative");
        require(bottleneckBlocks >= 1, "bottleneckBlocks must be at least 1");
        require(decoderBlocks != null && decoderBlocks.length == 3, "decoderBlocks needs 3 stages, is " + Arrays.toString(decoderBlocks));
        for (int b : decoderBlocks) {
            require(b >= 1, "every decoder stage needs at least one block, is " + Arrays.toString(decoderBlocks));
        }
        require(widthFactor >= 1, "widthFactor must be at least 1");
        require(mapSigma >= 0, "mapSigma must not be negative");
    }
}
