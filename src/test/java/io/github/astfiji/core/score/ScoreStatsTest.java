package io.github.astfiji.core.score;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreStatsTest {

    @Test
    void normalQuantilesAndToleranceFactors() {
        assertEquals(0.0, ScoreStats.normalQuantile(0.5), 1e-6);
        assertEquals(2.3263, ScoreStats.normalQuantile(0.99), 1e-3);
        assertEquals(1.2816, ScoreStats.normalQuantile(0.90), 1e-3);
        // published exact one-sided factors (p = 0.99, confidence 0.90): n=10 -> 3.532, n=20 -> 3.052;
        // Natrella's approximation runs a few percent low at small n
        assertEquals(3.532, ScoreStats.toleranceFactor(10, 0.99, 0.90), 0.12);
        assertEquals(3.052, ScoreStats.toleranceFactor(20, 0.99, 0.90), 0.06);
        assertTrue(ScoreStats.toleranceFactor(1000, 0.99, 0.90) < 2.45);
    }

    @Test
    void thresholdsFromFewNormalImagesLeaveRoomAboveTheirMaximum() {
        float[] scores = {0.16f, 0.17f, 0.18f, 0.19f, 0.20f};
        ScoreStats s = ScoreStats.of(scores, new float[] {0.1f, 0.2f, 0.3f}, 0.01f, "held-out");
        assertTrue(s.imageThreshold > 0.20f + 0.04f, "threshold " + s.imageThreshold);
        assertEquals(0.5f, ScoreStats.normalise(s.imageThreshold, s.imageThreshold), 1e-6f);
        assertTrue(ScoreStats.normalise(2 * s.imageThreshold, s.imageThreshold) > 0.5f);
        assertEquals(5, s.images);
        assertEquals("held-out", s.source);
    }

    /** 400 scores drawn from N(10, 2) by inverting the normal CDF at evenly spaced points: a known distribution. */
    static float[] normalScores(int n, double mean, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + sd * ScoreStats.normalQuantile((i + 0.5) / n));
        }
        return v;
    }

    @Test
    void operatingPointsFromAKnownDistribution() {
        ScoreStats s = ScoreStats.of(normalScores(400, 10, 2), new float[] {1f}, 0.01f, "5-fold");
        // with many normal scores the threshold for 1 in 100 sits near the true 99th percentile (10 + 2.326 * 2)
        assertEquals(10 + 2.326 * 2, s.imageThreshold, 0.35);
        assertEquals(1.0, s.falseAlarmsPer100At(10 + 2.326 * 2), 0.05, "the Gaussian fit reads the rate back");
        assertEquals(s.imageThreshold, s.thresholdFor(1), 0f);
        // more false alarms allowed = a lower threshold, fewer = a higher one
        assertTrue(s.thresholdFor(10) < s.thresholdFor(1) && s.thresholdFor(1) < s.thresholdFor(0.1));
        assertEquals(10 + 1.2816 * 2, s.thresholdFor(10), 0.3);
        assertEquals(s.imageThreshold, s.threshold(0), 0f, "0 = the model's own operating point");
        // few normal scores: the tolerance limit keeps the threshold on the safe side of the true percentile
        ScoreStats few = ScoreStats.of(normalScores(5, 10, 2), new float[] {1f}, 0.01f, "held-out");
        assertTrue(few.imageThreshold > 10 + 2.326 * 2, "5 scores give a higher threshold: " + few.imageThreshold);
        // an image's own score in the same units: how many normal parts in 100 would score higher
        assertEquals(50, s.falseAlarmsPer100At(10), 1);
        assertTrue(s.operatingPoint().contains("of 400 normal images above"), s.operatingPoint());
    }

    @Test
    void fewImagesCannotProveALowFalseAlarmRate() {
        // no event in 24 trials: the 95 % upper bound is 1 - 0.05^(1/24)
        assertEquals(1 - Math.pow(0.05, 1 / 24.0), ScoreStats.clopperPearsonUpper(0, 24, 0.95), 1e-6);
        assertEquals(1 - Math.pow(0.05, 1 / 200.0), ScoreStats.clopperPearsonUpper(0, 200, 0.95), 1e-6);
        assertTrue(ScoreStats.clopperPearsonUpper(3, 24, 0.95) > 3 / 24.0);
        ScoreStats s = ScoreStats.of(normalScores(24, 10, 2), new float[] {1f}, 0.01f, "5-fold");
        assertTrue(s.operatingPoint().contains("0 of 24 normal images above") && s.operatingPoint().contains("11.7 per 100"),
                s.operatingPoint());
    }

    @Test
    void modelsWithoutStoredNormalScoresStillGetOtherOperatingPoints() {
        ScoreStats s = ScoreStats.of(normalScores(50, 10, 2), new float[] {1f}, 0.01f, "held-out");
        ScoreStats old = new com.google.gson.Gson().fromJson(new com.google.gson.Gson().toJson(s).replaceAll("\"normalScores\":\\[[^\\]]*\\],", ""),
                ScoreStats.class);
        assertEquals(null, old.normalScores);
        assertTrue(old.thresholdFor(5) < old.thresholdFor(1), "from mean, deviation and count alone");
    }
}
