package io.github.astfiji.fiji;

import ij.ImagePlus;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.TrainingSetup;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.workflow.Training;
import net.imglib2.RandomAccessibleInterval;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Train a detector on normal images (a folder, or the slices of an open image/stack) with
 * the method the user picks (any registered one; the first is the default). The menu entry
 * keeps the name "Train AST" so recorded macros stay valid.
 * Menus come from plugins.config (the ImageJ 1 dialog in fiji.ij1);
 * this command is the scriptable API (Groovy, headless).
 */
@Plugin(type = Command.class, headless = true, label = "Train AST",
        description = "Train an anomaly detector (any of the registered methods) on defect-free images")
public class TrainDetectorCommand extends ProgressCommand {

    @Parameter(label = "Method (empty = the default)", required = false, persist = false,
            description = "A registered method's id (the Train dialog lists them; scripts: core.registry.Methods.ids())")
    private String method = "";

    @Parameter(label = "Folder of normal images", style = "directory", required = false, persist = false)
    private File training_folder;

    @Parameter(label = "Or: open image/stack of normal images", required = false, persist = false)
    private ImagePlus training_image;

    @Parameter(label = "Depth images (folder, same names; empty = none)", style = "directory", required = false, persist = false)
    private File depth_folder;

    @Parameter(label = "Masks (folder, same names; only inside is learned; empty = everywhere; an open image: its selection)",
            style = "directory", required = false, persist = false)
    private File mask_folder;

    @Parameter(label = "Or: open depth image/stack (one slice per image slice)", required = false, persist = false)
    private ImagePlus depth_image;

    @Parameter(label = "Or: ImageJ2 image of normal images (imglib2: 2-D, 3-D stack, or ARGB)", required = false, persist = false)
    private RandomAccessibleInterval<?> training_img;

    @Parameter(label = "Depth for the ImageJ2 image (imglib2 stack)", required = false, persist = false)
    private RandomAccessibleInterval<?> depth_img;

    @Parameter(label = "Input", choices = {"rgb", "depth", "rgb+depth"}, persist = false)
    private String input = "rgb";

    @Parameter(label = "Depth unit", choices = {"m", "mm", "um"}, persist = false)
    private String depth_unit = "m";

    @Parameter(label = "Preset (empty = the method's first)", required = false, persist = false,
            description = "One of the method's presets (the Train dialog lists them)")
    private String preset = "";

    @Parameter(label = "Backbone", persist = false, choices = {BackboneChoice.PRESET, BackboneChoice.BUILTIN,
            BackboneChoice.EFFICIENTNET_B5, BackboneChoice.WIDE_RESNET50_2, BackboneChoice.RESNET18},
            description = "The network that turns images into features. ImageNet networks are downloaded once into the weights "
                    + "folder (Plugins > Anomaly Detection > Options); the built-in one needs no download.")
    private String backbone = BackboneChoice.PRESET;

    @Parameter(label = "Or: backbone file (TorchScript, or a published weights file copied by hand)", required = false, persist = false)
    private File backbone_file;

    @Parameter(label = "Epochs (0 = preset)", min = "0", persist = false)
    private int epochs = 0;

    @Parameter(label = "Image size (0 = preset)", min = "0", persist = false)
    private int image_size = 0;

    @Parameter(label = "Operating point: expected false alarms per 100 normal parts", min = "0.01", max = "50", persist = false)
    private double false_alarms_per_100 = 1;

    @Parameter(label = "Threshold calibration folds (-1 = preset; 0 = hold out 20 %; k = k-fold)", min = "-1", max = "20", persist = false)
    private int calibration_folds = -1;

    @Parameter(label = "Save model as", style = "save", persist = false)
    private File model_file;

    @Parameter(label = "Overwrite an existing model file", persist = false)
    private boolean overwrite = false;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    protected String title() {
        return "Train AST";
    }

    @Override
    protected String work(FijiProgress progress) throws Exception {
        if (training_img != null && Inputs.given(training_folder) == null && training_image == null) {
            summary = trainImg(method, training_img, depth_img, input, depth_unit, preset, BackboneChoice.spec(backbone, backbone_file), epochs, image_size, model_file,
                    overwrite, progress, false_alarms_per_100, calibration_folds);
        } else {
            summary = train(method, training_folder, training_image, depth_folder, depth_image, input, depth_unit, preset,
                    BackboneChoice.spec(backbone, backbone_file),
                    epochs, image_size, model_file, overwrite, progress, false_alarms_per_100, calibration_folds, mask_folder);
        }
        showScorePlot(model_file);
        if (log != null) {
            log.info(summary);
        }
        return "done";
    }

    /** The dialog's choices as the core's training setup (shared by the folder, ImageJ 1 and imglib2 paths). */
    private static TrainingSetup setup(String methodId, String preset, int epochs, int imageSize, String input, String depthUnit,
                                       double falseAlarmsPer100, int calibrationFolds, File modelFile) {
        if (modelFile == null) {
            throw new IllegalArgumentException("choose where to save the model (model_file)");
        }
        TrainingSetup t = new TrainingSetup();
        t.method = methodId;
        t.preset = preset;
        t.epochs = epochs;
        t.imageSize = imageSize;
        t.input = input;
        t.depthUnit = depthUnit;
        t.falseAlarmsPer100 = falseAlarmsPer100;
        t.calibrationFolds = calibrationFolds < 0 ? null : calibrationFolds;
        return t;
    }

    /** In Fiji with a display, the picture of the normal scores and the threshold that training wrote beside the model. */
    public static void showScorePlot(File modelFile) {
        if (modelFile == null || java.awt.GraphicsEnvironment.isHeadless() || ij.macro.Interpreter.isBatchMode()) {
            return;
        }
        File png = io.github.astfiji.workflow.Training.scorePlotFile(modelFile.toPath()).toFile();
        if (png.exists()) {
            ImagePlus plot = ij.IJ.openImage(png.getPath());
            if (plot != null) {
                plot.show();
            }
        }
    }

    /** The work behind both this command and the ImageJ 1 menu plugin. */
    public static String train(String methodId, File folder, ImagePlus image, File depthFolder, ImagePlus depthImage, String input, String depthUnit,
                               String preset, String backbone, int epochs, int imageSize,
                               File modelFile, boolean overwrite, FijiProgress progress, double falseAlarmsPer100,
                               int calibrationFolds, File maskFolder) throws Exception {
        TrainingSetup setup = setup(methodId, preset, epochs, imageSize, input, depthUnit, falseAlarmsPer100, calibrationFolds, modelFile);
        Method method = setup.method();
        DetectorConfig config = setup.config(method);
        List<ImageSource> sources;
        boolean withDepth;
        if (Inputs.given(folder) != null) {
            if (Inputs.given(depthFolder) == null && depthImage != null) {
                throw new IllegalArgumentException("with a training folder, give the depth images as a folder too (depth_folder)");
            }
            sources = DepthFiles.folderWithDepth(folder.toPath(), Inputs.given(depthFolder) == null ? null : depthFolder.toPath());
            withDepth = sources != null;
            if (sources == null) {
                sources = ImageFiles.sources(ImageFiles.list(folder.toPath(), false), folder.toPath(),
                        Inputs.given(maskFolder) == null ? null : maskFolder.toPath());
            } else if (Inputs.given(maskFolder) != null) {
                throw new IllegalArgumentException("a mask folder works with images without depth; a depth model finds its foreground itself");
            }
        } else {
            sources = slices(image, depthImage);
            withDepth = depthImage != null;
        }
        if (config.input.usesDepth() && !withDepth) {
            throw new IllegalArgumentException("input " + config.input.label + " needs depth images: choose depth_folder or depth_image, "
                    + "or set input to rgb");
        }
        return Training.trainAndSave(sources, method, config, backbone, modelFile.toPath(), overwrite, progress);
    }

    /** Training on the slices of an imglib2 image (each slice one normal image), with an optional imglib2 depth stack. */
    public static String trainImg(String methodId, RandomAccessibleInterval<?> img, RandomAccessibleInterval<?> depth, String input,
                                  String depthUnit, String preset, String backbone, int epochs, int imageSize, File modelFile, boolean overwrite,
                                  FijiProgress progress, double falseAlarmsPer100, int calibrationFolds) throws Exception {
        TrainingSetup setup = setup(methodId, preset, epochs, imageSize, input, depthUnit, falseAlarmsPer100, calibrationFolds, modelFile);
        Method method = setup.method();
        DetectorConfig config = setup.config(method);
        List<PixelSource> slices = Imglib2Images.slices(img);
        if (config.input.usesDepth() && depth == null) {
            throw new IllegalArgumentException("input " + config.input.label + " needs depth: give depth_img, or set input to rgb");
        }
        if (depth != null && Imglib2Images.slices(depth).size() != slices.size()) {
            throw new IllegalArgumentException("the depth image has " + Imglib2Images.slices(depth).size() + " slice(s) but the training "
                    + "image has " + slices.size() + "; give one depth slice per image slice");
        }
        List<ImageSource> sources = new ArrayList<>();
        for (int s = 0; s < slices.size(); s++) {
            DepthMap d = depth == null ? null : Imglib2Images.depth(depth, s);
            sources.add(ImageSource.of("ImageJ2 image" + (slices.size() > 1 ? " [slice " + (s + 1) + "]" : ""),
                    slices.get(s).toFloatImage(), d, null));
        }
        return Training.trainAndSave(sources, method, config, backbone, modelFile.toPath(), overwrite, progress);
    }

    /** Every plane of an image (all channels at one z and time point; with its depth slice) as a training image; neither image is modified. */
    static List<ImageSource> slices(ImagePlus imp, ImagePlus depth) {
        String problem = ImageChecks.problem(imp);
        if (problem == null) {
            problem = DepthInputs.problem(imp, depth);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        List<ImageSource> out = new ArrayList<>();
        // an area selection limits what is learned to its inside, on every plane
        float[] mask = io.github.astfiji.io.Masks.fromSelection(imp);
        for (int s = 1; s <= io.github.astfiji.io.Planes.count(imp); s++) {
            FloatImage im = io.github.astfiji.io.Planes.toFloatImage(imp, s);
            out.add(ImageSource.of(imp.getTitle() + io.github.astfiji.io.Planes.suffix(imp, s), im, DepthInputs.slice(depth, s), mask,
                    io.github.astfiji.io.Planes.pixelSize(imp)));
        }
        return out;
    }
}
