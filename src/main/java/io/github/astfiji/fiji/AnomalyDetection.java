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
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.image.PixelScale;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.score.ScoreStats;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.Planes;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;

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
        /** The same maps as an imglib2 image (2-D, or a 3-D stack), sharing nothing with the input. */
        public final Img<FloatType> heatMapImg;
        public final List<Roi> regions;
        public final ResultsTable table;

        Result(ImagePlus heatMap, Img<FloatType> heatMapImg, List<Roi> regions, ResultsTable table) {
            this.heatMap = heatMap;
            this.heatMapImg = heatMapImg;
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
        String q = model.preprocessing().incompatibility(io.github.astfiji.io.Planes.toFloatImage(imp, 1));
        return q == null ? null : imp.getTitle() + ": " + q;
    }

    public static Result detect(Detector model, ImagePlus imp, ResultsTable table, Progress progress) {
        return detect(model, imp, null, table, progress);
    }

    /** As above, with one depth slice per image slice (null when the model needs none). */
    public static Result detect(Detector model, ImagePlus imp, ImagePlus depth, ResultsTable table, Progress progress) {
        return detect(model, imp, depth, table, progress, 0);
    }

    /** As above, with verdicts at a sensitivity: expected false alarms per 100 normal parts (0 = the model's own). */
    public static Result detect(Detector model, ImagePlus imp, ImagePlus depth, ResultsTable table, Progress progress,
                                double falseAlarmsPer100) {
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
        List<PixelSource> slices = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<DepthMap> depths = new ArrayList<>();
        int planes = Planes.count(imp);
        for (int s = 1; s <= planes; s++) {
            slices.add(Planes.pixels(imp, s));
            labels.add(Planes.label(imp, s));
            depths.add(DepthInputs.slice(depth, s));
        }
        // an area selection limits scoring to its inside, on every plane
        float[] mask = io.github.astfiji.io.Masks.fromSelection(imp);
        if (mask != null) {
            ij.IJ.log("Detect Anomalies: " + imp.getTitle() + " is scored inside its selection only (the map is empty outside).");
        }
        // at the model's pixel size; the maps and regions stay at the image's
        PixelScale.Decision scale = PixelScale.decide(imp.getTitle(), Planes.pixelSize(imp), model.preprocessing().pixelSize, depth != null);
        if (scale.note != null) {
            ij.IJ.log("Detect Anomalies: " + scale.note + ".");
        }
        if (scale.factor != 1) {
            slices.replaceAll(px -> PixelScale.rescale(px, scale.factor));
            mask = PixelScale.rescaleMask(mask, imp.getWidth(), imp.getHeight(), scale.factor);
        }
        Result r = detect(model, imp.getTitle(), slices, labels, depths, mask, imp.getWidth(), imp.getHeight(), table, progress,
                falseAlarmsPer100);
        if (Planes.hyper(imp) && planes > 1) {
            // the maps keep the input's z and time dimensions (one channel: the anomaly score)
            r.heatMap.setDimensions(1, imp.getNSlices(), imp.getNFrames());
            r.heatMap.setOpenAsHyperStack(imp.getNSlices() > 1 && imp.getNFrames() > 1);
            for (Roi roi : r.regions) {
                int plane = roi.getPosition();
                if (plane > 0) {
                    roi.setPosition(0, Planes.z(imp, plane), Planes.t(imp, plane));
                    roi.setName(roi.getName().replaceFirst("^slice \\d+ ", Planes.position(imp, plane) + " "));
                }
            }
        }
        r.heatMap.setCalibration(imp.getCalibration().copy());
        return r;
    }

    /**
     * Detection on image slices of any origin (ImageJ 1 or imglib2): one map per slice,
     * the regions above the pixel threshold, and a table row per slice.
     */
    public static Result detect(Detector model, String title, List<PixelSource> slices, List<String> labels, List<DepthMap> depths,
                                ResultsTable table, Progress progress, double falseAlarmsPer100) {
        return detect(model, title, slices, labels, depths, null, slices.get(0).width(), slices.get(0).height(), table, progress,
                falseAlarmsPer100);
    }

    /**
     * As above, scoring only inside a mask (1 inside, 0 outside; null: everywhere) on every
     * slice, with maps and regions at width x height (the image's size before any rescaling).
     */
    public static Result detect(Detector model, String title, List<PixelSource> slices, List<String> labels, List<DepthMap> depths,
                                float[] mask, int width, int height, ResultsTable table, Progress progress, double falseAlarmsPer100) {
        if (depths.stream().allMatch(d -> d == null) && model.config().input.usesDepth()) {
            throw new IllegalArgumentException("the model was trained on " + model.config().input.label + " input; give the depth image of "
                    + title + " (depth_image)");
        }
        String warning = model.sizeWarning(slices.get(0).width(), slices.get(0).height());
        if (warning != null) {
            ij.IJ.log("Detect Anomalies: note: " + title + " is " + warning + ".");
        }
        ScoreStats stats = model.stats();
        float threshold = stats.threshold(falseAlarmsPer100);
        int w = width;
        int h = height;
        int n = slices.size();
        ImageStack heat = new ImageStack(w, h);
        List<float[]> maps = new ArrayList<>();
        List<Roi> regions = new ArrayList<>();
        progress.stage("Detecting anomalies in " + title, n);
        List<AnomalyMap> scored = new ArrayList<>();
        for (int s = 1; s <= n; s++) {
            progress.checkCancelled();
            if (scored.size() < s) {
                // the next slices scored in one call: their views share passes through the networks
                int end = Math.min(n, s - 1 + io.github.astfiji.workflow.BatchDetection.GROUP_IMAGES);
                List<Detector.Input> inputs = new ArrayList<>();
                int k = s;
                try {
                    for (; k <= end; k++) {
                        inputs.add(model.input(slices.get(k - 1), depths.get(k - 1), mask));
                    }
                    for (io.github.astfiji.core.score.AnomalyMaps one : model.score(inputs)) {
                        scored.add(one.primary());
                    }
                } catch (IllegalArgumentException e) {
                    String where = n == 1 ? "" : k <= end ? " slice " + k : " slices " + s + "-" + end;
                    throw new IllegalArgumentException(title + where + ": " + e.getMessage(), e);
                }
            }
            AnomalyMap r = scored.get(s - 1);
            float[] map = r.upsample(w, h);
            maps.add(map);
            FloatProcessor fp = new FloatProcessor(w, h, map);
            String label = labels.get(s - 1);
            heat.addSlice(n == 1 ? "anomaly map" : label == null ? "slice " + s : label, fp);
            List<Roi> sliceRegions = regions(fp, stats.pixelThreshold, n == 1 ? 0 : s);
            double area = 0;
            for (Roi roi : sliceRegions) {
                area += roi.getStatistics().pixelCount;
            }
            regions.addAll(sliceRegions);
            ResultColumns.add(table, title, s, label, r.score, ScoreStats.normalise(r.score, threshold),
                    ScoreStats.verdictAt(r.score, threshold), stats.falseAlarmsPer100At(r.score), sliceRegions.size(), area,
                    r.maxScore, "");
            progress.step(s, null);
        }
        String shortTitle = title.contains(".") ? title.substring(0, title.lastIndexOf('.')) : title;
        ImagePlus heatMap = new ImagePlus(shortTitle + "_anomaly_map", heat);
        LUT fire = new LUT(LutLoader.getLut("fire"), 0, stats.heatMapHigh());
        heatMap.getProcessor().setLut(fire);
        heatMap.setDisplayRange(0, stats.heatMapHigh());
        heatMap.setProperty("Info", model.method().displayName() + " anomaly map. Pixel threshold " + stats.pixelThreshold
                + ", image threshold " + threshold + " (from " + stats.images + " " + stats.source + " normal images; "
                + (falseAlarmsPer100 > 0 ? falseAlarmsPer100 + " expected false alarms per 100 normal parts, as asked)" : stats.operatingPoint() + ")"));
        return new Result(heatMap, Imglib2Images.floatImg(maps, w, h), regions, table);
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
