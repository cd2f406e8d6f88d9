package io.github.astfiji.cli;

import io.github.astfiji.core.Progress;

import java.io.PrintStream;

/** A text progress bar on stderr; redraws in place on a terminal, prints every 10 % otherwise. */
final class ConsoleProgress implements Progress {

    private final PrintStream out;
    private final boolean terminal;
    private volatile boolean cancelled;
    private String stage = "";
    private int total = 1;
    private int lastTenth = -1;
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
        this.lastTenth = -1;
        step(0, null);
    }

    @Override
    public synchronized void step(int done, String detail) {
        int width = 30;
        int filled = (int) ((long) done * width / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format("%-28s [%s] %3d%% %d/%d %s (%.0f s)", stage, bar, done * 100 / total, done, total,
                detail == null ? "" : detail, (System.nanoTime() - start) / 1e9);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            int tenth = done * 10 / total;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                out.println(line);
            }
        }
    }

    void finish() {
        if (terminal) {
            out.println();
        }
    }
}
