package io.github.astfiji.core.ast;

import io.github.astfiji.core.score.ImageScoreRule;
import io.github.astfiji.core.tiling.Sizing;

import java.util.Locale;

/**
 * Named starting configurations. PAPER_2D and PAPER_3D are the paper's MVTec AD and
 * MVTec 3D-AD settings (768 px, EfficientNet-B5 features); CPU trades width, depth of
 * the student and resolution for speed on a 2-core machine without a GPU.
 */
public enum Preset {
    /**
     * 192 px (a 24x24 feature grid, like the paper's), built-in backbone, flow width 64,
     * student 2 blocks x 128, 40+40 epochs at learning rate 1e-3 (few images give few steps),
     * max image score (with the built-in backbone it separated defects better than the mean
     * on the brick, gravel and grass photo sets; BENCHMARKS.md), the top 5 % mean on
     * composites (faint defocus over many cells; the fluorescence set).
     */
    CPU,
    /** MVTec AD: flow hidden 1024, alpha 3, 240 epochs, student 4 x 1024. */
    PAPER_2D,
    /** MVTec 3D-AD: flow hidden 64, alpha 1.9, 72 epochs, student 4 x 1024. */
    PAPER_3D;

    public AstConfig config() {
        AstConfig c = new AstConfig();
        c.preset = cliName();
        c.sizing = Sizing.AUTO;
        switch (this) {
            case PAPER_2D:
                c.imageSize = 768; // paper
                c.flowHidden = 1024;
                c.clampAlpha = 3f;
                c.teacherEpochs = 240;
                c.studentEpochs = 240;
                c.studentHidden = 1024;
                c.studentBlocks = 4;
                break;
            case PAPER_3D:
                c.imageSize = 768; // paper
                c.flowHidden = 64;
                c.clampAlpha = 1.9f;
                c.teacherEpochs = 72;
                c.studentEpochs = 72;
                c.studentHidden = 1024;
                c.studentBlocks = 4;
                break;
            default:
                // thresholds from a 20 % hold-out: 5-fold scoring was measured (BENCHMARKS.md,
                // Verdicts) and kept no better verdicts for six times the training
                c.calibrationFolds = 0;
                c.learningRate = 1e-3f;
                c.imageScore = ImageScoreRule.BY_IMAGE_KIND;
                c.teacherEpochs = 40;
                c.studentEpochs = 40;
                break;
        }
        return c;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The names users type or pick, in menu order. */
    public static String[] names() {
        Preset[] all = values();
        String[] out = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = all[i].cliName();
        }
        return out;
    }

    public static Preset fromName(String name) {
        for (Preset p : values()) {
            if (p.cliName().equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; use one of cpu, paper-2d, paper-3d");
    }
}
