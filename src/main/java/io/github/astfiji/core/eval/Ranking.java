package io.github.astfiji.core.eval;

import java.util.Arrays;

/** Sorting of scores without boxing: millions of pixel scores sort as primitive longs. */
final class Ranking {

    private Ranking() {
    }

    /** Indices of scores in ascending order (NaN last). */
    static int[] ascending(float[] scores) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            int bits = Float.floatToIntBits(scores[i] == 0f ? 0f : scores[i]); // -0 and 0 tie
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // signed int order = float order
            keys[i] = ((long) sortable << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Indices of scores in descending order. */
    static int[] descending(float[] scores) {
        int[] a = ascending(scores);
        int[] d = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[a.length - 1 - i];
        }
        return d;
    }
}
