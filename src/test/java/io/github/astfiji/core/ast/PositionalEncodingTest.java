package io.github.astfiji.core.ast;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PositionalEncodingTest {

    @Test
    void sinCosPairsAndUniquePositions() {
        int c = 32;
        int h = 24;
        int w = 24;
        float[] pe = PositionalEncoding.encode(c, h, w);
        for (int pair = 0; pair < c / 2; pair++) {
            for (int px = 0; px < h * w; px++) {
                double s = pe[2 * pair * h * w + px];
                double co = pe[(2 * pair + 1) * h * w + px];
                assertEquals(1.0, s * s + co * co, 1e-5);
            }
        }
        // column code only depends on x, row code only on y
        assertEquals(pe[5 * w + 3], pe[11 * w + 3], 0f);
        assertEquals(pe[(c / 2) * h * w + 7 * w + 2], pe[(c / 2) * h * w + 7 * w + 20], 0f);
        // every position gets its own code
        for (int a = 0; a < h * w; a++) {
            for (int b = a + 1; b < h * w; b++) {
                double d = 0;
                for (int ch = 0; ch < c; ch++) {
                    d += Math.abs(pe[ch * h * w + a] - pe[ch * h * w + b]);
                }
                assertTrue(d > 1e-3, "positions " + a + " and " + b + " share a code");
            }
        }
    }

    @Test
    void rejectsChannelCountsThatCannotPair() {
        assertThrows(IllegalArgumentException.class, () -> PositionalEncoding.encode(6, 4, 4));
    }
}
