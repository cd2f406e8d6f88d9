package io.github.astfiji.core.score;

/** How an anomaly map becomes one image score. */
public enum ImageScoreRule {
    /** The reference's rule: the mean of the map, or the max over the foreground when a mask exists. */
    AUTO,
    /** Mean over the (foreground) map: robust for large, diffuse defects. */
    MEAN,
    /** Max over the (foreground) map: catches small defects. */
    MAX,
    /**
     * Mean of the highest {@link #TOP_SHARE} of the (foreground) map: a faint defect that spans
     * many cells (defocus over a group of cells) adds up, where the maximum sees one cell of it.
     */
    TOP,
    /**
     * Left to the training images (AST's CPU preset): {@link #TOP} on composites, whose
     * channels are separate stains, {@link #MAX} on grey and RGB images (BENCHMARKS.md, issue 22).
     * Settled when training starts; a model file stores the rule it settled on.
     */
    BY_IMAGE_KIND;

    /** The share of the map that {@link #TOP} averages. */
    public static final double TOP_SHARE = 0.05;

    /** The rule to use for training images of this kind. */
    public ImageScoreRule settle(boolean composite) {
        if (this != BY_IMAGE_KIND) {
            return this;
        }
        return composite ? TOP : MAX;
    }

    /** The names users type, for messages. */
    public static final String CHOICES = "auto, mean, max or top";
}
