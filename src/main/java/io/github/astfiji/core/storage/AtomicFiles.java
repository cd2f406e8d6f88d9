package io.github.astfiji.core.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Files written all at once: checks on a target before long work starts, and temporary
 * files beside it that are moved over it when complete (model files, teachers).
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * A new temporary file beside the target, created with the user's normal permissions
     * (umask), unlike Files.createTempFile's owner-only ones, so the moved model is as
     * readable as any file the user writes. A folder without write permission is named.
     */
    public static Path newPartFile(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent() == null ? Path.of(".").toAbsolutePath() : abs.getParent();
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(random.nextLong() & Long.MAX_VALUE) + ".part");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            } catch (java.nio.file.AccessDeniedException e) {
                throw new java.nio.file.AccessDeniedException(dir.toString(), null, "permission denied: cannot write "
                        + abs.getFileName() + " into this folder; choose a folder you can write to");
            }
        }
    }

    /** Refuses a target that is a folder, that exists (unless overwrite), or whose folder does not exist. */
    public static void checkTarget(Path target, boolean overwrite, String exampleName) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException(abs + " is a folder; give a file name, e.g. " + abs.resolve(exampleName));
        }
        if (Files.exists(abs) && !overwrite) {
            throw new FileAlreadyExistsException(abs.toString(), null,
                    "a file already exists there; choose another name or allow overwriting (--overwrite)");
        }
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the folder for the file does not exist; create it first");
        }
    }
}
