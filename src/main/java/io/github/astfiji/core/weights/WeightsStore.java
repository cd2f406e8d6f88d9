package io.github.astfiji.core.weights;

import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.storage.Checksums;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * The folder where downloaded weights are kept, and the download itself: on first use a
 * file is fetched from where it is published (or from a lab's mirror), resumed after an
 * interruption, checked against its pinned SHA-256 and only then put in place, so the
 * folder never holds a partial or wrong file under a real name. Later uses check the copy
 * and download nothing. Java's proxy settings (those Fiji's Edit > Options > Proxy
 * Settings sets) are honoured, since the connection goes through java.net's proxy selector.
 */
public final class WeightsStore {

    /** System property and environment variable that choose the folder. */
    public static final String FOLDER_PROPERTY = "astfiji.weights";
    public static final String FOLDER_VARIABLE = "AST_FIJI_WEIGHTS";
    /** "true": never download (machines that must not reach out); the weights must be in the folder. */
    public static final String OFFLINE_PROPERTY = "astfiji.weights.offline";
    /** A base URL that replaces the publishers' (a lab's own mirror: every file under its published name). */
    public static final String MIRROR_PROPERTY = "astfiji.weights.mirror";
    public static final String MIRROR_VARIABLE = "AST_FIJI_WEIGHTS_MIRROR";

    private static final int CONNECT_TIMEOUT_MS = 15_000;
    /** A connection silent this long counts as cut (what arrived is kept for the next attempt). */
    private static final int READ_TIMEOUT_MS = 60_000;
    private final Path folder;
    private final Consumer<String> log;
    private final int readTimeoutMs;

    public WeightsStore(Path folder, Consumer<String> log) {
        this(folder, log, READ_TIMEOUT_MS);
    }

    WeightsStore(Path folder, Consumer<String> log, int readTimeoutMs) {
        this.folder = folder;
        this.log = log;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** The folder set by the property, else the environment variable, else the system's cache folder. */
    public static WeightsStore standard(Consumer<String> log) {
        return new WeightsStore(defaultFolder(), log);
    }

    public static Path defaultFolder() {
        String chosen = System.getProperty(FOLDER_PROPERTY);
        if (chosen == null || chosen.isBlank()) {
            chosen = System.getenv(FOLDER_VARIABLE);
        }
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return (local != null ? Path.of(local) : home.resolve("AppData").resolve("Local")).resolve("ast-fiji").resolve("weights");
        }
        if (os.contains("mac")) {
            return home.resolve("Library").resolve("Caches").resolve("ast-fiji").resolve("weights");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache")).resolve("ast-fiji").resolve("weights");
    }

    public Path folder() {
        return folder;
    }

    /** Where the file is (or will be) kept. */
    public Path pathOf(WeightsFile f) {
        return folder.resolve(f.name());
    }

    /** True when a checked copy is in the folder (it is checked again, so this costs a read of the file). */
    public boolean has(WeightsFile f) throws IOException {
        Path p = pathOf(f);
        return Files.isRegularFile(p) && Files.size(p) == f.bytes() && Checksums.sha256(p).equals(f.sha256());
    }

    /** Threads of this JVM wait here: Java's file locks belong to the whole process and refuse a second holder. */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    /**
     * The file's path in the folder, downloaded first when it is not there; a damaged copy is
     * reported, moved aside (name.damaged) and fetched again. {@code allowDownload} false only looks.
     */
    public Path fetch(WeightsFile f, boolean allowDownload, Progress progress) throws IOException {
        Path target = pathOf(f);
        if (Files.isRegularFile(target) && problem(target, f) == null) {
            return target;
        }
        if (!allowDownload && !Files.isRegularFile(target)) {
            throw new WeightsUnavailableException(unavailable(f, "downloads are switched off"), null);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new WeightsUnavailableException("cannot create the weights folder " + folder + " (" + e.getMessage()
                    + "). Choose another folder in Plugins > Anomaly Detection > Options, or set " + FOLDER_VARIABLE + ".", e);
        }
        Path part = folder.resolve(f.name() + ".part");
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(target.toAbsolutePath().normalize(), k -> new ReentrantLock());
        inProcess.lock();
        // one download per file at a time, also across Fiji instances sharing the folder
        try (FolderLock lock = FolderLock.take(folder.resolve(f.name() + ".lock"), log)) {
            if (Files.isRegularFile(target)) {
                String problem = problem(target, f);
                if (problem == null) {
                    return target; // another process or thread finished it while we waited
                }
                Path aside = folder.resolve(f.name() + ".damaged");
                try {
                    Files.move(target, aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new WeightsUnavailableException("the cached " + target + " is damaged (" + problem + ") and cannot be "
                            + "moved aside (" + e.getMessage() + "). Delete it, or choose another weights folder.", e);
                }
                log.accept("The cached " + f.name() + " is damaged (" + problem + "); it was moved aside to " + aside.getFileName()
                        + " and is fetched again.");
            }
            if (!allowDownload) {
                throw new WeightsUnavailableException(unavailable(f, "downloads are switched off"), null);
            }
            download(f, part, progress);
            String problem = problem(part, f);
            if (problem != null) {
                Files.deleteIfExists(part);
                throw new WeightsUnavailableException("the download of " + f.name() + " from " + url(f) + " was refused: " + problem
                        + ". It was removed; nothing was kept. If this repeats, a proxy or mirror is changing the file: download "
                        + url(f) + " another way and check that its SHA-256 is " + f.sha256() + ".", null);
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
            log.accept("Downloaded " + f.name() + " (" + f.size() + ", SHA-256 checked) into " + folder);
            return target;
        } finally {
            inProcess.unlock();
        }
    }

    /** A lock file's lock; where the file system has no locks (some network shares) the download goes on without one. */
    private static final class FolderLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private FolderLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static FolderLock take(Path file, Consumer<String> log) {
            FileChannel channel = null;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                return new FolderLock(channel, channel.lock());
            } catch (IOException e) {
                log.accept("No lock on " + file + " (" + e.getMessage() + "): another Fiji downloading the same file at the same "
                        + "time could disturb this download.");
                try {
                    if (channel != null) {
                        channel.close();
                    }
                } catch (IOException ignored) {
                    // nothing held
                }
                return new FolderLock(null, null);
            }
        }

        @Override
        public void close() throws IOException {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        }
    }

    /**
     * A published file the user brought by hand (e.g. fetched on another computer): checked,
     * then copied into the folder, so that later trainings and detections find it there.
     * The user's file is left as it was. Where the folder cannot be written, the file is used where it is.
     */
    public Path adopt(Path file, WeightsFile f) throws IOException {
        String problem = problem(file, f);
        if (problem != null) {
            throw new WeightsUnavailableException(file + " is not the published " + f.name() + ": " + problem + ".", null);
        }
        Path target = pathOf(f);
        if (Files.isRegularFile(target) && problem(target, f) == null) {
            return target;
        }
        try {
            Files.createDirectories(folder);
            Path part = Files.createTempFile(folder, f.name(), ".part");
            try {
                Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
            log.accept("Copied " + f.name() + " into " + folder + " (SHA-256 checked)");
            return target;
        } catch (IOException e) {
            log.accept("Could not copy " + f.name() + " into " + folder + " (" + e.getMessage() + "); using it from " + file);
            return file;
        }
    }

    /** What is wrong with a copy, or null when its size and SHA-256 are the published ones. */
    public static String problem(Path file, WeightsFile f) throws IOException {
        long size = Files.size(file);
        if (size != f.bytes()) {
            return "it has " + size + " bytes instead of " + f.bytes();
        }
        String actual = Checksums.sha256(file);
        if (!actual.equals(f.sha256())) {
            return "its SHA-256 is " + actual + " instead of " + f.sha256();
        }
        return null;
    }

    private void download(WeightsFile f, Path part, Progress progress) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have >= f.bytes()) {
            Files.delete(part); // complete but not accepted before, or longer than the file: start again
            have = 0;
        }
        String url = url(f);
        HttpURLConnection c;
        int status;
        try {
            c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(readTimeoutMs);
            c.setRequestProperty("User-Agent", "ast-fiji");
            if (have > 0) {
                c.setRequestProperty("Range", "bytes=" + have + "-");
            }
            status = c.getResponseCode();
        } catch (IOException | IllegalArgumentException e) {
            throw new WeightsUnavailableException(unavailable(f, e.getClass().getSimpleName() + ": " + e.getMessage()), e);
        }
        boolean append = have > 0 && status == HttpURLConnection.HTTP_PARTIAL;
        if (status != HttpURLConnection.HTTP_OK && !append) {
            c.disconnect();
            if (status == 416 && have > 0) {
                Files.delete(part); // the server cannot continue this part: start over next time
            }
            throw new WeightsUnavailableException(unavailable(f, "the server answered HTTP " + status), null);
        }
        String range = c.getHeaderField("Content-Range"); // "bytes 100-199/200": first byte, last byte / whole size
        java.util.regex.Matcher m = range == null ? null : java.util.regex.Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)").matcher(range);
        boolean parsed = m != null && m.matches();
        long total = parsed && !m.group(2).equals("*") ? Long.parseLong(m.group(2)) : -1;
        if (append && parsed && Long.parseLong(m.group(1)) != have) {
            // the server continues elsewhere than asked: appending would corrupt the file, so this attempt starts over
            c.disconnect();
            Files.delete(part);
            throw new WeightsUnavailableException("the server did not continue " + f.name() + " where it stopped; the partial copy was "
                    + "removed. Try again: the download starts from the beginning.", null);
        }
        long offered = c.getContentLengthLong();
        long wanted = f.bytes() - (append ? have : 0);
        if (offered >= 0 && offered != wanted || total >= 0 && total != f.bytes()) {
            offered = total >= 0 ? total : offered;
            wanted = total >= 0 ? f.bytes() : wanted;
            c.disconnect();
            throw new WeightsUnavailableException("the download of " + f.name() + " from " + url + " was refused: the server offers "
                    + offered + " bytes where " + wanted + " were expected (published: " + f.bytes() + " bytes, SHA-256 " + f.sha256()
                    + "). A proxy's page or another file is served under that address; nothing of it was kept.", null);
        }
        if (append) {
            log.accept("Resuming " + f.name() + " at " + WeightsFile.megabytes(have) + " of " + f.size());
        } else {
            have = 0;
            log.accept("Downloading " + f.name() + " (" + f.size() + ") from " + url + " into " + folder);
        }
        progress.stage("Downloading " + f.name(), 1000);
        long done = have;
        int shown = -1;
        try (InputStream in = c.getInputStream();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                done += n;
                int permille = (int) Math.min(1000, done * 1000 / f.bytes());
                if (permille != shown) {
                    shown = permille;
                    progress.step(permille, WeightsFile.megabytes(done) + " of " + f.size());
                }
                if (progress.isCancelled()) {
                    // what arrived stays in the .part file: the next attempt continues from there
                    throw new CancellationException("download of " + f.name() + " cancelled at " + WeightsFile.megabytes(done)
                            + "; it continues from there next time");
                }
            }
        } catch (IOException e) {
            throw new WeightsUnavailableException("the download of " + f.name() + " stopped at " + WeightsFile.megabytes(done)
                    + " of " + f.size() + " (" + e.getMessage() + "). Try again: it continues where it stopped.", e);
        } finally {
            c.disconnect();
        }
        if (done < f.bytes()) {
            throw new WeightsUnavailableException("the download of " + f.name() + " stopped at " + WeightsFile.megabytes(done)
                    + " of " + f.size() + " (the connection closed early). Try again: it continues where it stopped.", null);
        }
    }

    /** The publisher's address, or the same name under the mirror when one is set. */
    public static String url(WeightsFile f) {
        String mirror = System.getProperty(MIRROR_PROPERTY);
        if (mirror == null || mirror.isBlank()) {
            mirror = System.getenv(MIRROR_VARIABLE);
        }
        if (mirror == null || mirror.isBlank()) {
            return f.url();
        }
        return mirror.endsWith("/") ? mirror + f.name() : mirror + "/" + f.name();
    }

    /** The offline message: what failed, and how to bring the file by hand. */
    private String unavailable(WeightsFile f, String reason) {
        return "could not download " + f.name() + " (" + f.size() + ") from " + url(f) + ": " + reason + ".\n"
                + "Without internet on this computer: download " + url(f) + " on another one, check that its SHA-256 is\n  "
                + f.sha256() + "\nand copy it into " + folder + " (or give the file itself as the backbone).";
    }

}
