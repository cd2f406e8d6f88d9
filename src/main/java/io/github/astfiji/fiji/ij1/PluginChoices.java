package io.github.astfiji.fiji.ij1;

import io.github.astfiji.core.registry.Methods;

import java.util.List;

/** The choices the ImageJ 1 dialogs offer, read from the method registry (never written here). */
public final class PluginChoices {

    private PluginChoices() {
    }

    /** Method identities in menu order; the first is the default. */
    public static List<String> methods() {
        return Methods.ids();
    }

    /** One method's presets, its default first. */
    public static List<String> presets(String methodId) {
        return Methods.get(methodId).presets();
    }

    /** Every method's presets, each once, in menu order. */
    public static List<String> presets() {
        return Methods.presetNames();
    }
}
