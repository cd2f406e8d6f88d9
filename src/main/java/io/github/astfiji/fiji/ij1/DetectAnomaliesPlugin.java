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
        gd.addFileField("model_file", PluginDialogs.remembered("model_file"), 40);
        gd.addMessage("Leave input_folder empty to use the open image or stack.");
        gd.addChoice("depth_image", DepthInputs.choices(), DepthInputs.NONE);
        gd.addDirectoryField("input_folder", "", 40);
        gd.addDirectoryField("depth_folder", "", 40);
        gd.addDirectoryField("output_folder", "", 40);
        gd.addFileField("backbone_file", "", 40);
        gd.addNumericField("false_alarms_per_100", 0, 2, 6, "expected per 100 normal parts (0 = the model's)");
        gd.addCheckbox("add_to_roi_manager", true);
        gd.addCheckbox("overwrite", false);
        gd.addCheckbox("resume", false);
        gd.addMessage("resume: continue a stopped folder batch; images already in its scores.csv are not scored again.");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String model = gd.getNextString();
        String depthImage = gd.getNextChoice();
        String folder = gd.getNextString();
        String depthFolder = gd.getNextString();
        String out = gd.getNextString();
        String backbone = gd.getNextString();
        double falseAlarms = gd.getNextNumber();
        boolean toRoiManager = gd.getNextBoolean();
        boolean overwrite = gd.getNextBoolean();
        boolean resume = gd.getNextBoolean();
        PluginDialogs.remember("model_file", model);
        FijiProgress progress = new FijiProgress(() -> false);
        ResultsTable table = new ResultsTable();
        try {
            io.github.astfiji.fiji.EngineSettings.apply();
            if (PluginDialogs.file(folder) != null) {
                String summary = DetectAnomaliesCommand.detectFolder(PluginDialogs.file(model), PluginDialogs.file(folder),
                        PluginDialogs.file(depthFolder), PluginDialogs.file(out), PluginDialogs.file(backbone), overwrite, resume, table, progress,
                        falseAlarms);
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
