package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import io.github.astfiji.core.weights.WeightsStore;
import io.github.astfiji.fiji.EngineSettings;

/**
 * Plugins > Anomaly Detection > Options: the device (auto, cpu, gpu, gpu:N) and the CPU
 * threads every anomaly-detection command of this ImageJ uses; remembered in ImageJ's
 * preferences, and macro-recordable; also where downloaded backbone weights are kept.
 */
public class OptionsPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Anomaly Detection Options");
        gd.addStringField("Device", Prefs.get(EngineSettings.DEVICE_KEY, "auto"), 10);
        gd.addNumericField("Threads", Prefs.get(EngineSettings.THREADS_KEY, 0), 0, 4, "(0 = one per core; 1 on a shared machine)");
        gd.addMessage("Device: auto (a GPU when PyTorch sees one), cpu, gpu or gpu:N");
        gd.addDirectoryField("Weights_folder", Prefs.get(EngineSettings.WEIGHTS_KEY, ""), 40);
        gd.addMessage("Where ImageNet backbone weights are kept once downloaded (47-138 MB each). Empty: "
                + WeightsStore.defaultFolder() + ".\nWithout internet, "
                + "copy the files there by hand (README, section Backbones).");
        gd.addCheckbox("Never_download", Prefs.get(EngineSettings.OFFLINE_KEY, false));
        gd.addDirectoryField("Engine_folder", Prefs.get(EngineSettings.ENGINE_FOLDER_KEY, ""), 40);
        gd.addMessage("Where PyTorch unpacks its libraries on first use (about 450 MB). Empty: .djl.ai in your home folder.\n"
                + "Choose a folder with space where home folders have quotas; a change applies after restarting Fiji.");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String device = gd.getNextString().trim();
        int threads = (int) gd.getNextNumber();
        String weights = gd.getNextString();
        boolean neverDownload = gd.getNextBoolean();
        String engineFolder = gd.getNextString();
        try {
            EngineSettings.saveEngineFolder(engineFolder); // before anything loads the engine
            EngineSettings.saveWeights(weights, neverDownload);
            EngineSettings.save(device, threads);
            IJ.log("Anomaly Detection: computing on " + EngineSettings.apply());
        } catch (RuntimeException e) {
            PluginDialogs.report("Anomaly Detection Options", e);
        }
    }
}
