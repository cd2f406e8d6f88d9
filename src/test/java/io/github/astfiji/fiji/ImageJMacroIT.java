package io.github.astfiji.fiji;

import ij.ImagePlus;
import io.github.astfiji.cli.Cli;
import io.github.astfiji.io.ImageFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end in a real ImageJ 1 (Debian's imagej package) under Xvfb: the plugin jar and
 * its libraries in a plugins folder, the menu entries from plugins.config, and
 * scripts/batch_detect.ijm run as a user would run it from the command line.
 */
class ImageJMacroIT {

    static final Path IJ_JAR = Path.of("/usr/share/java/ij.jar");
    static final Path XVFB = Path.of("/usr/bin/xvfb-run");

    @BeforeAll
    static void needImageJ() throws Exception {
        if (!Files.exists(IJ_JAR) || !Files.exists(XVFB)) {
            tryInstall();
        }
        boolean present = Files.exists(IJ_JAR) && Files.exists(XVFB);
        // under CI a missing ImageJ is a failure, not a skip: CI must not go green without this test
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but Debian's imagej and xvfb are missing (apt-get install imagej xvfb xauth): "
                    + "the real-ImageJ tests cannot run");
        }
        Assumptions.assumeTrue(present,
                "SKIPPED: real-ImageJ test needs Debian's imagej and xvfb (apt-get install imagej xvfb); apt was not usable here");
    }

    /** Installs ImageJ and Xvfb with apt when running as root (CI does this up front). */
    static void tryInstall() throws Exception {
        if (!Files.exists(Path.of("/usr/bin/apt-get")) || !"root".equals(System.getProperty("user.name"))) {
            return;
        }
        System.err.println("ImageJMacroIT: installing imagej and xvfb with apt-get");
        run(List.of("bash", "-c", "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q imagej xvfb xauth"),
                600, null);
    }

    /**
     * Runs a command with a hard time limit. Output is read on its own thread so that a
     * child that never closes stdout (ImageJ waiting on a dialog, Xvfb) cannot block the
     * limit; on time-out the whole process tree is killed and the output so far is shown.
     */
    static String run(List<String> cmd, int timeoutSeconds, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (var in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process was killed; what was read is kept
            }
        });
        reader.setDaemon(true);
        reader.start();
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd + "\n" + out.toString(StandardCharsets.UTF_8));
        }
        reader.join(10_000);
        // xvfb-run can leave Xvfb behind if java died oddly
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        String text = out.toString(StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("exit " + p.exitValue() + " from " + cmd + "\n" + text);
        }
        return text;
    }

    /** A plugins folder as a user would install it: plugin jar plus its libraries (ImageJ's own excluded). */
    static Path pluginsFolder(Path home) throws IOException {
        Path plugins = Files.createDirectories(home.resolve("plugins/jars"));
        Path jar;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            jar = s.filter(p -> p.getFileName().toString().matches("AST_Anomaly_Detection-[^-]+(-SNAPSHOT)?\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("run mvn package first: no plugin jar in target/"));
        }
        Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
        try (Stream<Path> s = Files.list(Path.of("target/lib"))) {
            for (Path lib : s.filter(p -> !p.getFileName().toString().startsWith("ij-")).toList()) {
                Files.copy(lib, plugins.resolve(lib.getFileName()));
            }
        }
        return home;
    }

    @Test
    void batchMacroRunsInRealImageJ(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        Path model = dir.resolve("brick.ast");
        assertEquals(0, Cli.run("train", "--images", "test-images/train/good", "--model", model.toString(),
                "--epochs", "10", "--image-size", "96", "--calibration-folds", "0"));
        Path out = dir.resolve("out");
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int i = 0; i < 5; i++) {
            Files.copy(Path.of(String.format("test-images/test/missing/%03d.png", i)), in.resolve(String.format("%03d.png", i)));
        }
        Files.write(in.resolve("zz_broken.png"), new byte[] {1, 2, 3});
        List<String> cmd = new ArrayList<>(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home,
                "-jar", IJ_JAR.toString(), "-batch", new File("scripts/batch_detect.ijm").getAbsolutePath(),
                model + "," + in + "," + out));
        String log = run(cmd, 300, dir);
        assertTrue(log.contains("5 images scored, 1 could not be read"), log);
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals(7, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("image,label,score,normalised_score,verdict,") && csv.get(0).contains(",regions,region_area_px,error"),
                csv.get(0));
        long anomalous = csv.stream().skip(1).filter(l -> l.contains(",anomalous,")).count();
        assertTrue(anomalous >= 4, "missing pieces must be flagged:\n" + String.join("\n", csv));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("zz_broken.png,") && l.contains(",error,")), String.join("\n", csv));
        ImagePlus map = ImageFiles.open(out.resolve("000_heatmap.tif"));
        assertEquals(32, map.getBitDepth());
        assertEquals(128, map.getWidth());
        assertTrue(Files.size(out.resolve("000_overlay.png")) > 1000);

        // a bad model path stops the macro with the reason, and nothing more is written
        Path out2 = dir.resolve("out2");
        String bad = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-jar", IJ_JAR.toString(), "-batch",
                new File("scripts/batch_detect.ijm").getAbsolutePath(),
                dir.resolve("missing.ast") + "," + new File("test-images/test/missing").getAbsolutePath() + "," + out2), 120, dir);
        assertTrue(bad.contains("Model file not found"), bad);
        assertTrue(!Files.exists(out2.resolve("scores.csv")));
    }

    @Test
    void recordedDialogReplaysAsMacro(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        Path model = dir.resolve("brick.ast");
        assertEquals(0, Cli.run("train", "--images", "test-images/train/good", "--model", model.toString(),
                "--epochs", "5", "--image-size", "64", "--calibration-folds", "0"));
        Path out = Files.createDirectories(dir.resolve("recorded out"));
        String log = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-cp",
                IJ_JAR + File.pathSeparator + new File("target/test-classes").getAbsolutePath(), RecorderDriver.class.getName(),
                model.toString(), new File("test-images/test/spot").getAbsolutePath(), out.toString()), 300, dir);
        // what the Recorder wrote: snake_case keys, the paths, the ticked box, nothing about unset fields
        String recorded = log.lines().filter(l -> l.startsWith("RECORDED: ")).findFirst().orElseThrow(() -> new AssertionError(log));
        assertTrue(recorded.contains("run(\"Detect Anomalies\", \"model_file=") && recorded.contains("input_folder=")
                && recorded.contains("output_folder=[" + out) && recorded.contains(" overwrite")
                && recorded.contains("false_alarms_per_100=20"), recorded);
        System.out.println("ImageJMacroIT: the Recorder wrote " + recorded.substring("RECORDED: ".length()));
        assertTrue(log.contains("FIRST RUN CSV: true"), log);
        assertTrue(log.contains("REPLAYED CSV: true 6"), "the recorded line replays and scores the 5 images again:\n" + log);
        // the replay used the recorded sensitivity: its verdicts are those of 20 false alarms per 100
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        assertTrue(csv.get(0).contains("verdict"), csv.get(0));
    }

    @Test
    void recordedTrainingWithAChosenMethodReplays(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        Path model = dir.resolve("rd model.ast");
        String log = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-cp",
                IJ_JAR + File.pathSeparator + new File("target/test-classes").getAbsolutePath(), RecorderDriver.class.getName(),
                "train", "rd", new File("test-images/train/good").getAbsolutePath(), model.toString()), 300, dir);
        String recorded = log.lines().filter(l -> l.startsWith("RECORDED: ")).findFirst().orElseThrow(() -> new AssertionError(log));
        assertTrue(recorded.contains("run(\"Train AST\", \"method=rd training_folder=") && recorded.contains("model_file=[" + model + "]")
                && recorded.contains("epochs=3") && recorded.contains("image_size=64")
                && recorded.contains("backbone=[as the preset says (paper presets: the paper's network)]"), recorded);
        System.out.println("ImageJMacroIT: the Recorder wrote " + recorded.substring("RECORDED: ".length()));
        assertTrue(log.contains("FIRST RUN MODEL: true"), log);
        // a normal run prints no engine warning (DJL's set(float[]) made libtorch print a deprecation notice)
        assertTrue(!log.contains("AutoNonVariableTypeMode") && !log.contains("silent wrong result"), log);
        assertTrue(log.contains("REPLAYED MODEL: true"), "the recorded line replays and trains again:\n" + log);
        try (ai.djl.ndarray.NDManager m = io.github.astfiji.core.engine.Engines.newManager();
             io.github.astfiji.core.detector.Detector rd = io.github.astfiji.core.model.ModelFile.read(model, m, null)) {
            assertEquals("rd", rd.method().id());
        }
    }

    /**
     * What a user reads on the four menu dialogs, taken from the real windows: every label in
     * words (no parameter names such as false_alarms_per_100) and no command-line flag.
     */
    @Test
    void menuDialogsSpeakInWords(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        String log = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-cp",
                IJ_JAR + File.pathSeparator + new File("target/test-classes").getAbsolutePath(), RecorderDriver.class.getName(),
                "labels"), 240, dir);
        List<String> texts = log.lines().filter(l -> l.startsWith("LABEL: ")).map(l -> l.substring("LABEL: ".length())).toList();
        for (String title : List.of("Train AST", "Detect Anomalies", "Evaluate Anomaly Detection", "Anomaly Detection Options")) {
            assertTrue(texts.stream().filter(t -> t.startsWith(title + " | ")).count() >= 5, "the " + title + " dialog was read:\n" + log);
        }
        assertTrue(texts.contains("Train AST | Training folder") && texts.contains("Detect Anomalies | False alarms per 100")
                && texts.contains("Detect Anomalies | Add to ROI Manager"), String.join("\n", texts));
        List<String> raw = texts.stream().filter(t -> {
            String text = t.substring(t.indexOf(" | ") + 3);
            return text.contains("_") || text.matches("[a-z0-9]+") || text.matches(".*(^|\\s)--[a-z].*") || text.contains("-Xmx");
        }).toList();
        assertTrue(raw.isEmpty(), "texts shown as parameter names or command-line flags: " + raw);
    }

    /** A 3-channel 16-bit composite z-stack trains (each plane one image) and a time series is scored, from a macro. */
    @Test
    void compositeHyperstackTrainsAndDetectsFromAMacro(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        List<io.github.astfiji.core.image.FloatImage> normal = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            normal.add(io.github.astfiji.core.data.SyntheticFluorescence.make(96, 3, io.github.astfiji.core.data.SyntheticFluorescence.Defect.NONE, i).image);
        }
        Path train = dir.resolve("normal cells.tif");
        ImageFiles.saveTiff(io.github.astfiji.testing.Hyperstacks.composite("normal cells", normal, 12, 1), train);
        List<io.github.astfiji.core.image.FloatImage> series = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            series.add(io.github.astfiji.core.data.SyntheticFluorescence.make(96, 3, i == 2
                    ? io.github.astfiji.core.data.SyntheticFluorescence.Defect.SATURATED : io.github.astfiji.core.data.SyntheticFluorescence.Defect.NONE, 50 + i).image);
        }
        Path test = dir.resolve("series.tif");
        ImageFiles.saveTiff(io.github.astfiji.testing.Hyperstacks.composite("series", series, 1, 4), test);
        Path model = dir.resolve("cells.ast");
        Path macro = dir.resolve("composite.ijm");
        Files.writeString(macro, "open(\"" + train + "\");\n"
                + "print(\"TRAIN \" + nSlices + \" \" + bitDepth() + \" \" + is(\"composite\"));\n"
                + "run(\"Train AST\", \"method=ast training_folder=[] preset=cpu backbone=[built-in (offline)] epochs=5 image_size=96 "
                + "calibration_folds=0 model_file=[" + model + "]\");\n"
                + "close(\"*\");\n"
                + "open(\"" + test + "\");\n"
                + "run(\"Detect Anomalies\", \"model_file=[" + model + "] input_folder=[] output_folder=[]\");\n"
                + "print(\"ROWS \" + Table.size(\"Anomaly Detection Results\"));\n"
                + "for (i = 0; i < Table.size(\"Anomaly Detection Results\"); i++) print(\"ROW \" + Table.getString(\"label\", i, \"Anomaly Detection Results\") + \" \" + Table.get(\"score\", i, \"Anomaly Detection Results\"));\n"
                + "selectImage(\"series_anomaly_map\"); Stack.getDimensions(w, h, c, z, t);\n"
                + "print(\"MAP \" + c + \" \" + z + \" \" + t);\n");
        String log = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-jar", IJ_JAR.toString(), "-batch", macro.toString()), 300, dir);
        assertTrue(log.contains("TRAIN 36 16 1"), "the macro opened a 3-channel 16-bit composite of 12 planes:\n" + log);
        assertTrue(log.contains("Trained AST on 12 images"), log);
        assertTrue(log.contains("ROWS 4") && log.contains("MAP 1 1 4"), "a row and a map per time point:\n" + log);
        double[] scores = log.lines().filter(l -> l.startsWith("ROW t=")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toArray();
        assertEquals(4, scores.length, log);
        assertTrue(scores[2] > Math.max(Math.max(scores[0], scores[1]), scores[3]), "the saturated time point scores highest:\n" + log);
    }

    @Test
    void menuEntriesAreInstalled(@TempDir Path dir) throws Exception {
        Path home = pluginsFolder(dir.resolve("imagej"));
        Path macro = dir.resolve("menus.ijm");
        Files.writeString(macro, "List.setCommands;\n"
                + "print(\"train=\" + List.get(\"Train AST\"));\n"
                + "print(\"detect=\" + List.get(\"Detect Anomalies\"));\n"
                + "print(\"evaluate=\" + List.get(\"Evaluate\"));\n");
        String log = run(List.of(XVFB.toString(), "-a", "java", "-Dplugins.dir=" + home, "-jar", IJ_JAR.toString(), "-batch",
                macro.toString()), 120, dir);
        assertTrue(log.contains("train=io.github.astfiji.fiji.gate.JavaGate(\"io.github.astfiji.fiji.ij1.TrainDetectorPlugin\")"), log);
        assertTrue(log.contains("detect=io.github.astfiji.fiji.gate.JavaGate(\"io.github.astfiji.fiji.ij1.DetectAnomaliesPlugin\")"), log);
        assertTrue(log.contains("evaluate=io.github.astfiji.fiji.gate.JavaGate(\"io.github.astfiji.fiji.ij1.EvaluatePlugin\")"), log);
    }
}
