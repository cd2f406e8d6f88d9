package io.github.astfiji.core.score;

import io.github.astfiji.core.image.Resample;

/** The result of scoring one image. */
public final class AnomalyMap {

    /** Anomaly map at feature-grid resolution (gridWidth x gridHeight, row-major). */
    public final float[] grid;
    public final int gridWidth;
    public final int gridHeight;
    /** Foreground at grid resolution, or null when every pixel counts. */
    public final boolean[] foreground;
    /** Image score by the model's rule (see {@link ImageScore}). */
    public final float score;
    public final float meanScore;
    public final float maxScore;

    /** With the reference's rule: the mean, or the max over the foreground when a mask exists. */
    public AnomalyMap(float[] grid, int gridWidth, int gridHeight, boolean[] foreground) {
        this(grid, gridWidth, gridHeight, foreground, ImageScoreRule.AUTO);
    }

    public AnomalyMap(float[] grid, int gridWidth, int gridHeight, boolean[] foreground, ImageScoreRule rule) {
        this.grid = grid;
        this.gridWidth = gridWidth;
        this.gridHeight = gridHeight;
        this.foreground = foreground;
        double sum = 0;
        int n = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < grid.length; i++) {
            if (foreground == null || foreground[i]) {
                sum += grid[i];
                n++;
                max = Math.max(max, grid[i]);
            }
        }
        this.meanScore = n == 0 ? 0f : (float) (sum / n);
        this.maxScore = n == 0 ? 0f : max;
        if (rule == ImageScoreRule.TOP) {
            this.score = n == 0 ? 0f : topMean(foregroundValues(), ImageScoreRule.TOP_SHARE);
        } else {
            boolean useMax = rule == ImageScoreRule.MAX || (rule == ImageScoreRule.AUTO && foreground != null);
            this.score = useMax ? maxScore : meanScore;
        }
    }

    /** Mean of the highest share of the values (at least one). */
    static float topMean(float[] values, double share) {
        float[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int k = Math.max(1, (int) Math.round(sorted.length * share));
        double sum = 0;
        for (int i = sorted.length - k; i < sorted.length; i++) {
            sum += sorted[i];
        }
        return (float) (sum / k);
    }

    /** The map's values inside the foreground (all of them without a mask), for statistics. */
    public float[] foregroundValues() {
        if (foreground == null) {
            return grid.clone();
        }
        float[] kept = new float[grid.length];
        int n = 0;
        for (int i = 0; i < grid.length; i++) {
            if (foreground[i]) {
                kept[n++] = grid[i];
            }
        }
        return java.util.Arrays.copyOf(kept, n);
    }

    /** The map resized to the input image (bilinear); background is set to 0. */
    public float[] upsample(int width, int height) {
        float[] g = grid;
        if (foreground != null) {
            g = grid.clone();
            for (int i = 0; i < g.length; i++) {
                if (!foreground[i]) {
                    g[i] = 0f;
                }
            }
        }
        return Resample.resize(g, gridWidth, gridHeight, width, height);
    }
}
