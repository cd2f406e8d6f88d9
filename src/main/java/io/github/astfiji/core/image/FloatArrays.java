package io.github.astfiji.core.image;

import java.util.List;

/** Small float[] helpers. */
public final class FloatArrays {

    private FloatArrays() {
    }

    /** The parts one after another in one array. */
    public static float[] concat(List<float[]> parts) {
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] out = new float[total];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
