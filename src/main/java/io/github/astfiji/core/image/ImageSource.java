package io.github.astfiji.core.image;

import java.io.IOException;

/** A lazily loaded image (and optional foreground mask), so folders of any size stream through. */
public interface ImageSource {

    /** A name for messages and result tables, e.g. the file name. */
    String name();

    FloatImage load() throws IOException;

    /** Foreground mask at the image's resolution (> 0 is foreground), or null for "all pixels". */
    default float[] mask() throws IOException {
        return null;
    }

    /** Depth map of the same size (z in the model's depth unit), or null when there is none. */
    default DepthMap depth() throws IOException {
        return null;
    }

    /** The pixel size in micrometres (from the image's calibration), or 0 when the image has none. */
    default double pixelSize() {
        return 0;
    }

    static ImageSource of(String name, FloatImage image) {
        return of(name, image, null);
    }

    static ImageSource of(String name, FloatImage image, float[] mask) {
        return of(name, image, null, mask);
    }

    static ImageSource of(String name, FloatImage image, DepthMap depth, float[] mask) {
        return of(name, image, depth, mask, 0);
    }

    /** An image in memory with its depth, mask (each may be null) and pixel size in micrometres (0: unknown). */
    static ImageSource of(String name, FloatImage image, DepthMap depth, float[] mask, double pixelSize) {
        return new ImageSource() {
            @Override
            public double pixelSize() {
                return pixelSize;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public FloatImage load() {
                return image;
            }

            @Override
            public float[] mask() {
                return mask;
            }

            @Override
            public DepthMap depth() {
                return depth;
            }
        };
    }
}
