package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.fiji.EvaluateCommand;
import io.github.astfiji.fiji.FijiProgress;

/** Plugins > Anomaly Detection > Evaluate (ImageJ 1 dialog; macro-recordable). */
public class EvaluatePlugin implements PlugIn {

    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Evaluate Anomaly Detection");
        gd.addDirectoryField("Dataset_folder", PluginDialogs.remembered("dataset_folder"), 40);
        gd.addStringField("Methods", Methods.defaultMethod().id(), 12);
        gd.addMessage("Methods: one or more of " + String.join(", ", Methods.ids()) + ", separated by commas (e.g. ast,rd)");
        gd.addChoice("Input", new String[] {"rgb", "depth", "rgb+depth"}, "rgb");
        gd.addChoice("Preset", PluginChoices.presets().toArray(new String[0]), PluginChoices.presets().get(0));
        gd.addFileField("Backbone_file", "", 40);
        gd.addNumericField("Epochs", 0, 0, 5, "(0 = as the preset says)");
        gd.addDirectoryField("Output_folder", "", 40);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String dataset = gd.getNextString();
        String methods = gd.getNextString();
        String input = gd.getNextChoice();
        String preset = gd.getNextChoice();
        String backbone = gd.getNextString();
        int epochs = (int) gd.getNextNumber();
        String out = gd.getNextString();
        PluginDialogs.remember("dataset_folder", dataset);
        ResultsTable table = new ResultsTable();
        try {
            io.github.astfiji.fiji.EngineSettings.apply();
            String md = EvaluateCommand.evaluate(PluginDialogs.file(dataset), methods, input, preset, PluginDialogs.file(backbone), epochs,
                    PluginDialogs.file(out), table, new FijiProgress(() -> false));
            IJ.log(md);
            table.show(EvaluateCommand.TABLE_TITLE);
        } catch (Exception e) {
            PluginDialogs.report("Evaluate", e);
        }
    }
}
