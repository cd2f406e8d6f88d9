package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.ImageBackbone;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.tiling.Sizing;

import java.util.List;
import java.util.Locale;

/**
 * EfficientAD (Batzner, Heckler, König, WACV 2024): a small pretrained patch description
 * network as teacher, a student of the same shape, and an autoencoder for defects of
 * arrangement; fast enough for thousands of images a day on a laptop.
 */
public final class EfficientAdMethod implements Method {

    @Override
    public String id() {
        return "efficientad";
    }

    @Override
    public String displayName() {
        return "EfficientAD";
    }

    @Override
    public String description() {
        return "EfficientAD (Batzner et al. 2024): a small patch network as teacher, its student and an autoencoder for misplaced parts";
    }

    @Override
    public String presetDescription(String preset) {
        return (preset.equals("paper") ? "the paper's setting: 256 px, PDN-S, 70 000 steps"
                : "for a CPU: " + CPU_SIZE + " px, PDN-S, " + CPU_STEPS + " steps")
;
    }

    @Override
    public String epochsHelp() {
        return "optimiser steps (one image each)";
    }

    @Override
    public Class<? extends DetectorConfig> configType() {
        return EfficientAdConfig.class;
    }

    @Override
    public List<String> presets() {
        return List.of("cpu", "paper");
    }

    static final int CPU_SIZE = 128;
    static final int CPU_STEPS = 1000;

    /**
     * "paper": the paper's settings (256 px, PDN-S, 70 000 steps of batch 1). "cpu" (chosen
     * by measurement, BENCHMARKS.md): 128 px and 1000 steps (2000 gained under a point on the fluorescence set).
     */
    @Override
    public EfficientAdConfig preset(String name) {
        EfficientAdConfig c = new EfficientAdConfig();
        c.sizing = Sizing.AUTO;
        switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "paper":
                c.preset = "paper";
                return c;
            case "cpu":
                c.preset = "cpu";
                c.imageSize = CPU_SIZE;
                c.steps = CPU_STEPS;
                c.calibrationFolds = 0;
                return c;
            default:
                throw new IllegalArgumentException("unknown preset '" + name + "' for EfficientAD; use one of cpu, paper");
        }
    }

    @Override
    public String defaultBackbone() {
        return ImageBackbone.ID;
    }

    @Override
    public boolean pixelMaps() {
        return true;
    }

    @Override
    public List<String> mapNames() {
        return List.of("EfficientAD", "student-teacher");
    }

    @Override
    public String mapLabel(int index) {
        return index == 0 ? "EfficientAD" : "student-teacher only";
    }

    /** Reads the teacher's shape into the settings, so the student matches it and the model needs no teacher file later. */
    @Override
    public void check(DetectorConfig config, Backbone backbone) {
        EfficientAdConfig c = (EfficientAdConfig) config;
        if (config.input.usesDepth()) {
            throw new IllegalArgumentException("EfficientAD reads images only (input rgb); for depth use the AST method");
        }
        if (!(backbone instanceof ImageBackbone)) {
            throw new IllegalArgumentException("EfficientAD reads the image itself through its own teacher network, not a backbone's features ("
                    + backbone.id() + "); leave the backbone out. To distil a teacher from a network, use make-pdn-teacher --backbone");
        }
        PdnTeacher teacher = PdnTeacher.forSettings(c);
        if (!teacher.info.modelSize.equals(c.modelSize)) {
            throw new IllegalArgumentException("the EfficientAD teacher " + c.teacher + " is a PDN " + teacher.info.modelSize
                    + ", the settings ask for " + c.modelSize + "; give a " + c.modelSize + " teacher (make-pdn-teacher --size "
                    + c.modelSize + ") or leave the model size at " + teacher.info.modelSize);
        }
        c.widthFactor = teacher.info.widthFactor;
        c.teacherChannels = teacher.info.channels;
        c.teacherSha256 = teacher.sha256;
        c.checkedTeacher = teacher;
    }

    @Override
    public MethodNetwork build(NDManager manager, DetectorConfig config, int[] inputChannels) {
        return new EfficientAdNetwork(manager, (EfficientAdConfig) config);
    }
}
