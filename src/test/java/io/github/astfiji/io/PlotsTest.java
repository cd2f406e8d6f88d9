package io.github.astfiji.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluation histogram shows the gap between normal and defect scores even beside one extreme defect. */
class PlotsTest {

    @Test
    void oneExtremeDefectDoesNotHideTheGap() {
        // the case from issue 20: 20 normal images at 1-2, 48 defects at 3-6 and one at 300 (image AUROC 100)
        float[] normal = new float[20];
        for (int i = 0; i < normal.length; i++) {
            normal[i] = 1 + i / 20f;
        }
        float[] defect = new float[48];
        for (int i = 0; i < defect.length - 1; i++) {
            defect[i] = 3 + 3 * i / 47f;
        }
        defect[defect.length - 1] = 300;
        Plots.Bins h = Plots.bins(normal, defect, 30);
        assertTrue(h.log(), "a span of more than a decade is shown on a log scale");
        int lastNormal = -1;
        int firstDefect = Integer.MAX_VALUE;
        int occupied = 0;
        for (int i = 0; i < h.x().length; i++) {
            if (h.normal()[i] > 0) {
                lastNormal = i;
                occupied++;
            }
            if (h.defect()[i] > 0) {
                firstDefect = Math.min(firstDefect, i);
            }
        }
        assertTrue(occupied >= 3, "normal scores spread over several bars, not all in one: " + occupied);
        assertTrue(lastNormal < firstDefect - 1, "an empty bar between the highest normal and the lowest defect score");
    }

    @Test
    void ordinaryScoresStayLinear() {
        Plots.Bins h = Plots.bins(new float[] {-2, -1, 0}, new float[] {1, 2}, 10);
        assertFalse(h.log(), "negative scores (a flow's log-likelihood) are binned linearly");
        assertFalse(Plots.bins(new float[] {1, 2}, new float[] {3, 5}, 10).log());
    }
}
