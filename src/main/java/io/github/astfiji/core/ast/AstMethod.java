package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.detector.DetectorConfig;
import io.github.astfiji.core.detector.Method;
import io.github.astfiji.core.detector.MethodNetwork;

import java.util.Arrays;
import java.util.List;

/** Asymmetric Student-Teacher networks (Rudolph et al., WACV 2023): a normalizing-flow teacher and a CNN student. */
public final class AstMethod implements Method {

    @Override
    public String id() {
        return "ast";
    }

    @Override
    public String displayName() {
        return "AST";
    }

    @Override
    public Class<? extends DetectorConfig> configType() {
        return AstConfig.class;
    }

    @Override
    public List<String> presets() {
        return Arrays.asList(Preset.names());
    }

    @Override
    public AstConfig preset(String name) {
        return Preset.fromName(name).config();
    }

    @Override
    public String defaultBackbone() {
        return Backbones.DEFAULT_BUILTIN;
    }

    /** Keys kept from format 1, so older model files keep their statistics. */
    @Override
    public List<String> mapNames() {
        return List.of("AST", "TEACHER_NLL");
    }

    @Override
    public String mapLabel(int index) {
        return index == 0 ? "AST" : "teacher-only";
    }

    @Override
    public void check(DetectorConfig config, Backbone backbone) {
        // any backbone works: AST reads its deepest feature map
    }

    @Override
    public MethodNetwork build(NDManager manager, DetectorConfig config, int[] inputChannels) {
        return new AstNetwork(manager, (AstConfig) config, inputChannels[inputChannels.length - 1]);
    }
}
