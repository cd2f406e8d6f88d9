package io.github.astfiji.core.us;

import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.score.ImageScoreRule;

import java.util.Arrays;

/**
 * Uninformed Students' settings on top of the shared ones. The teacher (a file, or the
 * built-in one) fixes the networks' widths and descriptor size; they are copied here when
 * training starts, so a model file is complete without the teacher file.
 */
public final class UsConfig extends DetectorConfig {

    /** Patch sizes (17, 33, 65); one teacher and one ensemble of students each; scores are averaged. */
    public int[] patchSizes = {17, 33, 65};
    /** Students per patch size (the paper's ensemble: 3). */
    public int students = 3;
    public int epochs = 100;
    /** Side of the square crop of each training image that one step trains on densely (0 = the whole image). */
    public int cropSize = 0;
    /** "builtin" (shipped in the plugin) or a teacher file written by make-us-teacher. */
    public String teacher = UsTeacher.BUILTIN;
    /** Copied from the teacher: hidden widths relative to the paper's, and the descriptor size. */
    public float widthFactor = 1f;
    public int descriptorDim = 128;
    /** SHA-256 of the teacher file the model was trained with (provenance). */
    public String teacherSha256 = "";

    public UsConfig() {
        imageSize = 256;
        batchSize = 1;
        learningRate = 1e-4f;
        weightDecay = 1e-5f;
        gradientClip = 0f;
        imageScore = ImageScoreRule.MAX;
    }

    @Override
    public void setEpochs(int epochs) {
        this.epochs = epochs;
    }

    @Override
    public UsConfig copy() {
        return (UsConfig) super.copy();
    }

    @Override
    public void validate() {
        super.validate();
        require(patchSizes != null && patchSizes.length > 0, "patchSizes needs at least one of 17, 33, 65");
        for (int p : patchSizes) {
            require(p == 17 || p == 33 || p == 65, "patchSizes must be 17, 33 or 65, is " + Arrays.toString(patchSizes));
        }
        require(Arrays.stream(patchSizes).distinct().count() == patchSizes.length, "patchSizes must not repeat");
        require(students >= 2, "students must be at least 2 (the predictive variance needs an ensemble)");
        require(epochs >= 0, "epochs must not be negative");
        require(cropSize == 0 || (cropSize >= 8 && cropSize <= imageSize), "cropSize must be 0 or in 8..imageSize");
        require(widthFactor > 0 && descriptorDim > 0, "widthFactor and descriptorDim must be positive");
        require(teacher != null && !teacher.isBlank(), "teacher must be builtin or a teacher file");
        require(imageSize >= 64, "Uninformed Students needs images of at least 64 px (its largest patch is 65 px)");
    }
}
