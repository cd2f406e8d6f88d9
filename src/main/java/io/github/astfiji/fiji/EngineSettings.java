package io.github.astfiji.fiji;

import ij.Prefs;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.weights.WeightsStore;

/** The device and threads Fiji users chose (Plugins > Anomaly Detection > Options), applied before each command's work. */
public final class EngineSettings {

    public static final String DEVICE_KEY = "ast_fiji.device";
    public static final String THREADS_KEY = "ast_fiji.threads";
    public static final String WEIGHTS_KEY = "ast_fiji.weights_folder";
    public static final String OFFLINE_KEY = "ast_fiji.never_download";
    public static final String ENGINE_FOLDER_KEY = "ast_fiji.engine_folder";
    /** DJL's setting for where PyTorch's native libraries are unpacked on first use. */
    static final String ENGINE_CACHE_PROPERTY = "ENGINE_CACHE_DIR";

    private EngineSettings() {
    }

    /** Checks and remembers a choice. */
    public static void save(String device, int threads) {
        Engines.configure(device, threads);
        Prefs.set(DEVICE_KEY, device);
        Prefs.set(THREADS_KEY, threads);
    }

    /**
     * Remembers where downloaded backbone weights go (blank: the standard folder, or AST_FIJI_WEIGHTS) and whether
     * downloads are allowed; replaces what was set for this session before (e.g. -Dastfiji.weights at start).
     */
    public static void saveWeights(String folder, boolean neverDownload) {
        Prefs.set(WEIGHTS_KEY, folder == null ? "" : folder.trim());
        Prefs.set(OFFLINE_KEY, neverDownload);
        System.clearProperty(WeightsStore.FOLDER_PROPERTY);
        System.clearProperty(WeightsStore.OFFLINE_PROPERTY);
        applyWeights();
    }

    /** A remembered choice is applied; without one, what was set otherwise (AST_FIJI_WEIGHTS, a script) stays. */
    private static void applyWeights() {
        String folder = Prefs.get(WEIGHTS_KEY, "");
        if (!folder.isBlank()) {
            System.setProperty(WeightsStore.FOLDER_PROPERTY, folder);
        }
        if (Prefs.get(OFFLINE_KEY, false)) {
            System.setProperty(WeightsStore.OFFLINE_PROPERTY, "true");
        }
    }

    /**
     * Remembers where PyTorch unpacks its libraries (about 450 MB on first use; blank: DJL's
     * default, ~/.djl.ai). Takes effect before the engine's first use, so after a restart when
     * the engine already ran in this session.
     */
    public static void saveEngineFolder(String folder) {
        Prefs.set(ENGINE_FOLDER_KEY, folder == null ? "" : folder.trim());
        applyEngineFolder();
    }

    private static void applyEngineFolder() {
        String folder = Prefs.get(ENGINE_FOLDER_KEY, "");
        if (!folder.isBlank() && System.getenv(ENGINE_CACHE_PROPERTY) == null) {
            System.setProperty(ENGINE_CACHE_PROPERTY, folder);
        }
    }

    /** Applies the remembered choice and says what the work will run on. */
    public static String apply() {
        // inside Fiji, folders hold whatever Fiji opens (Bio-Formats takes the formats ImageJ 1 does not)
        io.github.astfiji.io.ImageFiles.openWhatImageJOpens(true);
        applyWeights();
        applyEngineFolder();
        Engines.configure(Prefs.get(DEVICE_KEY, "auto"), (int) Prefs.get(THREADS_KEY, 0));
        return Engines.describe();
    }
}
