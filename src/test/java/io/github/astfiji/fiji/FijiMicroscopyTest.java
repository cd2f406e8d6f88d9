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
}
