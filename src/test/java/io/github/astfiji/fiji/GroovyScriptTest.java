package io.github.astfiji.fiji;

import net.imglib2.img.Img;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.script.ScriptModule;
import org.scijava.script.ScriptService;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Groovy scripts in scripts/ run through SciJava's own ScriptService, as Fiji's Script
 * Editor runs them: #@ parameters parsed by SciJava, services injected, outputs read back.
 */
class GroovyScriptTest {

    static File trainModel(Context context, Path dir) throws Exception {
        File model = dir.resolve("m.ast").toFile();
        CommandModule t = context.service(CommandService.class).run(TrainDetectorCommand.class, true,
                "training_folder", new File("test-images/train/good"), "model_file", model, "epochs", 3, "image_size", 64, "calibration_folds", 0).get();
        assertFalse(t.isCanceled(), t.getCancelReason());
        return model;
    }

    static ScriptModule runScript(Context context, String path, Map<String, Object> inputs) throws Exception {
        return (ScriptModule) context.service(ScriptService.class).run(new File(path), true, inputs).get();
    }

    @Test
    void batchScriptScoresAFolderAndGoesOnPastABadFile(@TempDir Path dir) throws Exception {
        try (Context context = new Context(CommandService.class, ScriptService.class)) {
            File model = trainModel(context, dir);
            Path in = Files.createDirectories(dir.resolve("in"));
            for (int i = 0; i < 5; i++) {
                Files.copy(Path.of(String.format("test-images/test/scratch/%03d.png", i)), in.resolve(String.format("%03d.png", i)));
            }
            Files.write(in.resolve("zz_broken.png"), new byte[] {9, 9, 9});
            Path out = Files.createDirectories(dir.resolve("out"));
            ScriptModule m = runScript(context, "scripts/batch_detect.groovy",
                    Map.of("model_file", model, "input_folder", in.toFile(), "output_folder", out.toFile()));
            List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
            assertEquals(7, csv.size(), String.join("\n", csv));
            assertTrue(csv.get(1).startsWith("000.png,"));
            assertTrue(csv.get(6).startsWith("zz_broken.png,") && csv.get(6).contains(",error,"), csv.get(6));
            for (int i = 0; i < 5; i++) {
                assertTrue(Files.size(out.resolve(String.format("%03d_heatmap.tif", i))) > 128 * 128 * 4);
                assertTrue(Files.exists(out.resolve(String.format("%03d_overlay.png", i))));
            }
            String summary = (String) m.getOutput("summary");
            assertTrue(summary.startsWith("5 images scored, 1 could not be scored") && summary.endsWith("(6 rows)"), summary);

            // a second run refuses to replace the results: the script stops (SciJava logs why) and writes no summary
            ScriptModule again = runScript(context, "scripts/batch_detect.groovy",
                    Map.of("model_file", model, "input_folder", in.toFile(), "output_folder", out.toFile()));
            assertEquals(null, again.getOutput("summary"));
            assertEquals(7, Files.readAllLines(out.resolve("scores.csv")).size(), "the earlier results are untouched");
        }
    }

    @Test
    void imglib2ScriptScoresAnImageJ2Image(@TempDir Path dir) throws Exception {
        try (Context context = new Context(CommandService.class, ScriptService.class)) {
            File model = trainModel(context, dir);
            Img<?> stack = FijiImglib2Test.stack("gray8", 0, 2, "test/missing");
            ScriptModule m = runScript(context, "scripts/score_imglib2.groovy", Map.of("model_file", model, "image", stack));
            Img<?> map = (Img<?>) m.getOutput("anomaly_map");
            assertArrayEquals(new long[] {128, 128, 2}, map.dimensionsAsLongArray());
            String summary = (String) m.getOutput("summary");
            assertTrue(summary.startsWith("slices: ") && summary.split(",").length == 2, summary);
        }
    }
}
