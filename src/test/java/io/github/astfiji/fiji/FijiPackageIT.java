package io.github.astfiji.fiji;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What `mvn package` gives a Fiji user: the update-site-shaped tree (and its zip) with the
 * plugin in plugins/, its libraries in jars/, and PyTorch's engine for Linux, Windows and
 * macOS (Apple silicon) each in the jars/ subfolder Fiji loads on that platform only.
 */
class FijiPackageIT {

    static Path tree() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-fiji") && Files.isDirectory(p)).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/*-fiji folder: run mvn package")).resolve("Fiji.app");
        }
    }

    @Test
    void everyPlatformGetsItsEngineInItsOwnFolder() throws IOException {
        Path app = tree();
        for (String[] p : new String[][] {{"linux64", "linux-x86_64"}, {"win64", "win-x86_64"}, {"macos-arm64", "osx-aarch64"}}) {
            try (Stream<Path> s = Files.list(app.resolve("jars").resolve(p[0]))) {
                List<String> names = s.map(f -> f.getFileName().toString()).toList();
                assertEquals(List.of("pytorch-native-cpu-2.7.1-" + p[1] + ".jar"), names, p[0]);
            }
        }
        try (Stream<Path> s = Files.list(app.resolve("jars"))) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("pytorch-native")),
                    "no engine in jars/ itself, where every platform would load it");
        }
        try (Stream<Path> s = Files.list(app.resolve("plugins"))) {
            Path plugin = s.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
            try (ZipFile z = new ZipFile(plugin.toFile())) {
                String config = new String(z.getInputStream(z.getEntry("plugins.config")).readAllBytes());
                assertTrue(config.contains("io.github.astfiji.fiji.gate.JavaGate(\"io.github.astfiji.fiji.ij1.TrainDetectorPlugin\")"), config);
                assertTrue(z.getEntry("io/github/astfiji/fiji/gate/JavaGate.class") != null);
            }
        }
        for (String lib : new String[] {"api-0.35.1.jar", "pytorch-engine-0.35.1.jar", "pytorch-jni-2.7.1-0.35.1.jar"}) {
            assertTrue(Files.isRegularFile(app.resolve("jars").resolve(lib)), lib);
        }
        Path zip = app.getParent().resolveSibling(app.getParent().getFileName() + ".zip");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            assertTrue(z.getEntry("Fiji.app/jars/win64/pytorch-native-cpu-2.7.1-win-x86_64.jar") != null, "the zip holds the same tree");
        }
    }
}
