package io.github.astfiji.core.depth;

import io.github.astfiji.core.image.DepthMap;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each step of the depth pipeline on small depth maps built by hand. */
class DepthProcessingTest {

    static final int W = 48;
    static final int H = 40;

    /** A table 0.5 m away, tilted by 2 cm across x and 1 cm across y. */
    static float[] tilted() {
        float[] z = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                z[y * W + x] = 0.5f + 0.02f * x / W + 0.01f * y / H;
            }
        }
        return z;
    }

    @Test
    void tiltedPlaneIsAllBackground() {
        float[] z = tilted();
        DepthProcessing.Result r = DepthProcessing.process(new DepthMap(W, H, z));
        for (int i = 0; i < z.length; i++) {
            assertEquals(z[i], r.plane[i], 1e-6f, "the corner plane reproduces a tilted table at pixel " + i);
        }
        assertNull(r.foreground, "nothing stands 7 mm off the table");
        assertNull(r.mask());
        for (float v : r.normalised) {
            assertEquals(0f, v, 1e-3f, "without foreground the height above the plane is fed: the tilt is gone");
        }
    }

    @Test
    void flatSurfaceKeepsShallowDentsAboveItsPlane() {
        float[] z = tilted();
        z[20 * W + 24] += 0.003f; // a 3 mm dent (farther from the camera): below the foreground threshold
        DepthProcessing.Result r = DepthProcessing.process(new DepthMap(W, H, z));
        assertNull(r.foreground);
        assertEquals(0.3f, r.normalised[20 * W + 24], 1e-3f, "3 mm behind the plane = +0.3 (centimetres)");
        assertEquals(0f, r.normalised[20 * W + 10], 1e-3f);
    }

    @Test
    void bumpBecomesDilatedForeground() {
        float[] z = tilted();
        for (int y = 20; y < 30; y++) {
            for (int x = 20; x < 30; x++) {
                z[y * W + x] -= 0.02f; // 2 cm towards the camera
            }
        }
        z[5 * W + 5] -= 0.005f; // 5 mm: below the 7 mm threshold
        DepthProcessing.Result r = DepthProcessing.process(new DepthMap(W, H, z));
        assertNotNull(r.foreground);
        // an 8x8 element reaches 4 pixels up/left and 3 down/right: the 10x10 bump grows to rows/cols 16..32
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean expected = x >= 16 && x <= 32 && y >= 16 && y <= 32;
                assertEquals(expected, r.foreground[y * W + x], "foreground at " + x + "," + y);
            }
        }
        // normalisation: background -> 0, foreground mean -> 0, scaled to centimetres
        double sum = 0;
        int n = 0;
        for (int i = 0; i < z.length; i++) {
            if (r.foreground[i]) {
                sum += r.normalised[i];
                n++;
            } else {
                assertEquals(0f, r.normalised[i], 0f);
            }
        }
        assertEquals(0, sum / n, 1e-4);
        // bump pixels sit 2 cm above the dilated ring around them
        float inBump = r.normalised[25 * W + 25];
        float ring = r.normalised[17 * W + 25];
        assertEquals(100 * (z[25 * W + 25] - z[17 * W + 25]), inBump - ring, 1e-3);
        assertEquals(-1.8, inBump - ring, 1e-3, "2 cm bump less the 2 mm tilt over 8 rows");
    }

    @Test
    void holesAreFilledFromTheRimInwards() {
        float[] z = new float[W * H];
        java.util.Arrays.fill(z, 0.5f);
        z[3 * W + 3] = 0f; // one missing pixel: filled from its 8 neighbours
        for (int y = 10; y < 19; y++) {
            for (int x = 10; x < 19; x++) {
                z[y * W + x] = Float.NaN; // a 9x9 hole: 3 passes close a 3-pixel rim
            }
        }
        float[] f = DepthProcessing.fillMissing(z, W, H, 3);
        assertEquals(0.5f, f[3 * W + 3], 0f);
        assertEquals(0.5f, f[10 * W + 10], 0f);
        assertEquals(0.5f, f[12 * W + 14], 0f);
        assertTrue(DepthMap.missing(f[13 * W + 13]), "the hole's centre is beyond 3 passes");
        assertFalse(DepthMap.missing(f[12 * W + 12]));
        assertEquals(9, new DepthMap(W, H, f).missingCount(), "a 3x3 core stays open");

        float[] g = new float[] {0f, 1f, 2f, 0f, 0f, 0f};
        // 3 x 2, top row 0 1 2, bottom row missing; (0,0) is missing too
        float[] once = DepthProcessing.fillMissing(g, 3, 2, 1);
        assertEquals(1f, once[0], 0f, "only the valid neighbour 1 counts");
        assertEquals(1f, once[3], 0f, "bottom left sees 1 (the missing ones do not count)");
        assertEquals(1.5f, once[4], 0f, "bottom middle sees 1 and 2");
        assertEquals(1.5f, once[5], 0f, "bottom right sees 1 and 2");

        // the pipeline never leaves holes: what filling cannot reach becomes background
        DepthProcessing.Result r = DepthProcessing.process(new DepthMap(W, H, z));
        assertEquals(0, new DepthMap(W, H, r.filled).missingCount());
        assertNull(r.foreground);
    }

    @Test
    void cornersWithoutValuesAreCompleted() {
        double[] k = {1, 2, 3, Double.NaN};
        DepthProcessing.completeCorners(k);
        assertEquals(4, k[3], 1e-12, "a plane through three corners");
        double[] two = {1, Double.NaN, Double.NaN, 3};
        DepthProcessing.completeCorners(two);
        assertArrayEquals(new double[] {1, 2, 2, 3}, two, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> DepthProcessing.completeCorners(
                new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN}));

        float[] z = tilted();
        int c = DepthProcessing.cornerSize(W, H);
        for (int y = H - c; y < H; y++) {
            for (int x = W - c; x < W; x++) {
                z[y * W + x] = 0f; // the bottom-right corner has no data
            }
        }
        float[] plane = DepthProcessing.backgroundPlane(z, W, H);
        float[] exact = tilted();
        assertEquals(exact[H * W - 1], plane[H * W - 1], 1e-6f);
    }

    @Test
    void unshuffleFollowsPyTorchChannelOrder() {
        int g = 3;
        int s = 8 * g;
        float[] d = new float[s * s];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        float[] out = DepthProcessing.unshuffle(d, s, s, g, g, 8);
        assertEquals(64 * g * g, out.length);
        for (int dy = 0; dy < 8; dy++) {
            for (int dx = 0; dx < 8; dx++) {
                for (int gy = 0; gy < g; gy++) {
                    for (int gx = 0; gx < g; gx++) {
                        float expected = (gy * 8 + dy) * s + gx * 8 + dx;
                        assertEquals(expected, out[((dy * 8 + dx) * g + gy) * g + gx], 1e-3f);
                    }
                }
            }
        }
        // other sizes are resized first: a constant stays constant
        float[] flat = new float[50 * 30];
        java.util.Arrays.fill(flat, 2.5f);
        for (float v : DepthProcessing.unshuffle(flat, 50, 30, 4, 4, 8)) {
            assertEquals(2.5f, v, 1e-5f);
        }
    }

    @Test
    void scaledDepthUsesMetres() {
        float[] mm = tilted();
        for (int i = 0; i < mm.length; i++) {
            mm[i] *= 1000f;
        }
        mm[20 * W + 20] -= 20f; // 20 mm bump in millimetre units
        DepthProcessing.Result r = DepthProcessing.process(new DepthMap(W, H, mm).scaled(1e-3f));
        assertNotNull(r.foreground);
        assertTrue(r.foreground[20 * W + 20]);
    }
}
