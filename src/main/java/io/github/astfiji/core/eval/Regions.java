package io.github.astfiji.core.eval;

/** Connected-component labelling of a binary mask (8-connected, like scipy's label with a 3x3 structure). */
public final class Regions {

    private Regions() {
    }

    /** Labels 1..n for the regions, 0 for background. */
    public static int[] label(boolean[] mask, int w, int h) {
        int[] labels = new int[mask.length];
        int[] stack = new int[mask.length];
        int next = 0;
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || labels[start] != 0) {
                continue;
            }
            next++;
            int top = 0;
            stack[top++] = start;
            labels[start] = next;
            while (top > 0) {
                int p = stack[--top];
                int x = p % w;
                int y = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                            int q = yy * w + xx;
                            if (mask[q] && labels[q] == 0) {
                                labels[q] = next;
                                stack[top++] = q;
                            }
                        }
                    }
                }
            }
        }
        return labels;
    }
}
