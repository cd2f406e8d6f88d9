package io.github.astfiji.core.weights;

import java.io.IOException;

/** A weights file could not be had: no connection, a refused download, or a damaged copy; the message says what to do. */
public class WeightsUnavailableException extends IOException {

    public WeightsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
