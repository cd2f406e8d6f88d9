package io.github.astfiji.core.score;

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
     * The image scores of the normal images the statistics come from (held out, or scored
     * by fold models that did not see them), so another operating point can be set without
     * retraining. Null in models made before they were kept.
     */
    public float[] normalScores;
    /** The operating point: expected false alarms per 100 normal parts the image threshold was set for. */
    public float falseAlarmsPer100 = 1f;
    /**
     * Median image score of a few training images under the final model (0 = not measured,
     * as in models made before it was kept): what held-out scores are compared with.
     */
    public float trainingMedian;

    /** Held-out normal scores this many times the training images' median mean a broken model. */
    static final double ABSURD_RATIO = 1000;

    /**
     * Why a model with these statistics cannot judge images, or null when it can: non-finite
     * thresholds or normal scores, or normal scores orders of magnitude above what the same
     * model gives its training images (seen when a training diverged: held-out scores of
     * 6e24 and a threshold every defect stays below).
     */
    public String problem() {
        if (!Float.isFinite(imageThreshold) || !Float.isFinite(pixelThreshold) || !Float.isFinite(imageMean) || !Float.isFinite(imageStd)) {
            return String.format(java.util.Locale.ROOT, "its thresholds are not finite numbers (image %s, pixel %s)", imageThreshold, pixelThreshold);
        }
        if (normalScores != null) {
            for (float v : normalScores) {
                if (!Float.isFinite(v)) {
                    return "some " + source + " normal images got a non-finite score (" + v + ")";
                }
            }
        }
        if (trainingMedian > 0 && normalScores != null && normalScores.length > 0) {
            float[] sorted = normalScores.clone();
            Arrays.sort(sorted);
            float median = quantile(sorted, 0.5);
            if (median > ABSURD_RATIO * trainingMedian) {
                return String.format(java.util.Locale.ROOT, "the %s normal images score %.3g (median), %.0f times what the same model gives "
                        + "its training images (%.3g): the model does not generalise to normal images", source, median,
                        median / trainingMedian, trainingMedian);
            }
        }
        return null;
    }

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
        s.normalScores = imageScores.clone();
        s.falseAlarmsPer100 = 100 * targetFpr;
        s.imageThreshold = s.thresholdFor(100 * targetFpr);
        s.fprThreshold = s.imageThreshold;
        s.pixelThreshold = s.pixelP999;
        return s;
    }

    /**
     * The image threshold for an operating point in expected false alarms per 100 normal
     * parts: the larger of the normal scores' empirical quantile and the one-sided Gaussian
     * tolerance limit that holds that share of normal parts with 90 % confidence. Older
     * models without their normal scores use the stored mean, deviation and maximum.
     */
    public float thresholdFor(double falseAlarmsPer100) {
        double fpr = Math.max(1e-4, Math.min(0.5, falseAlarmsPer100 / 100));
        int n = images;
        float empirical;
        if (normalScores != null && normalScores.length * fpr >= 1) {
            float[] sorted = normalScores.clone();
            Arrays.sort(sorted);
            empirical = quantile(sorted, 1 - fpr);
        } else {
            empirical = imageMax;
        }
        if (n < 3) {
            return empirical;
        }
        double sd = imageStd * Math.sqrt(n / (n - 1.0));
        return (float) Math.max(empirical, imageMean + toleranceFactor(n, 1 - fpr, 0.90) * sd);
    }

    /**
     * Expected false alarms per 100 normal parts at a threshold, from the normal-image
     * scores' Gaussian fit; what a score means in the units users set the sensitivity in
     * (at an image's own score: how many normal parts in 100 score higher).
     */
    public double falseAlarmsPer100At(double threshold) {
        double sd = imageStd * Math.sqrt(images / Math.max(1.0, images - 1.0));
        if (!(sd > 0)) {
            return threshold > imageMean ? 0 : 100;
        }
        return 100 * (1 - normalCdf((threshold - imageMean) / sd));
    }

    /**
     * The operating point in words: the expected false alarms per 100 normal parts at the
     * active threshold (Gaussian fit), how many of the normal images lie above it, and the
     * one-sided 95 % upper bound on the rate that so few images can still hide
     * (Clopper-Pearson), e.g. "0.6 per 100 expected; 0 of 24 normal images above; at most
     * 11.7 per 100 (95 %)".
     */
    public String operatingPoint() {
        int above = 0;
        if (normalScores != null) {
            for (float v : normalScores) {
                above += v > imageThreshold ? 1 : 0;
            }
        }
        double upper = 100 * clopperPearsonUpper(above, images, 0.95);
        return String.format(java.util.Locale.ROOT, "expected %.2g false alarms per 100 normal parts (Gaussian fit); "
                        + "%s of %d normal images above the threshold; with %d normal images the rate is at most %.3g per 100 (95 %% bound)",
                falseAlarmsPer100At(imageThreshold), normalScores == null ? "?" : String.valueOf(above), images, images, upper);
    }

    /** One-sided upper confidence bound of a binomial rate with k events in n trials (bisection on the tail). */
    static double clopperPearsonUpper(int k, int n, double confidence) {
        if (n <= 0) {
            return 1;
        }
        if (k >= n) {
            return 1;
        }
        double lo = (double) k / n;
        double hi = 1;
        for (int it = 0; it < 60; it++) {
            double p = (lo + hi) / 2;
            // P(X <= k | p): the bound is where this falls to 1 - confidence
            if (binomialCdf(k, n, p) > 1 - confidence) {
                lo = p;
            } else {
                hi = p;
            }
        }
        return (lo + hi) / 2;
    }

    private static double binomialCdf(int k, int n, double p) {
        double sum = 0;
        double logP = Math.log(p);
        double logQ = Math.log1p(-p);
        for (int i = 0; i <= k; i++) {
            sum += Math.exp(logChoose(n, i) + i * logP + (n - i) * logQ);
        }
        return sum;
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }

    /** A user's sensitivity checked: expected false alarms per 100 normal parts, above 0 and at most 50. */
    public static double checkFalseAlarms(double per100) {
        if (!(per100 > 0 && per100 <= 50)) {
            throw new IllegalArgumentException("false alarms are counted per 100 normal parts and must be above 0 and at most 50, "
                    + "e.g. 1 (the default) or 5; got " + per100);
        }
        return per100;
    }

    /** The active image threshold, or the one for another operating point (false alarms per 100 normal parts; 0 or less = the model's). */
    public float threshold(double falseAlarmsPer100) {
        return falseAlarmsPer100 > 0 ? thresholdFor(falseAlarmsPer100) : imageThreshold;
    }

    /** The verdict at another operating point (false alarms per 100 normal parts): what a sensitivity setting changes. */
    public String verdict(float imageScore, double falseAlarmsPer100) {
        return verdictAt(imageScore, thresholdFor(falseAlarmsPer100));
    }

    /**
     * The one verdict rule: an image is anomalous when its score is above the threshold (a
     * score equal to it is normal). Every table, file and overlay takes its verdict from here.
     */
    public static boolean isAnomalous(float imageScore, float threshold) {
        return imageScore > threshold;
    }

    /** "anomalous" or "normal" by {@link #isAnomalous}. */
    public static String verdictAt(float imageScore, float threshold) {
        return isAnomalous(imageScore, threshold) ? "anomalous" : "normal";
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

    /** The verdict at the active image threshold. */
    public String verdict(float imageScore) {
        return verdictAt(imageScore, imageThreshold);
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
