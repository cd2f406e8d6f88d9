package io.github.astfiji.core;

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
}
