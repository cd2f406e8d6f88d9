package io.github.astfiji.core.storage;

import java.io.IOException;

/** A model file that cannot be used, with a message saying which file, what is wrong and what to do. */
public final class ModelFormatException extends IOException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
