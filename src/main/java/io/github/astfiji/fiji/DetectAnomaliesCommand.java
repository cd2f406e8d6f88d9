package io.github.astfiji.fiji;

import ai.djl.ndarray.NDManager;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.workflow.BatchDetection;
import io.github.astfiji.workflow.ScoresTable;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Detect anomalies with a trained model, in an image/stack or in every image of a folder.
 * For an image: a 32-bit anomaly map (same size, colour LUT on the model's fixed scale),
 * regions above the threshold on the image's overlay and in the ROI Manager, and a
 * results table. For a folder: heat maps, overlays and one scores.csv in output_folder.
 */
@Plugin(type = Command.class, headless = true, label = "Detect Anomalies",
        description = "Score images with a trained anomaly detection model (any method)")
public class DetectAnomaliesCommand extends ProgressCommand {

    public static final String TABLE_TITLE = "Anomaly Detection Results";

    @Parameter(label = "Model file (.ast)", style = "open", persist = false)
    private File model_file;

    @Parameter(label = "Image", required = false, persist = false)
    private ImagePlus image;

    @Parameter(label = "Depth image/stack (for models trained with depth)", required = false, persist = false)
    private ImagePlus depth_image;

    @Parameter(label = "Or: ImageJ2 image (imglib2: 2-D, 3-D stack, or ARGB)", required = false, persist = false)
    private RandomAccessibleInterval<?> img;

    @Parameter(label = "Depth for the ImageJ2 image (imglib2)", required = false, persist = false)
    private RandomAccessibleInterval<?> depth_img;

    @Parameter(label = "Or: folder of images", style = "directory", required = false, persist = false)
    private File input_folder;

    @Parameter(label = "Depth folder (for a folder; same names)", style = "directory", required = false, persist = false)
    private File depth_folder;

    @Parameter(label = "Masks (folder, same names; only inside is scored; empty = everywhere; an open image: its selection)",
            style = "directory", required = false, persist = false)
    private File mask_folder;

    @Parameter(label = "Output folder (for a folder)", style = "directory", required = false, persist = false)
    private File output_folder;

    @Parameter(label = "Backbone file (if not beside the model)", required = false, persist = false)
    private File backbone_file;

    @Parameter(label = "Add regions to the ROI Manager")
    private boolean add_to_roi_manager = true;

    @Parameter(label = "Sensitivity: expected false alarms per 100 normal parts (0 = the model's)", min = "0", max = "50", persist = false)
    private double false_alarms_per_100 = 0;

    @Parameter(label = "Overwrite existing result files", persist = false)
    private boolean overwrite = false;

    @Parameter(label = "Resume a stopped folder batch (images already in scores.csv are kept, the rest scored)", persist = false)
    private boolean resume = false;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus anomaly_map;

    /** The anomaly map(s) as an imglib2 image: 2-D, or a 3-D stack with one map per slice. */
    @Parameter(type = ItemIO.OUTPUT)
    private Img<FloatType> anomaly_map_img;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    /** One row per image or slice, the same columns in every mode (scripts: module.getOutput("results_table")). */
    @Parameter(type = ItemIO.OUTPUT, label = "Anomaly Detection Results")
    private ResultsTable results_table;

    /** The regions above the pixel threshold (open or ImageJ2 image; a folder's are drawn in its overlays). */
    @Parameter(type = ItemIO.OUTPUT, label = "Anomalous regions")
    private ij.gui.Roi[] regions;

    private ResultsTable results;
    private AnomalyDetection.Result detection;

    @Override
    protected String title() {
        return "Detect Anomalies";
    }

    @Override
    protected String work(FijiProgress progress) throws Exception {
        results = new ResultsTable();
        if (Inputs.given(input_folder) != null) {
            summary = detectFolder(model_file, input_folder, depth_folder, output_folder, backbone_file, overwrite, resume, results, progress,
                    false_alarms_per_100, mask_folder);
        } else if (img != null && image == null) {
            detection = detectImg(model_file, img, depth_img, backbone_file, results, progress, false_alarms_per_100);
            anomaly_map = detection.heatMap;
            anomaly_map_img = detection.heatMapImg;
            summary = "ImageJ2 image: " + detection.regions.size() + " region(s) above the threshold";
        } else {
            detection = detectImage(model_file, image, depth_image, backbone_file, results, progress, false_alarms_per_100);
            anomaly_map = detection.heatMap;
            anomaly_map_img = detection.heatMapImg;
            AnomalyDetection.addOverlay(image, detection.regions);
            if (add_to_roi_manager && !GraphicsEnvironment.isHeadless()) {
                RoiManager rm = RoiManager.getRoiManager();
                for (ij.gui.Roi r : detection.regions) {
                    rm.addRoi((ij.gui.Roi) r.clone());
                }
            }
            summary = image.getTitle() + ": " + detection.regions.size() + " region(s) above the threshold";
        }
        results_table = results;
        regions = detection == null ? new ij.gui.Roi[0] : detection.regions.toArray(new ij.gui.Roi[0]);
        if (!GraphicsEnvironment.isHeadless()) {
            results.show(TABLE_TITLE);
        }
        return summary;
    }

    /** The results table of the last run (one row per image or slice). */
    public ResultsTable results() {
        return results;
    }

    /** The regions found in the last image run. */
    public AnomalyDetection.Result detection() {
        return detection;
    }

    public static AnomalyDetection.Result detectImage(File modelFile, ImagePlus image, ImagePlus depth, File backbone,
                                                      ResultsTable table, Progress progress, double falseAlarmsPer100) throws Exception {
        String problem = ImageChecks.problem(image);
        if (problem == null) {
            problem = DepthInputs.problem(image, depth);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        requireModel(modelFile);
        try (NDManager root = Engines.newManager();
             Detector model = openModel(modelFile, backbone, root, progress)) {
            return AnomalyDetection.detect(model, image, depth, table, progress, falseAlarmsPer100);
        }
    }

    /** Detection on an imglib2 image (2-D, a 3-D stack of slices, or ARGB), with an optional imglib2 depth stack. */
    public static AnomalyDetection.Result detectImg(File modelFile, RandomAccessibleInterval<?> img, RandomAccessibleInterval<?> depth,
                                                    File backbone, ResultsTable table, Progress progress, double falseAlarmsPer100)
            throws Exception {
        List<PixelSource> slices = Imglib2Images.slices(img);
        List<DepthMap> depths = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (depth != null) {
            List<PixelSource> d = Imglib2Images.slices(depth);
            if (d.size() != slices.size() || d.get(0).width() != slices.get(0).width() || d.get(0).height() != slices.get(0).height()) {
                throw new IllegalArgumentException("the depth image is " + d.get(0).width() + "x" + d.get(0).height() + " with " + d.size()
                        + " slice(s) but the image is " + slices.get(0).width() + "x" + slices.get(0).height() + " with " + slices.size()
                        + "; give one depth slice of the same size per image slice");
            }
        }
        for (int s = 0; s < slices.size(); s++) {
            depths.add(depth == null ? null : Imglib2Images.depth(depth, s));
            labels.add(null);
        }
        requireModel(modelFile);
        try (NDManager root = Engines.newManager();
             Detector model = openModel(modelFile, backbone, root, progress)) {
            return AnomalyDetection.detect(model, "ImageJ2 image", slices, labels, depths, table, progress, falseAlarmsPer100);
        }
    }

    public static String detectFolder(File modelFile, File folder, File depthFolder, File outFolder, File backbone, boolean overwrite,
                                      boolean resume, ResultsTable table, Progress progress, double falseAlarmsPer100, File maskFolder)
            throws Exception {
        requireModel(modelFile);
        if (Inputs.given(outFolder) == null) {
            throw new IllegalArgumentException("choose an output folder for the heat maps and scores.csv");
        }
        List<List<Path>> pairs = DepthFiles.imagesAndDepths(ImageFiles.list(folder.toPath(), true),
                Inputs.given(depthFolder) == null ? null : depthFolder.toPath());
        List<Path> files = pairs.get(0);
        try (NDManager root = Engines.newManager();
             Detector model = openModel(modelFile, backbone, root, progress)) {
            BatchDetection.Options options = new BatchDetection.Options();
            options.overwrite = overwrite;
            options.resume = resume;
            options.falseAlarmsPer100 = falseAlarmsPer100;
            options.masks = Inputs.given(maskFolder) == null ? null : maskFolder.toPath();
            options.problems = line -> ij.IJ.log("Detect Anomalies: skipped " + line);
            BatchDetection.Summary summary = BatchDetection.run(model, folder.toPath(), files, pairs.get(1), outFolder.toPath(), options, progress);
            summary.warnings.forEach(w -> ij.IJ.log("Detect Anomalies: " + w));
            for (ScoresTable.Row r : summary.rows) {
                ResultColumns.add(table, r.image, 1, r.label, r.score, r.normalisedScore, r.verdict, r.normalExceedPer100,
                        r.regions, r.regionArea, r.maxScore, r.error);
            }
            return summary.scored() + " images scored" + (summary.failures() > 0 ? ", " + summary.failures()
                    + " could not be scored (see the error column and the Log)" : "") + "; results in " + outFolder;
        }
    }

    /** The model, its backbone looked for where the user points (or fetched), downloads shown on the progress. */
    private static Detector openModel(File modelFile, File backbone, NDManager root, Progress progress) throws java.io.IOException {
        return ModelFile.read(modelFile.toPath(), root, Inputs.given(backbone),
                io.github.astfiji.core.registry.BackboneSetup.Fetching.standard(progress, progress::note));
    }

    private static void requireModel(File modelFile) {
        if (Inputs.given(modelFile) == null) {
            throw new IllegalArgumentException("choose a model file (.ast) written by Train AST");
        }
    }
}
