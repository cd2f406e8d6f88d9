package io.github.astfiji.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.SyntheticDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train AST and Detect Anomalies with depth given as open ImageJ stacks, as a Fiji user would. */
class FijiDepthTest {

    @TempDir
    static Path dir;
    static Context context;
    static CommandService commands;
    static Path data;
    static File model;

    @BeforeAll
    static void trainWithDepthStacks() throws Exception {
        context = new Context(CommandService.class);
        commands = context.service(CommandService.class);
        data = dir.resolve("syn");
        SyntheticDataset.write(data, SyntheticDataset.Size.SMALL, 2, Progress.NONE);
        Path good = data.resolve("board/train/good");
        List<String> names = ImageFiles.list(good.resolve("rgb"), false).stream().map(p -> p.getFileName().toString()).toList();
        model = dir.resolve("board.ast").toFile();
        CommandModule m = commands.run(TrainDetectorCommand.class, true, "training_image", rgbStack(good, names),
                "depth_image", depthStack(good, names), "input", "rgb+depth", "model_file", model, "epochs", 15, "image_size", 64, "calibration_folds", 0).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(((String) m.getOutput("summary")).contains("Model written"));
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    static ImagePlus rgbStack(Path dir, List<String> names) throws Exception {
        ImageStack st = new ImageStack(64, 64);
        for (String n : names) {
            st.addSlice(n, ImageFiles.open(dir.resolve("rgb").resolve(n)).getProcessor());
        }
        return new ImagePlus("rgb", st);
    }

    /** z of each xyz file as a 32-bit slice: how a user would bring depth into ImageJ. */
    static ImagePlus depthStack(Path dir, List<String> names) throws Exception {
        ImageStack st = new ImageStack(64, 64);
        for (String n : names) {
            DepthMap d = DepthFiles.read(DepthFiles.match(dir.resolve("rgb").resolve(n), dir.resolve("xyz")));
            st.addSlice(n, new FloatProcessor(64, 64, d.z().clone()));
        }
        return new ImagePlus("depth", st);
    }

    @Test
    void detectWithDepthStackScoresEverySlice() throws Exception {
        Path test = data.resolve("board/test");
        ImageStack rs = new ImageStack(64, 64);
        ImageStack ds = new ImageStack(64, 64);
        for (String type : List.of("good", "misplaced", "bump")) {
            ImagePlus one = rgbStack(test.resolve(type), List.of("000.png"));
            ImagePlus d = depthStack(test.resolve(type), List.of("000.png"));
            rs.addSlice(type, one.getProcessor());
            ds.addSlice(type, d.getProcessor());
        }
        ImagePlus rgb = new ImagePlus("test", rs);
        ImagePlus depth = new ImagePlus("test depth", ds);
        float[] depthBefore = ((float[]) ds.getPixels(3)).clone();
        CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", rgb, "depth_image", depth).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ResultsTable t = ((DetectAnomaliesCommand) m.getDelegateObject()).results();
        assertEquals(3, t.size());
        assertEquals(3, ((ImagePlus) m.getOutput("anomaly_map")).getStackSize());
        assertArrayEquals(depthBefore, (float[]) ds.getPixels(3), "the depth image is not modified");

        // a depth stack of the wrong length, or none for a depth model: a message that says what to do
        ImageStack two = new ImageStack(64, 64);
        two.addSlice("a", ds.getProcessor(1));
        two.addSlice("b", ds.getProcessor(2));
        CommandModule wrong = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", rgb,
                "depth_image", new ImagePlus("short depth", two)).get();
        assertTrue(wrong.isCanceled());
        assertTrue(wrong.getCancelReason().contains("short depth") && wrong.getCancelReason().contains("2 slice")
                && wrong.getCancelReason().contains("one depth slice per image plane"), wrong.getCancelReason());
        // a depth stack of the right length but the wrong size
        ImageStack small = new ImageStack(32, 32);
        for (int k = 1; k <= 3; k++) {
            small.addSlice("s" + k, ds.getProcessor(k).resize(32, 32));
        }
        CommandModule size = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", rgb,
                "depth_image", new ImagePlus("small depth", small)).get();
        assertTrue(size.isCanceled());
        assertTrue(size.getCancelReason().contains("small depth") && size.getCancelReason().contains("32x32")
                && size.getCancelReason().contains("64x64") && size.getCancelReason().contains("pixel for pixel"), size.getCancelReason());
        CommandModule none = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", rgb).get();
        assertTrue(none.isCanceled());
        assertTrue(none.getCancelReason().contains("depth_image"), none.getCancelReason());
    }

    @Test
    void trainingRefusesDepthModeWithoutDepth() throws Exception {
        Path good = data.resolve("board/train/good");
        CommandModule m = commands.run(TrainDetectorCommand.class, true, "training_folder", good.resolve("rgb").toFile(),
                "input", "depth", "model_file", dir.resolve("x.ast").toFile(), "epochs", 1, "image_size", 64).get();
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("depth_folder") && m.getCancelReason().contains("rgb"), m.getCancelReason());
        // with the depth folder it trains
        CommandModule ok = commands.run(TrainDetectorCommand.class, true, "training_folder", good.resolve("rgb").toFile(),
                "depth_folder", good.resolve("xyz").toFile(), "input", "depth", "model_file", dir.resolve("d.ast").toFile(),
                "epochs", 2, "image_size", 64, "calibration_folds", 0).get();
        assertFalse(ok.isCanceled(), ok.getCancelReason());
    }

    @Test
    void evaluateCommandReportsTheMetricsTable() throws Exception {
        CommandModule m = commands.run(EvaluateCommand.class, true, "dataset_folder", data.toFile(), "input", "rgb+depth",
                "epochs", 10).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ResultsTable t = ((EvaluateCommand) m.getDelegateObject()).table();
        assertEquals(4, t.size(), "one row per category for AST and for its teacher-only baseline");
        assertEquals("AST", t.getStringValue("method", 0));
        assertEquals("board", t.getStringValue("category", 0));
        assertEquals("teacher-only", t.getStringValue("method", 2));
        for (int row = 0; row < t.size(); row++) {
            for (String col : List.of("image_auroc_max", "pixel_auroc", "aupro", "f1_max")) {
                double v = t.getValue(col, row);
                assertTrue(v >= 0 && v <= 1, col + " " + v);
            }
            assertTrue(t.getValue("train_seconds", row) > 0 && t.getValue("ms_per_image", row) > 0);
        }
        assertTrue(((String) m.getOutput("markdown")).contains("| AST | board |"));
    }
}
