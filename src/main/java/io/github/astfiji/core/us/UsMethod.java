package io.github.astfiji.core.us;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.ImageBackbone;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.tiling.Sizing;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Uninformed Students (Bergmann, Fauser, Sattlegger, Steger, CVPR 2020): descriptive
 * teachers pretrained once on natural image patches, and per patch size an ensemble of
 * students that regress them on normal images; anomalies are where the students miss
 * the teacher or disagree with each other.
 */
public final class UsMethod implements Method {

    @Override
    public String id() {
        return "us";
    }

    @Override
    public String displayName() {
        return "Uninformed Students";
    }

    @Override
    public String description() {
        return "Uninformed Students (Bergmann et al. 2020): patch teachers and ensembles of students that regress them";
    }

    @Override
    public String presetDescription(String preset) {
        return preset.equals("paper") ? "the paper's setting: 256 px, patch sizes 17, 33, 65, 100 epochs"
                : "for a CPU: 128 px, patch sizes 33 and 65, 40 epochs on random crops";
    }

    @Override
    public Class<? extends DetectorConfig> configType() {
        return UsConfig.class;
    }

    @Override
    public List<String> presets() {
        return List.of("cpu", "paper");
    }

    /**
     * "paper": 256 px, patch sizes 17, 33, 65, 3 students each, 100 epochs, batch 1,
     * Adam 1e-4 with weight decay 1e-5. "cpu" (chosen by measurement, BENCHMARKS.md):
     * 128 px, patch sizes 33 and 65, 3 students each, 40 epochs of random 64 px crops in
     * batches of 4, Adam 1e-3.
     */
    @Override
    public UsConfig preset(String name) {
        UsConfig c = new UsConfig();
        c.sizing = Sizing.AUTO;
        switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "paper":
                c.preset = "paper";
                return c;
            case "cpu":
                c.preset = "cpu";
                c.imageSize = 128;
                c.patchSizes = new int[] {33, 65};
                c.batchSize = 4;
                c.cropSize = 64;
                c.epochs = 40;
                c.learningRate = 1e-3f;
                // k-fold thresholds would multiply a training of minutes: held-out images instead
                c.calibrationFolds = 0;
                return c;
            default:
                throw new IllegalArgumentException("unknown preset '" + name + "' for Uninformed Students; use one of cpu, paper");
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
        return List.of("US");
    }

    @Override
    public String mapLabel(int index) {
        return "US";
    }

    /** Reads the teacher's shape into the settings, so students match it and the model needs no teacher file later. */
    @Override
    public void check(DetectorConfig config, Backbone backbone) {
        UsConfig c = (UsConfig) config;
        if (config.input.usesDepth()) {
            throw new IllegalArgumentException("Uninformed Students reads images only (input rgb); for depth use the AST method");
        }
        if (!(backbone instanceof ImageBackbone)) {
            throw new IllegalArgumentException("Uninformed Students reads the image itself, not a backbone's features ("
                    + backbone.id() + "); leave the backbone out. To distil its teacher from a network, use make-us-teacher --backbone");
        }
        UsTeacher teacher;
        try {
            teacher = UsTeacher.load(c.teacher);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        for (int p : c.patchSizes) {
            if (!teacher.has(p)) {
                throw new IllegalArgumentException("the teacher " + c.teacher + " has patch sizes " + Arrays.toString(teacher.info.patchSizes)
                        + ", not " + p + "; choose patchSizes among those");
            }
        }
        c.widthFactor = teacher.info.widthFactor;
        c.descriptorDim = teacher.info.descriptorDim;
        c.teacherSha256 = teacher.sha256;
    }

    @Override
    public MethodNetwork build(NDManager manager, DetectorConfig config, int[] inputChannels) {
        return new UsNetwork(manager, (UsConfig) config);
    }
}
