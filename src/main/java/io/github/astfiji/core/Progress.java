package io.github.astfiji.core;

import java.util.concurrent.CancellationException;

/** Receives progress of long work and tells it whether the user cancelled. */
public interface Progress {

    /** A new stage with a known number of steps (e.g. "Teacher epoch", 100). */
    void stage(String name, int total);

    /** Steps done so far in the current stage, with an optional short detail (e.g. a loss). */
    void step(int done, String detail);

    default boolean isCancelled() {
        return false;
    }

    /** Throws if the user cancelled; called between units of work so nothing is half-written. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException("cancelled by the user");
        }
    }

    Progress NONE = new Progress() {
        @Override
        public void stage(String name, int total) {
        }

        @Override
        public void step(int done, String detail) {
        }
    };
}
