package io.github.astfiji.core.method;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;

import java.util.List;

/**
 * One student-teacher method (AST, Reverse Distillation, ...): what it is called, its
 * settings and presets, the backbone it expects, and how to build its networks. Each
 * method lives in its own package and is registered by one line in core.registry.Methods.
 */
public interface Method {

    /** Stable identity stored in model files and typed by users, e.g. "ast", "rd". */
    String id();

    /** Name for people, e.g. "Reverse Distillation". */
    String displayName();

    /** One line for people choosing a method (dialogs, --help), e.g. "a flow teacher and a CNN student". */
    default String description() {
        return displayName();
    }

    /** One line on a preset for --help and dialogs, e.g. "768 px, 240 epochs, the paper's MVTec AD setting". */
    default String presetDescription(String preset) {
        return "";
    }

    /**
     * The backbone a preset was made for when it is not the built-in one (e.g. an ImageNet
     * export such as "efficientnet_b5_block36.pt"), or null: training with a built-in
     * backbone then says so.
     */
    default String presetBackbone(String preset) {
        return null;
    }

    /**
     * Switches users can name for this method (command-line flags such as "no-positional"),
     * each standing for stored settings written NAME=VALUE (e.g. "positionalChannels=0").
     */
    default java.util.Map<String, List<String>> flags() {
        return java.util.Map.of();
    }

    /** What the one "epochs" number a user gives covers, e.g. "epochs per phase". */
    default String epochsHelp() {
        return "epochs";
    }

    /** How evaluate names this method's saved model of a category: category + suffix + ".ast". */
    default String modelFileSuffix() {
        return "-" + id();
    }

    /** The configuration class stored in model files (config.json). */
    Class<? extends DetectorConfig> configType();

    /** Preset names in menu order; the first is the default. */
    List<String> presets();

    /** The named preset's configuration; an unknown name is refused with the valid ones. */
    DetectorConfig preset(String name);

    /** Backbone used when the user names none (a built-in, so the method works offline). */
    String defaultBackbone();

    /**
     * The default backbone for training images of this kind: composites (two or more channels
     * that are not RGB colour: separate stains) may be better served by another built-in.
     */
    default String defaultBackbone(boolean composite) {
        return defaultBackbone();
    }

    /** Whether the maps come at the input's pixel resolution (else at the deepest feature grid). */
    default boolean pixelMaps() {
        return false;
    }

    /** Whether the method reads several feature scales (else only the backbone's deepest map is kept). */
    default boolean multiScale() {
        return false;
    }

    /**
     * Names of the maps the networks produce, primary first (its score gives verdicts);
     * later ones are baselines reported beside it (e.g. AST's teacher-only likelihood).
     * They key the score statistics in model files.
     */
    List<String> mapNames();

    /** Label of a map in tables, e.g. "AST", "teacher-only". */
    String mapLabel(int index);

    /**
     * Before training: refuses a configuration or backbone the method cannot work with,
     * saying what to use instead, and fills in settings that follow from its inputs (e.g.
     * the shape of a pretrained teacher).
     */
    void check(DetectorConfig config, Backbone backbone);

    /**
     * Builds freshly initialised (seeded) networks for inputs with the given channels per
     * feature scale (depth channels, when used, are part of the deepest scale).
     */
    MethodNetwork build(NDManager manager, DetectorConfig config, int[] inputChannels);
}
