package io.github.astfiji.fiji;

import ij.Prefs;
import io.github.astfiji.core.engine.Engines;

/** The device and threads Fiji users chose (Plugins > Anomaly Detection > Options), applied before each command's work. */
public final class EngineSettings {

    public static final String DEVICE_KEY = "ast_fiji.device";
    public static final String THREADS_KEY = "ast_fiji.threads";

    private EngineSettings() {
    }

    /** Checks and remembers a choice. */
    public static void save(String device, int threads) {
        Engines.configure(device, threads);
        Prefs.set(DEVICE_KEY, device);
        Prefs.set(THREADS_KEY, threads);
    }

    /** Applies the remembered choice and says what the work will run on. */
    public static String apply() {
        Engines.configure(Prefs.get(DEVICE_KEY, "auto"), (int) Prefs.get(THREADS_KEY, 0));
        return Engines.describe();
    }
}
