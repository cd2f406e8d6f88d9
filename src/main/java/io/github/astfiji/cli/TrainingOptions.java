package io.github.astfiji.cli;

import io.github.astfiji.core.ImageScore;
import io.github.astfiji.core.InputMode;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.ast.Preset;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The training settings shared by train and evaluate. */
final class TrainingOptions {

    @Option(names = "--preset", defaultValue = "cpu", description = "cpu (default), paper-2d or paper-3d.")
    String preset;

    @Option(names = "--backbone", description = "TorchScript backbone file, or builtin:random-cnn / builtin:filter-bank. Default: built-in.")
    String backbone;

    @Option(names = "--epochs", description = "Epochs for teacher and student each (overrides the preset).")
    Integer epochs;

    @Option(names = "--image-size", description = "Side length images are resized to (overrides the preset).")
    Integer imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default 0).")
    long seed;

    @Option(names = "--input", defaultValue = "rgb", description = "What the networks see: rgb (default), depth or rgb+depth.")
    String input;

    @Option(names = "--image-score", description = "How a map becomes the image score: auto, mean or max (default: the preset's).")
    String imageScore;

    @Option(names = "--depth-unit", defaultValue = "m", description = "Unit of the depth values: m (default, as in MVTec 3D-AD), mm or um.")
    String depthUnit;

    @Option(names = "--no-positional", description = "Switch off the positional encoding (ablation).")
    boolean noPositional;

    @Option(names = "--no-foreground-mask", description = "Do not restrict losses and scores to the depth foreground (ablation).")
    boolean noForegroundMask;

    AstConfig config() {
        Preset p = Preset.fromName(preset);
        AstConfig c = p.config(epochs == null ? 0 : epochs, imageSize == null ? 0 : imageSize);
        c.seed = seed;
        c.input = InputMode.parse(input);
        if (imageScore != null) {
            try {
                c.imageScore = ImageScore.valueOf(imageScore.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --image-score '" + imageScore + "'; use auto, mean or max");
            }
        }
        c.depthScale = DepthMap.metresPerUnit(depthUnit);
        if (noPositional) {
            c.positionalChannels = 0;
        }
        c.foregroundMask = !noForegroundMask;
        if (backbone == null && p != Preset.CPU && c.input.usesImage()) {
            System.err.println("Note: the " + preset + " preset expects an ImageNet backbone (--backbone efficientnet_b5_block36.pt); using the built-in one.");
        }
        return c;
    }
}
