package io.github.astfiji.core.data;

import io.github.astfiji.core.data.SyntheticRgbd.Category;
import io.github.astfiji.core.data.SyntheticRgbd.Defect;
import io.github.astfiji.core.data.SyntheticRgbd.Sample;
import io.github.astfiji.core.data.SyntheticRgbd.Visibility;
import io.github.astfiji.core.depth.DepthProcessing;
import io.github.astfiji.core.image.DepthMap;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's promises: determinism, and defects that change exactly what they claim to. */
class SyntheticRgbdTest {

    static final int N = 64;

    @Test
    void sameSeedSameScene() {
        Sample a = SyntheticRgbd.generate(Category.PUCK, Defect.CRACK, N, 5);
        Sample b = SyntheticRgbd.generate(Category.PUCK, Defect.CRACK, N, 5);
        assertArrayEquals(a.rgb.data(), b.rgb.data());
        assertArrayEquals(a.z, b.z);
        assertArrayEquals(a.mask, b.mask);
        Sample c = SyntheticRgbd.generate(Category.PUCK, Defect.CRACK, N, 6);
        assertFalse(java.util.Arrays.equals(a.rgb.data(), c.rgb.data()), "another seed, another scene");
    }

    @Test
    void defectsChangeOnlyWhatTheyClaim() {
        for (Category cat : Category.values()) {
            for (Defect d : cat.defects()) {
                Sample normal = SyntheticRgbd.generate(cat, null, N, 3);
                Sample bad = SyntheticRgbd.generate(cat, d, N, 3);
                float maskArea = 0;
                for (float m : bad.mask) {
                    maskArea += m;
                }
                assertTrue(maskArea > 0, cat + "/" + d + " has a ground-truth region");
                boolean rgbChanged = changedInside(normal.rgb.data(), bad.rgb.data(), bad.mask, 3, 8f);
                boolean depthChanged = changedInside(normal.z, bad.z, bad.mask, 1, 0.0008f);
                String what = cat + "/" + d;
                if (d.visibility == Visibility.DEPTH) {
                    assertArrayEquals(normal.rgb.data(), bad.rgb.data(), what + ": a depth-only defect leaves the image untouched");
                    assertTrue(depthChanged, what + " changes depth");
                } else if (d.visibility == Visibility.RGB) {
                    assertArrayEquals(normal.z, bad.z, what + ": an RGB-only defect leaves depth untouched");
                    assertTrue(rgbChanged, what + " changes the image");
                } else {
                    assertTrue(rgbChanged && depthChanged, what + " changes image and depth");
                }
            }
        }
    }

    /** Whether b differs from a by more than tol somewhere inside the mask (any channel). */
    private static boolean changedInside(float[] a, float[] b, float[] mask, int channels, float tol) {
        int n = mask.length;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                if (mask[i] > 0 && a[c * n + i] != 0 && b[c * n + i] != 0 && Math.abs(a[c * n + i] - b[c * n + i]) > tol) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void objectsStandOutOfTheTableTexturesDoNot() {
        DepthProcessing.Result puck = DepthProcessing.process(new DepthMap(N, N, SyntheticRgbd.normal(Category.PUCK, N, 1).z));
        assertNotNull(puck.foreground, "a 2 cm puck is foreground");
        assertTrue(puck.foreground[N / 2 * N + N / 2]);
        assertFalse(puck.foreground[2 * N + 2], "the table corner is background");
        DepthProcessing.Result weave = DepthProcessing.process(new DepthMap(N, N, SyntheticRgbd.normal(Category.WEAVE, N, 1).z));
        assertNull(weave.foreground, "a flat texture has no foreground: every pixel counts");
        int missing = new DepthMap(N, N, SyntheticRgbd.normal(Category.PUCK, N, 1).z).missingCount();
        assertTrue(missing > 0, "the sensor loses some points, as real ones do");
    }
}
