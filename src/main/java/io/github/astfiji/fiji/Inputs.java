package io.github.astfiji.fiji;

import java.io.File;
import java.nio.file.Path;

/** Optional file inputs: dialogs and scripts pass an empty path for "not given". */
final class Inputs {

    private Inputs() {
    }

    /** The file as a path, or null when it was left empty. */
    static Path given(File f) {
        return f == null || f.getPath().trim().isEmpty() ? null : f.toPath();
    }
}
