package io.github.astfiji.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import io.github.astfiji.core.data.SyntheticFluorescence;
import io.github.astfiji.core.data.SyntheticFluorescence.Defect;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.testing.Hyperstacks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fluorescence hyperstacks in Fiji: a 3-channel 16-bit composite trains (each z plane one
 * normal image, its channels together) and detects; a z-stack and time series gives a map
 * hyperstack of the same z and t with the input's calibration, a row per plane and regions
 * on their plane; another channel count is refused with the reason.
 */
class FijiMicroscopyTest {

    private static Context context;
    private static CommandService commands;
    private static File model;

    static List<FloatImage> planes(int count, int channels, long seed, int defectAt, Defect defect) {
        List<FloatImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(SyntheticFluorescence.make(96, channels, i == defectAt ? defect : Defect.NONE, seed + i).image);
        }
        return out;
    }

    @BeforeAll
    static void trainOnAComposite() throws Exception {
        context = new Context(CommandService.class);
        commands = context.service(CommandService.class);
        model = Files.createTempDirectory("fiji-microscopy").resolve("cells.ast").toFile();
        ImagePlus normal = Hyperstacks.composite("normal cells", planes(12, 3, 0, -1, Defect.NONE), 12, 1);
        CommandModule m = commands.run(TrainDetectorCommand.class, true, "training_image", normal, "model_file", model,
                "epochs", 8, "image_size", 96, "calibration_folds", 0).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(((String) m.getOutput("summary")).contains("on 12 images"), (String) m.getOutput("summary"));
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    @Test
    void aTimeLapseZStackGivesAMapHyperstackOfTheSameDimensions() throws Exception {
        // z = 2, t = 3; the plane at z=2, t=2 (the 4th) has a saturated region
        ImagePlus imp = Hyperstacks.composite("timelapse", planes(6, 3, 500, 3, Defect.SATURATED), 2, 3);
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.2;
        cal.pixelHeight = 0.2;
        cal.setUnit("um");
        CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", imp).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus map = (ImagePlus) m.getOutput("anomaly_map");
        assertEquals(1, map.getNChannels());
        assertEquals(2, map.getNSlices());
        assertEquals(3, map.getNFrames());
        assertEquals(0.2, map.getCalibration().pixelWidth, 1e-9);
        assertEquals(cal.getUnit(), map.getCalibration().getUnit());
        ResultsTable t = ((DetectAnomaliesCommand) m.getDelegateObject()).results();
        assertEquals(6, t.size(), "a row per plane");
        assertEquals("z=2 t=2", t.getStringValue("label", 3));
        double defect = t.getValue("score", 3);
        for (int row = 0; row < 6; row++) {
            if (row != 3) {
                assertTrue(defect > t.getValue("score", row), "the saturated plane scores highest: " + defect + " vs " + t.getValue("score", row));
            }
        }
        Roi[] regions = (Roi[]) m.getOutput("regions");
        assertTrue(regions.length > 0);
        boolean onThatPlane = false;
        for (Roi r : regions) {
            onThatPlane |= r.getZPosition() == 2 && r.getTPosition() == 2 && r.getCPosition() == 0;
        }
        assertTrue(onThatPlane, "a region sits on z=2, t=2 (all channels)");
    }

    @Test
    void anotherChannelCountIsRefusedWithTheReason() throws Exception {
        ImagePlus two = Hyperstacks.composite("two channels", planes(1, 2, 900, -1, Defect.NONE), 1, 1);
        CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", two).get();
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("3 channels") && m.getCancelReason().contains("has 2"), m.getCancelReason());
    }

    double scoreInsideLeftHalf(FloatImage im) throws Exception {
        ImagePlus imp = Hyperstacks.composite("cells", List.of(im), 1, 1);
        imp.setRoi(new Roi(0, 0, 48, 96));
        CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", model, "image", imp).get();
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus map = (ImagePlus) m.getOutput("anomaly_map");
        for (int y = 0; y < 96; y += 5) {
            assertEquals(0f, map.getProcessor().getf(90, y), "the map is empty outside the selection");
        }
        return ((DetectAnomaliesCommand) m.getDelegateObject()).results().getValue("score", 0);
    }

    /** A selection on the image limits scoring to its inside: a defect outside leaves the score as it was. */
    @Test
    void theSelectionLimitsScoring() throws Exception {
        FloatImage base = SyntheticFluorescence.make(96, 3, Defect.NONE, 777).image;
        double plain = scoreInsideLeftHalf(base);
        double outside = scoreInsideLeftHalf(Hyperstacks.withSquare(base, 78, 40, 14));
        double inside = scoreInsideLeftHalf(Hyperstacks.withSquare(base, 12, 40, 14));
        assertTrue(inside > 2 * plain, inside + " vs " + plain);
        assertEquals(plain, outside, 0.02 * (inside - plain));
    }

    static ImagePlus calibrated(ImagePlus imp, double micrometresPerPixel) {
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = micrometresPerPixel;
        cal.pixelHeight = micrometresPerPixel;
        cal.setUnit("micron");
        return imp;
    }

    /**
     * A model trained at 0.1 um/px brings an image at 0.2 um/px to its scale (the map stays at
     * the image's size) and scores it as normal, where the same image taken for 0.1 um/px
     * looks wrong; an image 16 times coarser is refused with the reason. One channel: a
     * composite's per-channel sharpness would (rightly) see the enlarged image's missing fine
     * detail as defocus whatever the scale, where this test is about the scale.
     */
    @Test
    void calibratedImagesAreBroughtToTheModelsScale() throws Exception {
        File scaled = Files.createTempDirectory("fiji-scale").resolve("at 0.1 um.ast").toFile();
        ImagePlus normal = calibrated(Hyperstacks.composite("normal", planes(12, 1, 0, -1, Defect.NONE), 12, 1), 0.1);
        CommandModule t = commands.run(TrainDetectorCommand.class, true, "training_image", normal, "model_file", scaled,
                "epochs", 8, "image_size", 96, "calibration_folds", 0).get();
        assertFalse(t.isCanceled(), t.getCancelReason());
        assertTrue(((String) t.getOutput("summary")).contains("pixel size 0.1 um/px"), (String) t.getOutput("summary"));

        // the same kind of field at half the resolution: 192 px at 0.1 um/px shrunk to 96 px at 0.2 um/px
        FloatImage fine = SyntheticFluorescence.make(192, 1, Defect.NONE, 4242).image;
        FloatImage coarse = io.github.astfiji.core.image.PixelScale.rescale(fine, 0.5);
        double[] scores = new double[2];
        double[] sizes = {0.2, 0.1};
        for (int k = 0; k < 2; k++) {
            ImagePlus imp = calibrated(Hyperstacks.composite("coarse", List.of(coarse), 1, 1), sizes[k]);
            CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", scaled, "image", imp).get();
            assertFalse(m.isCanceled(), m.getCancelReason());
            ImagePlus map = (ImagePlus) m.getOutput("anomaly_map");
            assertEquals(96, map.getWidth(), "the map has the image's size");
            scores[k] = ((DetectAnomaliesCommand) m.getDelegateObject()).results().getValue("score", 0);
        }
        assertTrue(scores[0] < scores[1], "rescaled to the model's pixel size it scores lower (" + scores[0]
                + ") than read at the wrong scale (" + scores[1] + ")");

        ImagePlus far = calibrated(Hyperstacks.composite("far", List.of(coarse), 1, 1), 1.6);
        CommandModule m = commands.run(DetectAnomaliesCommand.class, true, "model_file", scaled, "image", far).get();
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("1.6 um/px") && m.getCancelReason().contains("0.1 um/px"), m.getCancelReason());
    }
}
