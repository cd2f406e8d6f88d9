package io.github.astfiji.core.ast;

import io.github.astfiji.core.method.DetectorConfig;

import java.util.Arrays;

/** AST's architecture and training length, on top of the settings every method shares; stored in the model file. */
public final class AstConfig extends DetectorConfig {

    /** Channels of the 2-D sinusoidal positional encoding (0 switches it off, for ablations). */
    public int positionalChannels = 32;
    public int flowHidden = 64;
    public int[] flowKernels = {3, 3, 3, 5};
    public float clampAlpha = 1.9f;
    public int studentHidden = 128;
    public int studentBlocks = 2;
    public int teacherEpochs = 60;
    /**
     * Standard deviation of Gaussian noise added to the (standardised) features while the
     * flow trains, never when scoring; 0 = none, as in the paper.
     */
    public float featureNoise = 0f;
    public int studentEpochs = 60;

    @Override
    public void setEpochs(int epochs) {
        teacherEpochs = epochs;
        studentEpochs = epochs;
    }

    @Override
    public AstConfig copy() {
        return (AstConfig) super.copy();
    }

    @Override
    public void validate() {
        super.validate();
        require(positionalChannels >= 0 && positionalChannels % 4 == 0, "positionalChannels must be 0 or a multiple of 4, is " + positionalChannels);
        require(flowHidden > 0, "flowHidden must be positive");
        require(flowKernels != null && flowKernels.length > 0, "flowKernels needs at least one block");
        for (int k : flowKernels) {
            require(k > 0 && k % 2 == 1, "flowKernels must be odd, is " + Arrays.toString(flowKernels));
        }
        require(clampAlpha > 0, "clampAlpha must be positive");
        require(featureNoise >= 0 && featureNoise < 10, "featureNoise must be in [0, 10)");
        require(studentHidden > 0 && studentBlocks >= 0, "student sizes must be positive");
        require(teacherEpochs >= 0 && studentEpochs >= 0, "epochs must not be negative");
        require(gradientClip > 0, "gradientClip must be positive for AST (the flow needs clipping)");
    }
}
