package io.github.astfiji.core.weights;

import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.storage.Checksums;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads from a server on the loopback address: progress, resume, checksum, offline, cache. */
class WeightsStoreTest {

    static final String NAME = "net-0123abcd.pth";
    byte[] content;
    WeightsFile published;
    final List<String> log = new ArrayList<>();
    @TempDir
    Path cache;

    /** Records the steps it is shown; cancels after {@code cancelAt} steps when that is set. */
    static final class Steps implements Progress {
        final List<Integer> done = new ArrayList<>();
        int cancelAt = -1;

        @Override
        public void stage(String name, int total) {
            assertTrue(name.contains(NAME), name);
            assertEquals(1000, total);
        }

        @Override
        public void step(int d, String detail) {
            done.add(d);
        }

        @Override
        public boolean isCancelled() {
            return cancelAt >= 0 && done.size() >= cancelAt;
        }
    }

    @BeforeEach
    void makeFile(@TempDir Path tmp) throws IOException {
        content = new byte[1_500_000];
        new Random(3).nextBytes(content);
        Path f = tmp.resolve(NAME);
        Files.write(f, content);
        published = new WeightsFile(NAME, "unused", content.length, Checksums.sha256(f));
    }

    WeightsFile at(LoopbackServer server, WeightsFile f) {
        return new WeightsFile(f.name(), server.url(), f.bytes(), f.sha256());
    }

    @Test
    void downloadsOnceWithProgressThenUsesTheCache() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            WeightsStore store = new WeightsStore(cache.resolve("weights"), log::add);
            Steps steps = new Steps();
            Path got = store.fetch(at(server, published), true, steps);
            assertArrayEquals(content, Files.readAllBytes(got));
            assertEquals(cache.resolve("weights").resolve(NAME), got);
            assertTrue(steps.done.size() > 5, "progress shown while it downloads: " + steps.done);
            for (int i = 1; i < steps.done.size(); i++) {
                assertTrue(steps.done.get(i) > steps.done.get(i - 1), "progress only grows");
            }
            assertEquals(1000, steps.done.get(steps.done.size() - 1));
            assertTrue(log.stream().anyMatch(l -> l.contains("1.5 MB") && l.contains(NAME)), "size said before: " + log);
            store.fetch(at(server, published), true, Progress.NONE);
            assertEquals(1, server.requests.get(), "the second use downloads nothing");
            assertFalse(Files.exists(got.resolveSibling(NAME + ".part")));
        }
    }

    @Test
    void resumesAfterACutConnection() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            // the server stops sending after 600 kB and goes silent: after 2 s the connection counts as cut
            WeightsStore store = new WeightsStore(cache, log::add, 2000);
            server.cutAfter = 600_000;
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> store.fetch(at(server, published), true, Progress.NONE));
            assertTrue(e.getMessage().contains("continues where it stopped"), e.getMessage());
            Path part = cache.resolve(NAME + ".part");
            assertEquals(600_000, Files.size(part), "what arrived is kept");
            assertFalse(Files.exists(cache.resolve(NAME)), "no file under the real name until it is complete and checked");
            Path got = store.fetch(at(server, published), true, Progress.NONE);
            assertArrayEquals(content, Files.readAllBytes(got));
            assertEquals("bytes=600000-", server.ranges.get(1));
            assertEquals(content.length, server.bytesSent.get(), "nothing downloaded twice");
        }
    }

    @Test
    void aFileWithAnotherChecksumIsRefusedAndRemoved() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            WeightsStore store = new WeightsStore(cache, log::add);
            WeightsFile expectsOther = new WeightsFile(NAME, server.url(), content.length, "ab".repeat(32));
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> store.fetch(expectsOther, true, Progress.NONE));
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains(published.sha256()), e.getMessage());
            try (var files = Files.list(cache)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(NAME) && !p.toString().endsWith(".lock")),
                        "neither the file nor a partial copy is kept");
            }
        }
    }

    @Test
    void aFileOfAnotherSizeIsRefusedBeforeItIsRead() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, new byte[4096])) {
            WeightsStore store = new WeightsStore(cache, log::add);
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> store.fetch(at(server, published), true, Progress.NONE));
            assertTrue(e.getMessage().contains("offers 4096 bytes") && e.getMessage().contains("refused"), e.getMessage());
            assertFalse(Files.exists(cache.resolve(NAME + ".part")));
        }
    }

    @Test
    void offlineSaysWhatToFetchAndWhereToPutIt() throws IOException {
        String url;
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            url = server.url();
        } // stopped: nothing listens there any more
        WeightsStore store = new WeightsStore(cache, log::add);
        WeightsFile f = new WeightsFile(NAME, url, content.length, published.sha256());
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> store.fetch(f, true, Progress.NONE));
        String m = e.getMessage();
        assertTrue(m.contains(NAME) && m.contains(url) && m.contains(published.sha256()) && m.contains(cache.toString())
                && m.contains("1.5 MB"), m);
        assertThrows(WeightsUnavailableException.class, () -> store.fetch(f, false, Progress.NONE), "no download when switched off");
    }

    @Test
    void aDamagedCachedCopyIsDetectedAndReplaced() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            WeightsStore store = new WeightsStore(cache, log::add);
            Path got = store.fetch(at(server, published), true, Progress.NONE);
            byte[] damaged = Files.readAllBytes(got);
            damaged[1234] ^= 1;
            Files.write(got, damaged);
            assertFalse(store.has(published));
            WeightsUnavailableException offline = assertThrows(WeightsUnavailableException.class,
                    () -> store.fetch(at(server, published), false, Progress.NONE));
            assertTrue(log.stream().anyMatch(l -> l.contains("damaged")), log.toString());
            assertFalse(Files.exists(got), "the damaged copy is not used again: " + offline.getMessage());
            store.fetch(at(server, published), true, Progress.NONE);
            assertArrayEquals(content, Files.readAllBytes(got));
            assertEquals(2, server.requests.get());
        }
    }

    @Test
    void cancellingKeepsWhatArrivedForNextTime() throws IOException {
        try (LoopbackServer server = new LoopbackServer(NAME, content)) {
            WeightsStore store = new WeightsStore(cache, log::add);
            Steps steps = new Steps();
            steps.cancelAt = 3;
            assertThrows(CancellationException.class, () -> store.fetch(at(server, published), true, steps));
            long kept = Files.size(cache.resolve(NAME + ".part"));
            assertTrue(kept > 0 && kept < content.length, "part kept: " + kept);
            store.fetch(at(server, published), true, Progress.NONE);
            assertEquals("bytes=" + kept + "-", server.ranges.get(1));
            assertTrue(store.has(published));
        }
    }

    @Test
    void aFileBroughtByHandIsCheckedAndKept(@TempDir Path elsewhere) throws IOException {
        Path brought = elsewhere.resolve("download.pth");
        Files.write(brought, content);
        WeightsStore store = new WeightsStore(cache.resolve("w"), log::add);
        Path kept = store.adopt(brought, published);
        assertEquals(cache.resolve("w").resolve(NAME), kept);
        assertTrue(store.has(published));
        assertTrue(Files.exists(brought), "the user's file is left where it was");
        Files.write(brought, new byte[10]);
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> store.adopt(brought, published));
        assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
    }

    @Test
    void javasProxySettingsAreHonoured() throws IOException {
        // the loopback server plays the proxy: the publisher's host does not even resolve, so the file
        // can only arrive through the proxy that Java's settings name (as Fiji's proxy options set them)
        try (LoopbackServer proxy = new LoopbackServer(NAME, content)) {
            String[] keys = {"http.proxyHost", "http.proxyPort", "http.nonProxyHosts"};
            String[] before = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                before[i] = System.getProperty(keys[i]);
            }
            try {
                System.setProperty("http.proxyHost", "127.0.0.1");
                System.setProperty("http.proxyPort", proxy.base().replaceAll(".*:(\\d+)/.*", "$1"));
                System.setProperty("http.nonProxyHosts", "");
                WeightsFile f = new WeightsFile(NAME, "http://weights.example.invalid/models/" + NAME, content.length, published.sha256());
                Path got = new WeightsStore(cache, log::add).fetch(f, true, Progress.NONE);
                assertArrayEquals(content, Files.readAllBytes(got));
                assertEquals(1, proxy.requests.get());
            } finally {
                for (int i = 0; i < keys.length; i++) {
                    if (before[i] == null) {
                        System.clearProperty(keys[i]);
                    } else {
                        System.setProperty(keys[i], before[i]);
                    }
                }
            }
        }
    }

    @Test
    void aMirrorReplacesThePublishersAddress() {
        WeightsFile f = new WeightsFile(NAME, "https://example.org/x/" + NAME, 1, published.sha256());
        String before = System.getProperty(WeightsStore.MIRROR_PROPERTY);
        try {
            System.setProperty(WeightsStore.MIRROR_PROPERTY, "http://lab.local/weights/");
            assertEquals("http://lab.local/weights/" + NAME, WeightsStore.url(f));
        } finally {
            if (before == null) {
                System.clearProperty(WeightsStore.MIRROR_PROPERTY);
            } else {
                System.setProperty(WeightsStore.MIRROR_PROPERTY, before);
            }
        }
        assertEquals(f.url(), WeightsStore.url(f));
    }
}
