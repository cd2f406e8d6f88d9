package io.github.astfiji.core.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AurocTest {

    @Test
    void handComputedCases() {
        // pairs (pos, neg): (0.35,0.1) ok, (0.35,0.4) wrong, (0.8,*) ok -> 3 of 4
        assertEquals(0.75, Auroc.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new boolean[] {false, false, true, true}), 1e-12);
        assertEquals(1.0, Auroc.of(new float[] {0f, 1f, 2f}, new boolean[] {false, true, true}), 1e-12);
        assertEquals(0.0, Auroc.of(new float[] {3f, 1f, 2f}, new boolean[] {false, true, true}), 1e-12);
    }

    @Test
    void tiesCountOneHalf() {
        assertEquals(0.5, Auroc.of(new float[] {1f, 1f, 1f, 1f}, new boolean[] {true, false, true, false}), 1e-12);
        // positives 0.5, 0.9; negatives 0.2, 0.5: pairs 1 + 0.5 (tie) + 1 + 1 = 3.5 of 4
        assertEquals(0.875, Auroc.of(new float[] {0.5f, 0.2f, 0.5f, 0.9f}, new boolean[] {true, false, false, true}), 1e-12);
    }

    @Test
    void undefinedWithoutBothClasses() {
        assertTrue(Double.isNaN(Auroc.of(new float[] {1f, 2f}, new boolean[] {true, true})));
    }
}
