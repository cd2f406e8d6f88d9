package io.github.astfiji.core.image;

/**
 * A depth image: z per pixel in metres (distance from the camera), 0 or NaN where the
 * sensor gave no value, as in MVTec 3D-AD's xyz files.
 */
public final class DepthMap {

    private final int width;
    private final int height;
    private final float[] z;

    public DepthMap(int width, int height, float[] z) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("depth map size must be positive, got " + width + "x" + height);
        }
        if (z.length != (long) width * height) {
            throw new IllegalArgumentException("expected " + ((long) width * height) + " depth values, got " + z.length);
        }
        this.width = width;
        this.height = height;
        this.z = z;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The values, not copied: callers must not modify them. */
    public float[] z() {
        return z;
    }

    public static boolean missing(float v) {
        return v == 0f || !Float.isFinite(v);
    }

    /** A copy with every value multiplied by metresPerUnit (for depth stored in mm, um, ...). */
    public DepthMap scaled(float metresPerUnit) {
        if (metresPerUnit == 1f) {
            return this;
        }
        float[] s = new float[z.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = z[i] * metresPerUnit;
        }
        return new DepthMap(width, height, s);
    }

    /** Depth units users can name, as metres per unit: m, mm, um. */
    public static float metresPerUnit(String unit) {
        switch (unit == null ? "m" : unit.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "m": return 1f;
            case "mm": return 1e-3f;
            case "um": case "\u00b5m": return 1e-6f;
            default: throw new IllegalArgumentException("unknown depth unit '" + unit + "'; use m, mm or um");
        }
    }

    public int missingCount() {
        int n = 0;
        for (float v : z) {
            if (missing(v)) {
                n++;
            }
        }
        return n;
    }
}
