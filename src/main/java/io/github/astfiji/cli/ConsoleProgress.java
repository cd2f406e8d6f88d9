package io.github.astfiji.cli;

import io.github.astfiji.core.engine.Progress;

import java.io.PrintStream;

/**
 * A text progress bar on stderr with the rate and the time left; redraws in place on a
 * terminal, and elsewhere (logs, cluster jobs) prints a line whenever a percent is done
 * and at least 10 s have passed, at least once a minute, and at the end.
 */
final class ConsoleProgress implements Progress {

    private final PrintStream out;
    private final boolean terminal;
    private volatile boolean cancelled;
    private String stage = "";
    private int total = 1;
    private int lastPercent = -1;
    private long lastPrint;
    private long stageStart = System.nanoTime();
    private final long start = System.nanoTime();

    ConsoleProgress(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public synchronized void stage(String name, int total) {
        if (terminal && !stage.isEmpty()) {
            out.println();
        }
        this.stage = name;
        this.total = Math.max(1, total);
        this.lastPercent = -1;
        this.lastPrint = 0;
        this.stageStart = System.nanoTime();
        step(0, null);
    }

    @Override
    public synchronized void step(int done, String detail) {
        int width = 30;
        int filled = (int) ((long) done * width / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String rate = Progress.rate(done, total, stageStart);
        String line = String.format("%-28s [%s] %3d%% %d/%d %s%s (%.0f s)", stage, bar, (int) ((long) done * 100 / total), done, total,
                detail == null ? "" : detail + " ", rate.isEmpty() ? "" : "| " + rate, (System.nanoTime() - start) / 1e9);
        long now = System.nanoTime();
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            int percent = (int) ((long) done * 100 / total);
            boolean due = percent != lastPercent && now - lastPrint >= 10_000_000_000L;
            if (lastPrint == 0 || done >= total || due || now - lastPrint >= 60_000_000_000L) {
                lastPercent = percent;
                lastPrint = now;
                out.println(line);
            }
        }
    }

    @Override
    public synchronized void note(String message) {
        if (terminal && !stage.isEmpty()) {
            out.println();
        }
        out.println(message);
    }

    void finish() {
        if (terminal) {
            out.println();
        }
    }
}
