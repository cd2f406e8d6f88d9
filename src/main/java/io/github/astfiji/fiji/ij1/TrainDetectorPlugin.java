package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.fiji.DepthInputs;
import io.github.astfiji.fiji.FijiProgress;
import io.github.astfiji.fiji.TrainDetectorCommand;

import java.util.List;

/** Plugins > Anomaly Detection > Train AST (ImageJ 1 dialog; macro-recordable), for every method. */
public class TrainDetectorPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        ImagePlus open = WindowManager.getCurrentImage();
        GenericDialog gd = new GenericDialog("Train AST");
        gd.addMessage("Train on defect-free images: a folder, or the open image/stack if the folder is empty.\nMethods:\n"
                + Methods.describeIds());
        gd.addChoice("method", PluginChoices.methods().toArray(new String[0]), PluginChoices.methods().get(0));
        gd.addDirectoryField("training_folder", PluginDialogs.remembered("training_folder"), 40);
        gd.addDirectoryField("depth_folder", "", 40);
        gd.addChoice("depth_image", DepthInputs.choices(), DepthInputs.NONE);
        gd.addChoice("input", new String[] {"rgb", "depth", "rgb+depth"}, "rgb");
        gd.addChoice("depth_unit", new String[] {"m", "mm", "um"}, "m");
        String firstMethod = PluginChoices.methods().get(0);
        gd.addChoice("preset", PluginChoices.presets().toArray(new String[0]), PluginChoices.presets(firstMethod).get(0));
        gd.addChoice("backbone", io.github.astfiji.fiji.BackboneChoice.all(), io.github.astfiji.fiji.BackboneChoice.PRESET);
        gd.addFileField("backbone_file", "", 40);
        gd.addNumericField("epochs", 0, 0, 5, "(0 = preset)");
        gd.addNumericField("image_size", 0, 0, 5, "px (0 = preset)");
        gd.addNumericField("false_alarms_per_100", 1, 2, 6, "expected per 100 normal parts");
        gd.addNumericField("calibration_folds", -1, 0, 4, "(-1 = preset, 0 = hold out 20 %)");
        gd.addFileField("model_file", "", 40);
        gd.addCheckbox("overwrite", false);
        gd.addMessage("Esc cancels training; the previous model file is then left as it was.");
        offerPresetsOfTheChosenMethod(gd);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String method = gd.getNextChoice();
        String folder = gd.getNextString();
        String depthFolder = gd.getNextString();
        String depthImage = gd.getNextChoice();
        String input = gd.getNextChoice();
        String depthUnit = gd.getNextChoice();
        String preset = gd.getNextChoice();
        String backboneChoice = gd.getNextChoice();
        String backbone = gd.getNextString();
        int epochs = (int) gd.getNextNumber();
        int size = (int) gd.getNextNumber();
        double falseAlarms = gd.getNextNumber();
        int folds = (int) gd.getNextNumber();
        String model = gd.getNextString();
        boolean overwrite = gd.getNextBoolean();
        PluginDialogs.remember("training_folder", folder);
        try {
            io.github.astfiji.fiji.EngineSettings.apply();
            String summary = TrainDetectorCommand.train(method, PluginDialogs.file(folder), PluginDialogs.file(folder) == null ? open : null,
                    PluginDialogs.file(depthFolder), DepthInputs.byTitle(depthImage), input, depthUnit, preset,
                    io.github.astfiji.fiji.BackboneChoice.spec(backboneChoice, PluginDialogs.file(backbone)), epochs, size, PluginDialogs.file(model), overwrite, new FijiProgress(() -> false), falseAlarms, folds);
            IJ.log(summary);
            TrainDetectorCommand.showScorePlot(PluginDialogs.file(model));
            IJ.showStatus("Train AST: done");
        } catch (Exception e) {
            PluginDialogs.report("Train AST", e);
        }
    }

    /**
     * The preset list shows the chosen method's presets only, updated when the method changes
     * (a macro may still name any preset; a preset of another method is refused with the valid ones).
     */
    static void offerPresetsOfTheChosenMethod(GenericDialog gd) {
        // a macro's values are checked against the lists as built: there every preset stays offered
        if (gd.getChoices() == null || gd.getChoices().size() < 5 || java.awt.GraphicsEnvironment.isHeadless()
                || ij.Macro.getOptions() != null) {
            return;
        }
        java.awt.Choice method = (java.awt.Choice) gd.getChoices().get(0);
        java.awt.Choice preset = (java.awt.Choice) gd.getChoices().get(4);
        Runnable fill = () -> {
            String was = preset.getSelectedItem();
            preset.removeAll();
            List<String> presets = PluginChoices.presets(method.getSelectedItem());
            presets.forEach(preset::add);
            preset.select(presets.contains(was) ? was : presets.get(0));
        };
        fill.run();
        method.addItemListener(e -> fill.run());
    }
}
