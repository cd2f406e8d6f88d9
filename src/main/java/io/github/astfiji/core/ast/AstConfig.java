package io.github.astfiji.core.ast;

import io.github.astfiji.core.ImageScore;
import io.github.astfiji.core.InputMode;
import io.github.astfiji.core.depth.DepthProcessing;

import java.util.Arrays;

/** Everything that defines an AST model's architecture and training; stored in the model file. */
public final class AstConfig {

    /** Preset this configuration started from (informational). */
    public String preset = "cpu";
    /** Input images are resized to imageSize x imageSize (no crop), as the reference does. */
    public int imageSize = 192;
    /** Channels of the 2-D sinusoidal positional encoding (0 switches it off, for ablations). */
    public int positionalChannels = 32;
    public int flowHidden = 64;
    public int[] flowKernels = {3, 3, 3, 5};
    public float clampAlpha = 1.9f;
    public int studentHidden = 128;
    public int studentBlocks = 2;
    public int teacherEpochs = 60;
    public int studentEpochs = 60;
    public int batchSize = 8;
    public float learningRate = 2e-4f;
    public float weightDecay = 1e-5f;
    /** Gradients are clipped element-wise to [-gradientClip, gradientClip] before Adam. */
    public float gradientClip = 1f;
    public long seed = 0;
    /** Share of the normal images held out from training to calibrate thresholds (0 = none). */
    public float calibrationFraction = 0.2f;
    /** False-positive rate on normal images that the image threshold is set to. */
    public float targetFpr = 0.01f;
    /** How a map becomes the image score (and so what thresholds and verdicts are based on). */
    public ImageScore imageScore = ImageScore.AUTO;
    /** What the networks see: image features, depth channels, or both. */
    public InputMode input = InputMode.RGB;
    /** Restrict losses and scores to the foreground found in the depth map (when depth is given). */
    public boolean foregroundMask = true;
    /** Metres per depth unit (1 for MVTec 3D-AD's metres, 0.001 for millimetres). */
    public float depthScale = 1f;

    public AstConfig copy() {
        AstConfig c = new AstConfig();
        c.preset = preset;
        c.imageSize = imageSize;
        c.positionalChannels = positionalChannels;
        c.flowHidden = flowHidden;
        c.flowKernels = flowKernels.clone();
        c.clampAlpha = clampAlpha;
        c.studentHidden = studentHidden;
        c.studentBlocks = studentBlocks;
        c.teacherEpochs = teacherEpochs;
        c.studentEpochs = studentEpochs;
        c.batchSize = batchSize;
        c.learningRate = learningRate;
        c.weightDecay = weightDecay;
        c.gradientClip = gradientClip;
        c.seed = seed;
        c.calibrationFraction = calibrationFraction;
        c.targetFpr = targetFpr;
        c.input = input;
        c.imageScore = imageScore;
        c.foregroundMask = foregroundMask;
        c.depthScale = depthScale;
        return c;
    }

    /** Rejects settings that cannot work, with the setting's name in the message. */
    public void validate() {
        require(imageSize >= 32 && imageSize <= 4096, "imageSize must be in 32..4096, is " + imageSize);
        require(positionalChannels >= 0 && positionalChannels % 4 == 0, "positionalChannels must be 0 or a multiple of 4, is " + positionalChannels);
        require(flowHidden > 0, "flowHidden must be positive");
        require(flowKernels.length > 0, "flowKernels needs at least one block");
        for (int k : flowKernels) {
            require(k > 0 && k % 2 == 1, "flowKernels must be odd, is " + Arrays.toString(flowKernels));
        }
        require(clampAlpha > 0, "clampAlpha must be positive");
        require(studentHidden > 0 && studentBlocks >= 0, "student sizes must be positive");
        require(teacherEpochs >= 0 && studentEpochs >= 0, "epochs must not be negative");
        require(batchSize > 0, "batchSize must be positive");
        require(learningRate > 0, "learningRate must be positive");
        require(gradientClip > 0, "gradientClip must be positive");
        require(calibrationFraction >= 0 && calibrationFraction < 0.9f, "calibrationFraction must be in [0, 0.9)");
        require(targetFpr > 0 && targetFpr < 1, "targetFpr must be in (0, 1)");
        require(imageScore != null, "imageScore must be auto, mean or max");
        require(input != null, "input must be rgb, depth or rgb+depth");
        require(depthScale > 0 && Float.isFinite(depthScale), "depthScale must be positive");
    }

    /** Channels the flow and student work on: the backbone's, the depth's, or both. */
    public int featureChannels(int backboneChannels) {
        int depth = DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE;
        return (input.usesImage() ? backboneChannels : 0) + (input.usesDepth() ? depth : 0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
