package io.github.astfiji.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process (Java heap and native tensors together), from
 * Linux's /proc. {@link #reset()} starts a new peak, so one process can measure several
 * runs one after the other; elsewhere both answer "unknown".
 */
public final class PeakMemory {

    private PeakMemory() {
    }

    /** Starts a new peak (Linux 4.0+: writing 5 to clear_refs resets VmHWM); false where that is not possible. */
    public static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Peak resident set size in MB since the start or the last reset, or -1 when unknown. */
    public static long megabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
