package io.github.astfiji.core.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResampleTest {

    @Test
    void constantStaysConstantAndBlocksAverage() {
        float[] c = new float[8 * 6];
        java.util.Arrays.fill(c, 3.5f);
        for (float v : Resample.resize(c, 8, 6, 21, 13)) {
            assertEquals(3.5f, v, 1e-5f);
        }
        // 1-pixel stripes halved: point sampling would alias to all-0 or all-10; the
        // widened kernel averages them to the mean instead
        float[] stripes = new float[16 * 16];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i % 2) * 10f;
        }
        float[] half = Resample.resize(stripes, 16, 16, 8, 8);
        for (int i = 1; i < 7; i++) {
            assertEquals(5f, half[3 * 8 + i], 1e-4f);
        }
        // upsampling a 2-pixel ramp interpolates linearly between pixel centres
        float[] up = Resample.resize(new float[] {0f, 4f}, 2, 1, 4, 1);
        assertEquals(0f, up[0], 1e-5f);
        assertEquals(1f, up[1], 1e-5f);
        assertEquals(3f, up[2], 1e-5f);
        assertEquals(4f, up[3], 1e-5f);
    }
}
