package io.github.astfiji.core.efficientad;

import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.score.ImageScoreRule;

/**
 * EfficientAD's settings on top of the shared ones. The defaults are the paper's (Batzner,
 * Heckler, König, WACV 2024): 256 px, PDN-S, autoencoder on, batch 1, Adam 1e-4 with weight
 * decay 1e-5, 70 000 steps with the learning rate divided by 10 at 95 %, hard-feature
 * quantile 0.999, penalty images, map quantiles 0.9 and 0.995 on held-out normal images.
 */
public final class EfficientAdConfig extends DetectorConfig {

    /** "small" (PDN-S) or "medium" (PDN-M); the teacher file must have the same shape. */
    public String modelSize = "small";
    /** Hidden widths of the PDNs relative to the paper's (1 = the paper's; copied from the teacher). */
    public float widthFactor = 1f;
    /** Output channels of the teacher (the student has twice as many with the autoencoder). */
    public int teacherChannels = 384;
    /** Train and use the autoencoder (the map of logical defects); off = the student-teacher map alone. */
    public boolean autoencoder = true;
    /** Optimiser steps (one image each at batch 1). */
    public int steps = 70_000;
    /** Share of the steps after which the learning rate is divided by 10. */
    public float learningRateDropAt = 0.95f;
    /** Quantile of the squared student-teacher differences above which they enter the loss (hard-feature mining). */
    public float hardFeatureQuantile = 0.999f;
    /** "builtin" (natural images shipped in the plugin), a folder of images, or "none" (no penalty term). */
    public String penaltyImages = PenaltyImages.BUILTIN;
    /** "builtin" (the PDN shipped in the plugin), "imagenet" (the published ImageNet-distilled PDN, downloaded once) or a teacher file written by make-pdn-teacher. */
    public String teacher = PdnTeacher.BUILTIN;
    /** SHA-256 of the teacher file the model was trained with (provenance). */
    public String teacherSha256 = "";
    /** The teacher {@link EfficientAdMethod#check} read, handed once to training so the file is read once (not stored, not copied). */
    transient PdnTeacher checkedTeacher;

    public EfficientAdConfig() {
        imageSize = 256;
        batchSize = 1;
        learningRate = 1e-4f;
        weightDecay = 1e-5f;
        gradientClip = 0f;
        imageScore = ImageScoreRule.MAX;
    }

    /** A user's "epochs" are optimiser steps here (the paper counts steps, not passes). */
    @Override
    public void setEpochs(int epochs) {
        this.steps = epochs;
    }

    @Override
    public EfficientAdConfig copy() {
        return (EfficientAdConfig) super.copy();
    }

    public boolean medium() {
        return "medium".equals(modelSize);
    }

    @Override
    public void validate() {
        super.validate();
        require("small".equals(modelSize) || "medium".equals(modelSize), "modelSize must be small or medium, is " + modelSize);
        require(widthFactor > 0 && widthFactor <= 4, "widthFactor must be in (0, 4], is " + widthFactor);
        require(teacherChannels >= 8, "teacherChannels must be at least 8");
        require(steps >= 0, "steps must not be negative");
        require(learningRateDropAt > 0 && learningRateDropAt <= 1, "learningRateDropAt must be in (0, 1]");
        require(hardFeatureQuantile >= 0 && hardFeatureQuantile < 1, "hardFeatureQuantile must be in [0, 1)");
        require(penaltyImages != null && !penaltyImages.isBlank(), "penaltyImages must be builtin, none or a folder of images");
        require(teacher != null && !teacher.isBlank(), "teacher must be builtin or a teacher file");
        // the PDN sees 33 px and the autoencoder's encoder halves the image five times down to a kernel of imageSize / 32
        require(imageSize >= 64 && imageSize % 32 == 0, "EfficientAD needs an image size that is a multiple of 32 and at least 64, is "
                + imageSize);
    }
}
