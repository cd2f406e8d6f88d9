package io.github.astfiji.core;

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

    static ImageSource of(String name, FloatImage image) {
        return of(name, image, null);
    }

    static ImageSource of(String name, FloatImage image, float[] mask) {
        return new ImageSource() {
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
        };
    }
}
