package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;

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
    public String description() {
        return "Asymmetric Student-Teacher (Rudolph et al. 2023): a normalizing-flow teacher and a CNN student; reads depth too";
    }

    @Override
    public String presetDescription(String preset) {
        switch (Preset.fromName(preset)) {
            case PAPER_2D:
                return "the paper's MVTec AD setting: 768 px, flow 1024 wide, student 4 x 1024, 240 + 240 epochs";
            case PAPER_3D:
                return "the paper's MVTec 3D-AD setting: 768 px, flow 64 wide, student 4 x 1024, 72 + 72 epochs";
            default:
                return "for a CPU: 192 px, built-in filter bank with sharpness (per-channel sharpness on composites), flow 64 wide, "
                        + "student 2 x 128, 40 + 40 epochs";
        }
    }

    @Override
    public String presetBackbone(String preset) {
        return Preset.fromName(preset) == Preset.CPU ? null : "efficientnet-b5";
    }

    @Override
    public java.util.Map<String, List<String>> flags() {
        return java.util.Map.of("no-positional", List.of("positionalChannels=0"));
    }

    @Override
    public String epochsHelp() {
        return "epochs per phase (flow and student each)";
    }

    /** AST's models keep the names of the versions before the method family: category.ast. */
    @Override
    public String modelFileSuffix() {
        return "";
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

    /** Composites: the per-channel sharpness measures without the luminance bank (BENCHMARKS.md, issue 22). */
    @Override
    public String defaultBackbone(boolean composite) {
        return composite ? Backbones.DEFAULT_COMPOSITE : Backbones.DEFAULT_BUILTIN;
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
