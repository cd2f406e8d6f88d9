package io.github.astfiji.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.io.ImageFiles;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * Detection on ImageJ images, shared by the SciJava commands and the ImageJ 1 menu
 * plugins: a 32-bit heat-map stack on the model's dataset-wide scale, one ROI per
 * region above the model's pixel threshold (positioned on its slice), and a table row
 * per slice. The input's pixels are never changed; regions go to its overlay.
 */
public final class AnomalyDetection {

    /** Everything one detection run produces. */
    public static final class Result {
        public final ImagePlus heatMap;
        public final List<Roi> regions;
        public final ResultsTable table;

        Result(ImagePlus heatMap, List<Roi> regions, ResultsTable table) {
            this.heatMap = heatMap;
            this.regions = regions;
            this.table = table;
        }
    }

    private AnomalyDetection() {
    }

    /** Validates the image against the model before any work; null when it fits. */
    public static String problem(Detector model, ImagePlus imp) {
        String p = ImageChecks.problem(imp);
        if (p != null) {
            return p;
        }
        String q = model.preprocessing().incompatibility(ImageFiles.toFloatImage(imp, 1));
        return q == null ? null : imp.getTitle() + ": " + q;
    }

    public static Result detect(Detector model, ImagePlus imp, ResultsTable table, Progress progress) {
        return detect(model, imp, null, table, progress);
    }

    /** As above, with one depth slice per image slice (null when the model needs none). */
    public static Result detect(Detector model, ImagePlus imp, ImagePlus depth, ResultsTable table, Progress progress) {
        String p = problem(model, imp);
        if (p == null) {
            p = DepthInputs.problem(imp, depth);
        }
        if (p == null && depth == null && model.config().input.usesDepth()) {
            p = "the model was trained on " + model.config().input.label + " input; choose the depth image of " + imp.getTitle()
                    + " (depth_image)";
        }
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        ScoreStats stats = model.stats();
        int w = imp.getWidth();
        int h = imp.getHeight();
        int n = imp.getStackSize();
        ImageStack heat = new ImageStack(w, h);
        List<Roi> regions = new ArrayList<>();
        progress.stage("Detecting anomalies in " + imp.getTitle(), n);
        for (int s = 1; s <= n; s++) {
            progress.checkCancelled();
            FloatImage im = ImageFiles.toFloatImage(imp, s);
            ScoreResult r = model.score(im, DepthInputs.slice(depth, s), null).primary();
            float[] map = r.upsample(w, h);
            FloatProcessor fp = new FloatProcessor(w, h, map);
            heat.addSlice(n == 1 ? "anomaly map" : imp.getStack().getShortSliceLabel(s) == null
                    ? "slice " + s : imp.getStack().getShortSliceLabel(s), fp);
            List<Roi> sliceRegions = regions(fp, stats.pixelThreshold, n == 1 ? 0 : s);
            double area = 0;
            for (Roi roi : sliceRegions) {
                area += roi.getStatistics().pixelCount;
            }
            regions.addAll(sliceRegions);
            table.incrementCounter();
            table.addValue("image", imp.getTitle());
            table.addValue("slice", s);
            table.addValue("score", r.score);
            table.addValue("normalised_score", stats.normalised(r.score));
            table.addValue("verdict", stats.verdict(r.score));
            table.addValue("regions", sliceRegions.size());
            table.addValue("region_area_px", area);
            table.addValue("max_pixel_score", r.maxScore);
            progress.step(s, null);
        }
        ImagePlus heatMap = new ImagePlus(imp.getShortTitle() + "_anomaly_map", heat);
        heatMap.setCalibration(imp.getCalibration().copy());
        LUT fire = new LUT(LutLoader.getLut("fire"), 0, stats.heatMapHigh());
        heatMap.getProcessor().setLut(fire);
        heatMap.setDisplayRange(0, stats.heatMapHigh());
        heatMap.setProperty("Info", model.method().displayName() + " anomaly map. Pixel threshold " + stats.pixelThreshold
                + ", image threshold " + stats.imageThreshold + " (from " + stats.images + " " + stats.source + " normal images)");
        return new Result(heatMap, regions, table);
    }

    /** Connected regions of map > threshold as polygon ROIs, positioned on a slice (0 = none). */
    static List<Roi> regions(FloatProcessor map, float threshold, int slice) {
        List<Roi> out = new ArrayList<>();
        FloatProcessor fp = (FloatProcessor) map.duplicate();
        fp.setThreshold(Math.nextUp(threshold), Float.MAX_VALUE, ImageProcessor.NO_LUT_UPDATE);
        Roi all = ThresholdToSelection.run(new ImagePlus("", fp));
        if (all == null) {
            return out;
        }
        Roi[] parts = all instanceof ShapeRoi ? ((ShapeRoi) all).getRois() : new Roi[] {all};
        int k = 0;
        for (Roi part : parts) {
            k++;
            part.setName((slice > 0 ? "slice " + slice + " " : "") + "region " + k);
            part.setStrokeColor(Color.YELLOW);
            if (slice > 0) {
                part.setPosition(slice);
            }
            out.add(part);
        }
        return out;
    }

    /** Shows the regions on the input image without touching its pixels. */
    public static void addOverlay(ImagePlus imp, List<Roi> regions) {
        Overlay o = imp.getOverlay() == null ? new Overlay() : imp.getOverlay();
        for (Roi r : regions) {
            o.add((Roi) r.clone());
        }
        imp.setOverlay(o);
    }
}
