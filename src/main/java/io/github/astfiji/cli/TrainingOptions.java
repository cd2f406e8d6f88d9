package io.github.astfiji.cli;

import io.github.astfiji.core.ImageScore;
import io.github.astfiji.core.InputMode;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.detector.DetectorConfig;
import io.github.astfiji.core.detector.Method;
import io.github.astfiji.core.detector.Methods;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The training settings shared by train and evaluate, for any method. */
final class TrainingOptions {

    @Option(names = "--preset", defaultValue = "cpu",
            description = "cpu (default); AST: paper-2d or paper-3d; RD and US: paper.")
    String preset;

    @Option(names = "--backbone", description = "TorchScript backbone file, or builtin:filter-bank / builtin:filter-pyramid / builtin:random-cnn. "
            + "Default: the method's built-in (AST: filter-bank, RD: filter-pyramid; US reads the image itself).")
    String backbone;

    @Option(names = "--epochs", description = "Training epochs (AST: per phase; overrides the preset).")
    Integer epochs;

    @Option(names = "--image-size", description = "Side length images are resized to (overrides the preset).")
    Integer imageSize;

    @Option(names = "--sizing", description = "How images become network inputs: auto (default: tile images more than twice the input "
            + "size, else fit), resize (stretch to a square), fit (keep the aspect ratio) or tile (overlapping tiles at --scale).")
    String sizing;

    @Option(names = "--scale", description = "Tiling: working pixels per image pixel (default 1 = full resolution; 0.5 = half).")
    Float scale;

    @Option(names = "--tile-overlap", description = "Tiling: share of a tile overlapping its neighbours when detecting (default 0.25).")
    Float tileOverlap;

    @Option(names = "--false-alarms", paramLabel = "N", description = "Operating point: expected false alarms per 100 normal parts "
            + "the image threshold is set for (default 1). Detect can change it later without retraining.")
    Double falseAlarms;

    @Option(names = "--calibration-folds", paramLabel = "K", description = "Thresholds from K-fold scoring of the normal images "
            + "(every image scored by a model that did not see it; K extra trainings) or 0 to hold out 20 %% instead. Default: the preset's.")
    Integer calibrationFolds;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default 0).")
    long seed;

    @Option(names = "--input", defaultValue = "rgb", description = "What the networks see: rgb (default), depth or rgb+depth (AST only).")
    String input;

    @Option(names = "--image-score", description = "How a map becomes the image score: auto, mean or max (default: the preset's).")
    String imageScore;

    @Option(names = "--depth-unit", defaultValue = "m", description = "Unit of the depth values: m (default, as in MVTec 3D-AD), mm or um.")
    String depthUnit;

    @Option(names = "--no-positional", description = "AST: switch off the positional encoding (ablation).")
    boolean noPositional;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Any stored setting of the method, for ablations, e.g. --set decoderBlocks=[3,4,6] --set widthFactor=2 (names as in the model's config.json).")
    java.util.List<String> settings = new java.util.ArrayList<>();

    @Option(names = "--no-foreground-mask", description = "Do not restrict losses and scores to the depth foreground (ablation).")
    boolean noForegroundMask;

    /** The method's preset with the user's overrides. */
    DetectorConfig config(Method method) {
        DetectorConfig c = Methods.config(method, preset, epochs == null ? 0 : epochs, imageSize == null ? 0 : imageSize);
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
        if (falseAlarms != null) {
            c.targetFpr = (float) (io.github.astfiji.core.ScoreStats.checkFalseAlarms(falseAlarms) / 100);
        }
        if (calibrationFolds != null) {
            c.calibrationFolds = calibrationFolds;
        }
        if (sizing != null) {
            c.sizing = sizing.trim().toLowerCase(Locale.ROOT);
        } else if (scale != null) {
            c.sizing = "tile"; // a working scale only means something for tiles
        }
        if (scale != null) {
            c.tileScale = scale;
        }
        if (tileOverlap != null) {
            c.tileOverlap = tileOverlap;
        }
        if (noPositional) {
            if (!(c instanceof AstConfig)) {
                throw new IllegalArgumentException("--no-positional is an AST setting; " + method.displayName() + " has no positional encoding");
            }
            ((AstConfig) c).positionalChannels = 0;
        }
        c.foregroundMask = !noForegroundMask;
        c = Methods.withSettings(c, settings);
        if (backbone == null && !c.preset.equals("cpu") && c.input.usesImage()) {
            System.err.println("Note: the " + c.preset + " preset expects an ImageNet backbone (AST: efficientnet_b5_block36.pt, "
                    + "RD: wide_resnet50_2_layers123.pt; scripts/export_backbone.py); using the built-in one.");
        }
        return c;
    }
}
