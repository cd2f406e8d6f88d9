package io.github.astfiji.core.engine;

import java.util.concurrent.CancellationException;

/** Receives progress of long work and tells it whether the user cancelled. */
public interface Progress {

    /** A new stage with a known number of steps (e.g. "Teacher epoch", 100). */
    void stage(String name, int total);

    /** Steps done so far in the current stage, with an optional short detail (e.g. a loss). */
    void step(int done, String detail);

    /** A message worth keeping (a download started, a file adopted); shown in the log, not the status line. */
    default void note(String message) {
    }

    default boolean isCancelled() {
        return false;
    }

    /** Throws if the user cancelled; called between units of work so nothing is half-written. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException("cancelled by the user");
        }
    }

    /**
     * "3.2/s, 5 min left" for a stage begun at startNanos (System.nanoTime), or "" before
     * the first step: what long batches show beside the bar.
     */
    static String rate(int done, int total, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (done <= 0 || seconds <= 0) {
            return "";
        }
        double perSecond = done / seconds;
        double left = (total - done) / perSecond;
        String speed = perSecond >= 1 ? String.format(java.util.Locale.ROOT, "%.1f/s", perSecond)
                : String.format(java.util.Locale.ROOT, "%.1f s each", 1 / perSecond);
        String remaining = left < 90 ? String.format(java.util.Locale.ROOT, "%.0f s left", left)
                : left < 5400 ? String.format(java.util.Locale.ROOT, "%.0f min left", left / 60)
                : String.format(java.util.Locale.ROOT, "%.1f h left", left / 3600);
        return done >= total ? speed : speed + ", " + remaining;
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
