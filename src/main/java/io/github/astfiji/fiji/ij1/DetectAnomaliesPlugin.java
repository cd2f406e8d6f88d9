package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;
import io.github.astfiji.fiji.AnomalyDetection;
import io.github.astfiji.fiji.DepthInputs;
import io.github.astfiji.fiji.DetectAnomaliesCommand;
import io.github.astfiji.fiji.FijiProgress;

/** Plugins > Anomaly Detection > Detect Anomalies (ImageJ 1 dialog; macro-recordable). */
public class DetectAnomaliesPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Detect Anomalies");
        // '_' shows as a space; the macro key is the label in lower case (see TrainDetectorPlugin)
        gd.addFileField("Model_file", PluginDialogs.remembered("model_file"), 40);
        gd.addMessage("Leave the input folder empty to score the open image or stack (plane by plane; inside its selection only,\n"
                + "if it has one). Mask folder: one mask per image, same file names, white = inspect.");
        gd.addDirectoryField("Input_folder", "", 40);
        gd.addDirectoryField("Output_folder", "", 40);
        gd.addDirectoryField("Mask_folder", "", 40);
        gd.addFileField("Backbone_file", "", 40);
        gd.addNumericField("False_alarms_per_100", 0, 2, 6, "expected per 100 normal images (0 = as the model was trained)");
        gd.addCheckbox("Add_to_ROI_Manager", true);
        gd.addCheckbox("Overwrite", false);
        gd.addCheckbox("Resume", false);
        gd.addMessage("Resume continues a stopped folder batch: images already in its scores.csv are not scored again.\n"
                + "Backbone file: only for a model trained on a backbone file that is no longer where it was.");
        gd.addMessage("Depth (only for models trained on depth images):");
        gd.addChoice("Depth_image", DepthInputs.choices(), DepthInputs.NONE);
        gd.addDirectoryField("Depth_folder", "", 40);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String model = gd.getNextString();
        String folder = gd.getNextString();
        String out = gd.getNextString();
        String maskFolder = gd.getNextString();
        String backbone = gd.getNextString();
        double falseAlarms = gd.getNextNumber();
        boolean toRoiManager = gd.getNextBoolean();
        boolean overwrite = gd.getNextBoolean();
        boolean resume = gd.getNextBoolean();
        String depthImage = gd.getNextChoice();
        String depthFolder = gd.getNextString();
        PluginDialogs.remember("model_file", model);
        FijiProgress progress = new FijiProgress(() -> false);
        ResultsTable table = new ResultsTable();
        try {
            io.github.astfiji.fiji.EngineSettings.apply();
            if (PluginDialogs.file(folder) != null) {
                String summary = DetectAnomaliesCommand.detectFolder(PluginDialogs.file(model), PluginDialogs.file(folder),
                        PluginDialogs.file(depthFolder), PluginDialogs.file(out), PluginDialogs.file(backbone), overwrite, resume, table, progress,
                        falseAlarms, PluginDialogs.file(maskFolder));
                IJ.log(summary);
                java.io.File plot = new java.io.File(PluginDialogs.file(out), io.github.astfiji.workflow.BatchDetection.PLOT_NAME);
                if (plot.exists() && !ij.macro.Interpreter.isBatchMode()) {
                    IJ.openImage(plot.getPath()).show();
                }
            } else {
                ImagePlus imp = WindowManager.getCurrentImage();
                AnomalyDetection.Result r = DetectAnomaliesCommand.detectImage(PluginDialogs.file(model), imp,
                        DepthInputs.byTitle(depthImage), PluginDialogs.file(backbone), table, progress, falseAlarms);
                AnomalyDetection.addOverlay(imp, r.regions);
                if (toRoiManager && !r.regions.isEmpty()) {
                    RoiManager rm = RoiManager.getRoiManager();
                    for (Roi roi : r.regions) {
                        rm.addRoi((Roi) roi.clone());
                    }
                }
                r.heatMap.show();
                progress.done("Detect Anomalies: " + r.regions.size() + " region(s)");
            }
            table.show(DetectAnomaliesCommand.TABLE_TITLE);
        } catch (Exception e) {
            PluginDialogs.report("Detect Anomalies", e);
        }
    }
}
