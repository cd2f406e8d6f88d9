package io.github.astfiji.fiji;

import ij.IJ;
import io.github.astfiji.core.engine.Progress;

import java.util.function.BooleanSupplier;

/** Progress in ImageJ's status bar and progress bar; cancelled by Esc or by the caller. */
public final class FijiProgress implements Progress {

    private final BooleanSupplier cancelled;
    private String stage = "";
    private int total = 1;
    private long stageStart = System.nanoTime();

    public FijiProgress(BooleanSupplier cancelled) {
        this.cancelled = cancelled;
    }

    @Override
    public void stage(String name, int total) {
        this.stage = name;
        this.total = Math.max(1, total);
        this.stageStart = System.nanoTime();
        IJ.showStatus(name + "...");
        IJ.showProgress(0, this.total);
    }

    @Override
    public void step(int done, String detail) {
        String rate = Progress.rate(done, total, stageStart);
        IJ.showStatus(stage + " " + done + "/" + total + (detail == null ? "" : " (" + detail + ")")
                + (rate.isEmpty() ? "" : ", " + rate) + "  [Esc cancels]");
        IJ.showProgress(done, total);
    }

    @Override
    public void note(String message) {
        IJ.log(message);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getAsBoolean() || IJ.escapePressed();
    }

    /** Clears the status and progress bars. */
    public void done(String message) {
        IJ.showProgress(1.0);
        IJ.showStatus(message);
    }
}
