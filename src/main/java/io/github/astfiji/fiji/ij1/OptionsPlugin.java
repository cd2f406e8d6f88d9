package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import io.github.astfiji.fiji.EngineSettings;

/**
 * Plugins > Anomaly Detection > Options: the device (auto, cpu, gpu, gpu:N) and the CPU
 * threads every anomaly-detection command of this ImageJ uses; remembered in ImageJ's
 * preferences, and macro-recordable.
 */
public class OptionsPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Anomaly Detection Options");
        gd.addStringField("device", Prefs.get(EngineSettings.DEVICE_KEY, "auto"), 10);
        gd.addNumericField("threads", Prefs.get(EngineSettings.THREADS_KEY, 0), 0, 4, "(0 = one per core; 1 on a shared machine)");
        gd.addMessage("device: auto (a GPU when PyTorch sees one), cpu, gpu or gpu:N");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String device = gd.getNextString().trim();
        int threads = (int) gd.getNextNumber();
        try {
            EngineSettings.save(device, threads);
            IJ.log("Anomaly Detection: computing on " + EngineSettings.apply());
        } catch (RuntimeException e) {
            PluginDialogs.report("Anomaly Detection Options", e);
        }
    }
}
