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
    /** Which normal images these statistics come from ("held-out" or "training") and how many. */
    public String source = "training";
    public int images;
    /** Image score above which an image is called anomalous (the target false-positive rate on normal images). */
    public float imageThreshold;
    /** "fpr" when imageThreshold is the normal-image calibration, "f1" when it is the F1 optimum on labelled images. */
    public String thresholdRule = "fpr";
    /** The target-FPR threshold from normal images (kept when the F1 threshold is in use). */
    public float fprThreshold;
    /** F1-optimal image threshold on labelled validation images, its F1 and how many images; 0 when none. */
    public float f1Threshold;
    public float f1;
    public int f1Images;
    /** Anomaly-map value above which a pixel belongs to a defect region (0.1 % of normal pixels exceed it). */
    public float pixelThreshold;

    /**
     * Statistics of normal images' scores, with thresholds. The image threshold is the
     * larger of the empirical (1 - targetFpr) quantile and a one-sided Gaussian tolerance
     * limit (mean + k * sd) that holds at least (1 - targetFpr) of normal images with 90 %
     * confidence: with the handful of held-out images a folder usually has, the sample
     * maximum alone sits too low and flags normal images. The pixel threshold is the
     * 99.9th percentile of the pixel scores.
     */
    public static ScoreStats of(float[] imageScores, float[] pixelScores, float targetFpr, String source) {
        ScoreStats s = of(imageScores, pixelScores);
        s.source = source;
        s.images = imageScores.length;
        float[] sorted = imageScores.clone();
        Arrays.sort(sorted);
        float empirical = sorted.length * targetFpr < 1 ? s.imageMax : quantile(sorted, 1 - targetFpr);
        int n = imageScores.length;
        if (n >= 3) {
            double sd = s.imageStd * Math.sqrt(n / (n - 1.0));
            s.imageThreshold = (float) Math.max(empirical, s.imageMean + toleranceFactor(n, 1 - targetFpr, 0.90) * sd);
        } else {
            s.imageThreshold = empirical;
        }
        s.fprThreshold = s.imageThreshold;
        s.pixelThreshold = s.pixelP999;
        return s;
    }

    /**
     * One-sided normal tolerance factor k (Natrella's approximation): mean + k*sd bounds
     * a fraction p of the population with the given confidence, from n samples.
     */
    static double toleranceFactor(int n, double p, double confidence) {
        double zp = normalQuantile(p);
        double zg = normalQuantile(confidence);
        double a = 1 - zg * zg / (2.0 * (n - 1));
        double b = zp * zp - zg * zg / n;
        return (zp + Math.sqrt(Math.max(0, zp * zp - a * b))) / a;
    }

    /** Inverse of the standard normal CDF by bisection (ample precision for thresholds). */
    static double normalQuantile(double p) {
        double lo = -10;
        double hi = 10;
        for (int i = 0; i < 80; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Standard normal CDF via the complementary error function (Abramowitz-Stegun 7.1.26). */
    static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-z * z);
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** Top of the heat-map colour scale: twice the pixel threshold, the same for every image. */
    public float heatMapHigh() {
        return pixelThreshold > 0 ? 2f * pixelThreshold : 1f;
    }

    /** Maps a score to [0, 1] with the threshold at 0.5: s / (s + t), for scores >= 0. */
    public static float normalise(float score, float threshold) {
        if (threshold <= 0) {
            return score > 0 ? 1f : 0.5f;
        }
        float s = Math.max(0f, score);
        return s / (s + threshold);
    }

    /** The image score normalised against this model's active image threshold. */
    public float normalised(float imageScore) {
        return normalise(imageScore, imageThreshold);
    }

    /** "anomalous" above the active image threshold, else "normal": the one verdict rule. */
    public String verdict(float imageScore) {
        return imageScore > imageThreshold ? "anomalous" : "normal";
    }

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
