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
        // Labels use '_' where words part: ImageJ shows it as a space, and the macro key stays
        // the label in lower case (training_folder=...), as recorded macros have always had it.
        gd.addMessage("Train on defect-free images: a folder, or the open image or stack when the folder is left empty\n"
                + "(each plane one image, its channels together). Masks (same file names; white = inspect) or the open image's\n"
                + "selection limit what is learned to their inside.\nMethods:\n"
                + Methods.describeIds());
        gd.addChoice("Method", PluginChoices.methods().toArray(new String[0]), PluginChoices.methods().get(0));
        gd.addDirectoryField("Training_folder", PluginDialogs.remembered("training_folder"), 40);
        gd.addDirectoryField("Mask_folder", "", 40);
        String firstMethod = PluginChoices.methods().get(0);
        gd.addChoice("Preset", PluginChoices.presets().toArray(new String[0]), PluginChoices.presets(firstMethod).get(0));
        gd.addChoice("Backbone", io.github.astfiji.fiji.BackboneChoice.all(), io.github.astfiji.fiji.BackboneChoice.PRESET);
        gd.addFileField("Backbone_file", "", 40);
        gd.addNumericField("Epochs", 0, 0, 5, "(0 = as the preset says)");
        gd.addNumericField("Image_size", 0, 0, 5, "pixels (0 = as the preset says)");
        gd.addNumericField("False_alarms_per_100", 1, 2, 6, "expected per 100 normal images");
        gd.addNumericField("Calibration_folds", -1, 0, 4, "(-1 = as the preset says, 0 = hold out 20 % of the images)");
        gd.addFileField("Model_file", "", 40);
        gd.addCheckbox("Overwrite", false);
        gd.addMessage("Depth (only for RGB-D or depth images; otherwise leave these as they are):");
        gd.addChoice("Input", new String[] {"rgb", "depth", "rgb+depth"}, "rgb");
        gd.addChoice("Depth_image", DepthInputs.choices(), DepthInputs.NONE);
        gd.addDirectoryField("Depth_folder", "", 40);
        gd.addChoice("Depth_unit", new String[] {"m", "mm", "um"}, "m");
        gd.addMessage("Esc cancels training; the previous model file is then left as it was.");
        offerPresetsOfTheChosenMethod(gd);
        if (PluginDialogs.interactive(gd)) {
            // the depth fields matter only once a depth input is chosen
            java.awt.Choice input = (java.awt.Choice) gd.getChoices().get(3);
            PluginDialogs.enableWhen(input, item -> !item.equals("rgb"), (java.awt.Component) gd.getChoices().get(4),
                    (java.awt.Component) gd.getChoices().get(5), (java.awt.Component) gd.getStringFields().get(4));
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String method = gd.getNextChoice();
        String folder = gd.getNextString();
        String maskFolder = gd.getNextString();
        String preset = gd.getNextChoice();
        String backboneChoice = gd.getNextChoice();
        String backbone = gd.getNextString();
        int epochs = (int) gd.getNextNumber();
        int size = (int) gd.getNextNumber();
        double falseAlarms = gd.getNextNumber();
        int folds = (int) gd.getNextNumber();
        String model = gd.getNextString();
        boolean overwrite = gd.getNextBoolean();
        String input = gd.getNextChoice();
        String depthImage = gd.getNextChoice();
        String depthFolder = gd.getNextString();
        String depthUnit = gd.getNextChoice();
        PluginDialogs.remember("training_folder", folder);
        try {
            io.github.astfiji.fiji.EngineSettings.apply();
            String summary = TrainDetectorCommand.train(method, PluginDialogs.file(folder), PluginDialogs.file(folder) == null ? open : null,
                    PluginDialogs.file(depthFolder), DepthInputs.byTitle(depthImage), input, depthUnit, preset,
                    io.github.astfiji.fiji.BackboneChoice.spec(backboneChoice, PluginDialogs.file(backbone)), epochs, size, PluginDialogs.file(model), overwrite, new FijiProgress(() -> false), falseAlarms, folds, PluginDialogs.file(maskFolder));
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
        if (!PluginDialogs.interactive(gd)) {
            return;
        }
        java.awt.Choice method = (java.awt.Choice) gd.getChoices().get(0);
        java.awt.Choice preset = (java.awt.Choice) gd.getChoices().get(1);
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
