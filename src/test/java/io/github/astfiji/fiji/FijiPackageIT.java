package io.github.astfiji.fiji;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /**
     * The installed layout at work: the tree copied as a user unzips it, Debian's ImageJ started
     * under Xvfb with what Fiji's launcher puts on the class path (jars/, the platform's folder,
     * and the libraries Fiji ships itself), then Train AST and Detect Anomalies run from the
     * menu by a macro.
     */
    @Test
    void theInstalledLayoutTrainsAndDetectsFromTheMenu(@TempDir Path dir) throws Exception {
        ImageJMacroIT.needImageJ();
        Path app = dir.resolve("Fiji.app");
        copyTree(tree(), app);
        List<String> cp = new ArrayList<>(List.of(ImageJMacroIT.IJ_JAR.toString(), app.resolve("jars") + "/*",
                app.resolve("jars/linux64") + "/*"));
        // what Fiji itself ships, left out of the zip (src/assembly/fiji.xml): gson, JNA, SLF4J, commons, SciJava
        try (Stream<Path> s = Files.list(Path.of("target/lib"))) {
            for (Path lib : s.toList()) {
                String n = lib.getFileName().toString();
                if (!n.startsWith("ij-") && !Files.exists(app.resolve("jars").resolve(n)) && !n.startsWith("pytorch-native")) {
                    cp.add(lib.toAbsolutePath().toString());
                }
            }
        }
        Path model = dir.resolve("part.ast");
        Path out = dir.resolve("out");
        Path macro = dir.resolve("menu.ijm");
        Path train = Path.of("test-images/train/good").toAbsolutePath();
        Path test = Path.of("test-images/test/missing").toAbsolutePath();
        Files.writeString(macro, "run(\"Train AST\", \"method=ast training_folder=[" + train + "] depth_folder=[] depth_image=none "
                + "input=rgb depth_unit=m preset=cpu backbone=[built-in (offline)] backbone_file=[] epochs=10 image_size=96 "
                + "false_alarms_per_100=1 calibration_folds=0 model_file=[" + model + "]\");\n"
                + "run(\"Detect Anomalies\", \"model_file=[" + model + "] depth_image=none input_folder=[" + test + "] depth_folder=[] "
                + "output_folder=[" + out + "] backbone_file=[] false_alarms_per_100=0\");\n"
                + "print(\"MENU RUN DONE\");\n");
        String log = ImageJMacroIT.run(List.of(ImageJMacroIT.XVFB.toString(), "-a", "java", "-Djava.awt.headless=false",
                "-Dplugins.dir=" + app, "-cp", String.join(java.io.File.pathSeparator, cp), "ij.ImageJ", "-batch", macro.toString()), 600, dir);
        assertTrue(log.contains("MENU RUN DONE"), log);
        assertTrue(Files.isRegularFile(model), "Train AST wrote the model:\n" + log);
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals(6, csv.size(), "Detect Anomalies scored the 5 images:\n" + log);
        assertTrue(csv.stream().filter(l -> l.contains(",anomalous,")).count() >= 4, "missing pieces flagged:\n" + String.join("\n", csv));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
