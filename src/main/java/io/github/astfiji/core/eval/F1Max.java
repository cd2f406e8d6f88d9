package io.github.astfiji.core.eval;

/**
 * The best F1 score over all thresholds ("score >= threshold is a defect"), and the
 * threshold that reaches it: the F1-optimal operating point on labelled images.
 */
public final class F1Max {

    public final double f1;
    /**
     * Decision boundary at the optimum: halfway between the lowest score called a defect
     * and the next lower score, so "score > threshold" reproduces it. NaN without defects.
     */
    public final float threshold;

    private F1Max(double f1, float threshold) {
        this.f1 = f1;
        this.threshold = threshold;
    }

    public static F1Max of(float[] scores, boolean[] anomalous) {
        if (anomalous.length != scores.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + anomalous.length + " labels");
        }
        long positives = 0;
        for (boolean a : anomalous) {
            positives += a ? 1 : 0;
        }
        if (positives == 0) {
            return new F1Max(Double.NaN, Float.NaN);
        }
        int[] order = Ranking.descending(scores);
        long tp = 0;
        long fp = 0;
        double best = -1;
        float bestThreshold = Float.NaN;
        int i = 0;
        while (i < order.length) {
            float t = scores[order[i]];
            // a threshold takes in every score tied with it
            while (i < order.length && scores[order[i]] == t) {
                if (anomalous[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            double f1 = 2.0 * tp / (2.0 * tp + fp + (positives - tp));
            if (f1 > best) {
                best = f1;
                float below = i < order.length ? scores[order[i]] : t - Math.max(1e-6f, Math.abs(t) * 1e-3f);
                bestThreshold = (t + below) / 2;
            }
        }
        return new F1Max(best, bestThreshold);
    }
}
