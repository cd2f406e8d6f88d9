package io.github.astfiji.core;

import java.util.Arrays;

/**
 * Score statistics on the training images, stored in the model so that heat maps and
 * scores are read against the whole data set rather than per image.
 */
public final class ScoreStats {

    public float imageMean;
    public float imageStd;
    public float imageMax;
    public float pixelMedian;
    public float pixelP99;
    public float pixelP999;
    public float pixelMax;

    public static ScoreStats of(float[] imageScores, float[] pixelScores) {
        ScoreStats s = new ScoreStats();
        double sum = 0;
        double sumSq = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : imageScores) {
            sum += v;
            sumSq += (double) v * v;
            max = Math.max(max, v);
        }
        int n = Math.max(1, imageScores.length);
        s.imageMean = (float) (sum / n);
        s.imageStd = (float) Math.sqrt(Math.max(0, sumSq / n - (sum / n) * (sum / n)));
        s.imageMax = max;
        float[] p = pixelScores.clone();
        Arrays.sort(p);
        s.pixelMedian = quantile(p, 0.5);
        s.pixelP99 = quantile(p, 0.99);
        s.pixelP999 = quantile(p, 0.999);
        s.pixelMax = p.length == 0 ? 0 : p[p.length - 1];
        return s;
    }

    static float quantile(float[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
