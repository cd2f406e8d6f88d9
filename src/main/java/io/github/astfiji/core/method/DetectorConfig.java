package io.github.astfiji.core.method;

import com.google.gson.Gson;
import io.github.astfiji.core.image.InputMode;
import io.github.astfiji.core.score.ImageScoreRule;
import io.github.astfiji.core.tiling.Sizing;

/**
 * Settings every method shares: input size and type, optimiser, seed, thresholds, depth.
 * Each method extends it with its own architecture and epochs. Stored (flat, as JSON) in
 * the model file, so fields keep their names across versions; a missing field keeps the
 * default written here.
 */
public abstract class DetectorConfig {

    private static final Gson GSON = new Gson();

    /** Preset this configuration started from (informational). */
    public String preset = "cpu";
    /** Side of the networks' square input (the whole image resized, or one tile; see sizing). */
    public int imageSize = 192;
    /**
     * How images become network inputs: resize (stretched to imageSize, the papers' way),
     * fit (scaled to fit, aspect ratio kept), tile (overlapping imageSize tiles at
     * tileScale), or auto (decided at training: tile for images more than twice imageSize,
     * else fit; resize with depth). Models made before this setting existed resize.
     */
    public Sizing sizing = Sizing.RESIZE;
    /** Tiling: working pixels per image pixel (1 = full resolution, 0.5 = half). */
    public float tileScale = 1f;
    /** Tiling: share of a tile that overlaps its neighbours when detecting. */
    public float tileOverlap = 0.25f;
    /** Tiling: at most this many training tiles per image (evenly spread over it). */
    public int maxTilesPerImage = 16;
    /** Median size of the training images (0 = not recorded), for warnings about unlike images. */
    public int trainingWidth;
    public int trainingHeight;
    public int batchSize = 8;
    public float learningRate = 2e-4f;
    /** Adam's moment decay rates (AST: 0.9, 0.999; RD: 0.5, 0.999). */
    public float beta1 = 0.9f;
    public float beta2 = 0.999f;
    public float weightDecay = 1e-5f;
    /**
     * Gradients are clipped element-wise from above to gradientClip inside Adam (DJL's native
     * update clamps the upper side only; clipping both sides was measured and not kept,
     * BENCHMARKS.md); 0 = no clipping.
     */
    public float gradientClip = 1f;
    /** Clip gradients from below too (to [-gradientClip, gradientClip]); off in models made before this setting existed. */
    public boolean clipBothSides = false;
    public long seed = 0;
    /** Share of the normal images held out from training to calibrate thresholds (0 = none), when not calibrating by folds. */
    public float calibrationFraction = 0.2f;
    /**
     * Thresholds from k-fold scoring (k >= 2): k extra models, each trained without one
     * fold of the normal images, score that fold, so every normal image gets a score from a
     * model that never saw it; the final model then trains on all images. 0 = hold out
     * calibrationFraction instead (cheaper, fewer scores).
     */
    public int calibrationFolds = 0;
    /** False-positive rate on normal images that the image threshold is set to. */
    public float targetFpr = 0.01f;
    /** How a map becomes the image score (and so what thresholds and verdicts are based on). */
    public ImageScoreRule imageScore = ImageScoreRule.AUTO;
    /**
     * Standardise each map cell against the normal training views at that position (see
     * score.PositionNormalisation), so a network's higher scores near a view's border do not
     * decide an image's score. Off: the maps as the networks give them (ablation).
     */
    public boolean positionNormalisation = true;
    /** What the networks see: image features, depth channels, or both. */
    public InputMode input = InputMode.RGB;
    /** Restrict losses and scores to the foreground found in the depth map (when depth is given). */
    public boolean foregroundMask = true;
    /** Metres per depth unit (1 for MVTec 3D-AD's metres, 0.001 for millimetres). */
    public float depthScale = 1f;

    /** Sets the training length from one number (a user's "epochs"); the method decides what it covers. */
    public abstract void setEpochs(int epochs);

    /** A deep copy of the same class. */
    public DetectorConfig copy() {
        return GSON.fromJson(GSON.toJson(this), getClass());
    }

    /** Rejects settings that cannot work, with the setting's name in the message. */
    public void validate() {
        require(imageSize >= 32 && imageSize <= 4096, "imageSize must be in 32..4096, is " + imageSize);
        require(sizing != null, "sizing must be auto, resize, fit or tile");
        require(tileScale > 0 && tileScale <= 8, "tileScale must be in (0, 8], is " + tileScale);
        require(tileOverlap >= 0 && tileOverlap < 0.9f, "tileOverlap must be in [0, 0.9), is " + tileOverlap);
        require(maxTilesPerImage >= 1, "maxTilesPerImage must be at least 1");
        require(batchSize > 0, "batchSize must be positive");
        require(learningRate > 0, "learningRate must be positive");
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "beta1 and beta2 must be in [0, 1)");
        require(weightDecay >= 0, "weightDecay must not be negative");
        require(gradientClip >= 0, "gradientClip must not be negative (0 = off)");
        require(calibrationFraction >= 0 && calibrationFraction < 0.9f, "calibrationFraction must be in [0, 0.9)");
        require(calibrationFolds == 0 || (calibrationFolds >= 2 && calibrationFolds <= 20), "calibrationFolds must be 0 or 2..20");
        require(targetFpr > 0 && targetFpr < 1, "targetFpr must be in (0, 1)");
        require(imageScore != null, "imageScore must be " + ImageScoreRule.CHOICES);
        require(input != null, "input must be rgb, depth or rgb+depth");
        require(depthScale > 0 && Float.isFinite(depthScale), "depthScale must be positive");
    }

    protected static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
