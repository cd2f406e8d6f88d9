package io.github.astfiji.core.weights;

import java.util.Locale;

/**
 * A published weights file: its name, where it is published, its size and its SHA-256.
 * The digest is pinned here, so a file that differs by one byte (a truncated download, a
 * proxy's error page, a tampered mirror) is refused.
 */
public record WeightsFile(String name, String url, long bytes, String sha256) {

    public WeightsFile {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a pinned SHA-256 has 64 hex digits: " + sha256);
        }
    }

    /** "117.4 MB" */
    public String size() {
        return megabytes(bytes);
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
