package io.github.astfiji.fiji;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.SyntheticDataset;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.real.FloatType;
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

/**
 * The SciJava commands with ImageJ2 (imglib2) images, as Fiji and scripts hand them over:
 * 8-bit, 16-bit, 32-bit and ARGB images, a stack of slices, and a depth stack; the maps
 * come back as Img&lt;FloatType&gt; of the input's size and equal the ImageJ 1 path's.
 */
class FijiImglib2Test {

    @TempDir
    static Path dir;
    static Context context;
    static CommandService commands;

    @BeforeAll
    static void start() {
        context = new Context(CommandService.class);
        commands = context.service(CommandService.class);
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    /** The bundled 128 px crops as an imglib2 stack of the given kind (a wrapped array each, as Fiji holds them). */
    static Img<?> stack(String kind, int from, int count, String folder) throws Exception {
        List<Path> files = ImageFiles.list(Path.of("test-images", folder), false).subList(from, from + count);
        int n = 128 * 128;
        switch (kind) {
            case "gray8": {
                byte[] all = new byte[count * n];
                for (int i = 0; i < count; i++) {
                    System.arraycopy((byte[]) ImageFiles.open(files.get(i)).getProcessor().getPixels(), 0, all, i * n, n);
                }
                return count == 1 ? ArrayImgs.unsignedBytes(all, 128, 128) : ArrayImgs.unsignedBytes(all, 128, 128, count);
            }
            case "gray16": {
                short[] all = new short[count * n];
                for (int i = 0; i < count; i++) {
                    byte[] b = (byte[]) ImageFiles.open(files.get(i)).getProcessor().getPixels();
                    for (int k = 0; k < n; k++) {
                        all[i * n + k] = (short) ((b[k] & 0xff) * 16);
                    }
                }
                return count == 1 ? ArrayImgs.unsignedShorts(all, 128, 128) : ArrayImgs.unsignedShorts(all, 128, 128, count);
            }
            case "float": {
                float[] all = new float[count * n];
                for (int i = 0; i < count; i++) {
                    byte[] b = (byte[]) ImageFiles.open(files.get(i)).getProcessor().getPixels();
                    for (int k = 0; k < n; k++) {
                        all[i * n + k] = (b[k] & 0xff) / 255f;
                    }
                }
                return count == 1 ? ArrayImgs.floats(all, 128, 128) : ArrayImgs.floats(all, 128, 128, count);
            }
            default: {
                int[] all = new int[count * n];
                for (int i = 0; i < count; i++) {
                    byte[] b = (byte[]) ImageFiles.open(files.get(i)).getProcessor().getPixels();
                    for (int k = 0; k < n; k++) {
                        int v = b[k] & 0xff;
                        all[i * n + k] = ARGBType.rgba(v, v * 3 / 4, v / 2, 255);
                    }
                }
                ArrayImg<ARGBType, ?> img = count == 1 ? ArrayImgs.argbs(all, 128, 128) : ArrayImgs.argbs(all, 128, 128, count);
                return img;
            }
        }
    }

    @Test
    void trainAndDetectWithImglib2ImagesOfEveryType() throws Exception {
        for (String kind : List.of("gray8", "gray16", "float", "argb")) {
            File model = dir.resolve(kind + ".ast").toFile();
            CommandModule t = commands.run(TrainDetectorCommand.class, true, "training_img", stack(kind, 0, 8, "train/good"),
                    "model_file", model, "epochs", 2, "image_size", 64, "calibration_folds", 0).get();
            assertFalse(t.isCanceled(), kind + ": " + t.getCancelReason());
            CommandModule d = commands.run(DetectAnomaliesCommand.class, true, "model_file", model,
                    "img", stack(kind, 0, 1, "test/missing")).get();
            assertFalse(d.isCanceled(), kind + ": " + d.getCancelReason());
            @SuppressWarnings("unchecked")
            Img<FloatType> map = (Img<FloatType>) d.getOutput("anomaly_map_img");
            assertEquals(2, map.numDimensions(), kind);
            assertEquals(128, map.dimension(0));
            assertEquals(128, map.dimension(1));
            ResultsTable table = ((DetectAnomaliesCommand) d.getDelegateObject()).results();
            assertEquals(1, table.size());
            assertTrue(table.getValue("score", 0) > 0, kind);
        }
    }

    @Test
    void aStackGivesOneMapPerSliceEqualToTheImageJ1Path() throws Exception {
        File model = dir.resolve("stack.ast").toFile();
        assertFalse(commands.run(TrainDetectorCommand.class, true, "training_img", stack("gray8", 0, 8, "train/good"),
                "model_file", model, "epochs", 2, "image_size", 64, "calibration_folds", 0).get().isCanceled());
        Img<?> three = stack("gray8", 0, 3, "test/good");
        CommandModule d = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "img", three).get();
        assertFalse(d.isCanceled(), d.getCancelReason());
        @SuppressWarnings("unchecked")
        Img<FloatType> maps = (Img<FloatType>) d.getOutput("anomaly_map_img");
        assertArrayEquals(new long[] {128, 128, 3}, maps.dimensionsAsLongArray());
        // the same slice through ImageJ 1 gives the same map
        ImagePlus imp = ImageFiles.open(Path.of("test-images/test/good/001.png"));
        CommandModule ij1 = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", imp).get();
        float[] viaIj1 = (float[]) ((ImagePlus) ij1.getOutput("anomaly_map")).getProcessor().getPixels();
        float[] viaImg = new float[128 * 128];
        var cursor = net.imglib2.view.Views.flatIterable(net.imglib2.view.Views.hyperSlice(maps, 2, 1)).cursor();
        for (int i = 0; cursor.hasNext(); i++) {
            viaImg[i] = cursor.next().get();
        }
        // the stack's slices are scored together, the single image alone: the same values up to
        // the order in which batched kernels sum
        float largest = 0;
        for (float v : viaIj1) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertArrayEquals(viaIj1, viaImg, 1e-5f * largest);
        // a 4-D image is refused with what to do
        CommandModule bad = commands.run(DetectAnomaliesCommand.class, true, "model_file", model,
                "img", ArrayImgs.unsignedBytes(128, 128, 2, 2)).get();
        assertTrue(bad.isCanceled());
        assertTrue(bad.getCancelReason().contains("4 dimensions"), bad.getCancelReason());
    }

    @Test
    void depthComesAsAnImglib2StackToo() throws Exception {
        Path data = dir.resolve("syn");
        SyntheticDataset.write(data, SyntheticDataset.Size.SMALL, 2, Progress.NONE);
        Path good = data.resolve("board/train/good");
        List<Path> rgb = ImageFiles.list(good.resolve("rgb"), false);
        int n = rgb.size();
        int[] px = new int[n * 64 * 64];
        float[] z = new float[n * 64 * 64];
        for (int i = 0; i < n; i++) {
            System.arraycopy((int[]) ImageFiles.open(rgb.get(i)).getProcessor().convertToRGB().getPixels(), 0, px, i * 4096, 4096);
            DepthMap d = DepthFiles.read(DepthFiles.match(rgb.get(i), good.resolve("xyz")));
            System.arraycopy(d.z(), 0, z, i * 4096, 4096);
        }
        File model = dir.resolve("rgbd.ast").toFile();
        CommandModule t = commands.run(TrainDetectorCommand.class, true, "training_img", ArrayImgs.argbs(px, 64, 64, n),
                "depth_img", ArrayImgs.floats(z, 64, 64, n), "input", "rgb+depth", "model_file", model, "epochs", 3, "image_size", 64, "calibration_folds", 0).get();
        assertFalse(t.isCanceled(), t.getCancelReason());
        CommandModule d = commands.run(DetectAnomaliesCommand.class, true, "model_file", model,
                "img", ArrayImgs.argbs(java.util.Arrays.copyOf(px, 2 * 4096), 64, 64, 2),
                "depth_img", ArrayImgs.floats(java.util.Arrays.copyOf(z, 2 * 4096), 64, 64, 2)).get();
        assertFalse(d.isCanceled(), d.getCancelReason());
        assertArrayEquals(new long[] {64, 64, 2}, ((Img<?>) d.getOutput("anomaly_map_img")).dimensionsAsLongArray());
        // without its depth the model refuses, saying what to give
        CommandModule noDepth = commands.run(DetectAnomaliesCommand.class, true, "model_file", model,
                "img", ArrayImgs.argbs(java.util.Arrays.copyOf(px, 4096), 64, 64)).get();
        assertTrue(noDepth.isCanceled());
        assertTrue(noDepth.getCancelReason().contains("depth"), noDepth.getCancelReason());
    }
}
