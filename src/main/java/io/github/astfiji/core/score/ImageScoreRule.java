package io.github.astfiji.core.score;

/** How an anomaly map becomes one image score. */
public enum ImageScoreRule {
    /** The reference's rule: the mean of the map, or the max over the foreground when a mask exists. */
    AUTO,
    /** Mean over the (foreground) map: robust for large, diffuse defects. */
    MEAN,
    /** Max over the (foreground) map: catches small defects. */
    MAX
}
