package io.github.astfiji.fiji.gate;

import ij.IJ;
import ij.plugin.PlugIn;

/**
 * The menu entries' first stop, compiled for Java 8 (unlike the rest of the plugin, which
 * needs Java 17): on an older Java it says so in words, where the plugin's own classes would
 * only fail with "UnsupportedClassVersionError"; otherwise it runs the entry's plugin, named
 * by the argument in plugins.config.
 */
public class JavaGate implements PlugIn {

    static final int NEEDED = 17;

    @Override
    public void run(String pluginClass) {
        String problem = problem(System.getProperty("java.specification.version"));
        if (problem != null) {
            IJ.error("Anomaly Detection", problem);
            return;
        }
        try {
            Object plugin = Class.forName(pluginClass).getDeclaredConstructor().newInstance();
            ((PlugIn) plugin).run("");
        } catch (ReflectiveOperationException | LinkageError e) {
            IJ.error("Anomaly Detection", "The plugin is incomplete (" + e + "). Install it again from its update site or zip.");
        }
    }

    /** What stops the plugin on this Java ("1.8", "11", "17", ...), or null when it can run. */
    static String problem(String specificationVersion) {
        int feature;
        try {
            String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
            feature = Integer.parseInt(v.split("\\.")[0]);
        } catch (RuntimeException e) {
            return null; // an unknown form: let the plugin try
        }
        if (feature >= NEEDED) {
            return null;
        }
        return "Anomaly Detection needs Java " + NEEDED + " or newer, but this Fiji runs on Java " + feature + ".\n"
                + "Download a current Fiji from https://fiji.sc (it brings its own Java 21), or start this one with a newer\n"
                + "Java, then install the plugin there.";
    }
}
