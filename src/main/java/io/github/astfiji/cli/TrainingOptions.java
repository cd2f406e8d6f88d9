package io.github.astfiji.cli;

import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.TrainingSetup;
import picocli.CommandLine.Option;


/** The training settings shared by train and evaluate, for any method. */
final class TrainingOptions {

    @Option(names = "--preset", description = "The method's preset (default: its first; the list is below).")
    String preset;

    @Option(names = "--backbone", description = "efficientnet-b5, wide-resnet50-2, resnet18 (ImageNet weights from torchvision, "
            + "downloaded once into the weights folder), that file itself (an offline computer), NAME=FILE (other weights of "
            + "one of those networks), a TorchScript file, or builtin / builtin:filter-bank-sharpness / builtin:channel-sharpness / builtin:filter-bank / "
            + "builtin:filter-pyramid. Default: the preset's (the paper presets: the paper's network), else the method's built-in "
            + "one (AST: builtin:channel-sharpness on multi-channel composites, builtin:filter-bank-sharpness otherwise).")
    String backbone;

    @Option(names = "--epochs", description = "Training length in epochs (what it covers per method is below; overrides the preset).")
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

    @Option(names = "--input", defaultValue = "rgb", description = "What the networks see: rgb (default), depth or rgb+depth (methods that read depth).")
    String input;

    @Option(names = "--image-score", description = "How a map becomes the image score: auto, mean, max or top (the mean of the highest 5 %% of the map) "
            + "(default: the preset's; AST's cpu preset takes top on multi-channel composites, max otherwise).")
    String imageScore;

    @Option(names = "--depth-unit", defaultValue = "m", description = "Unit of the depth values: m (default, as in MVTec 3D-AD), mm or um.")
    String depthUnit;

    @Option(names = "--no-positional", description = "Switch off the positional encoding (ablation; for methods that have one).")
    boolean noPositional;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Any stored setting of the method, for ablations, e.g. --set decoderBlocks=[3,4,6] --set widthFactor=2 (names as in the model's config.json).")
    java.util.List<String> settings = new java.util.ArrayList<>();

    @Option(names = "--no-foreground-mask", description = "Do not restrict losses and scores to the depth foreground (ablation).")
    boolean noForegroundMask;

    /** The user's choices, as the core turns them into a configuration. */
    TrainingSetup setup(String methodId) {
        TrainingSetup t = new TrainingSetup();
        t.method = methodId;
        t.preset = preset;
        t.epochs = epochs == null ? 0 : epochs;
        t.imageSize = imageSize == null ? 0 : imageSize;
        t.seed = seed;
        t.input = input;
        t.imageScore = imageScore;
        t.depthUnit = depthUnit;
        t.falseAlarmsPer100 = falseAlarms;
        t.calibrationFolds = calibrationFolds;
        t.sizing = sizing;
        t.tileScale = scale;
        t.tileOverlap = tileOverlap;
        if (noPositional) {
            t.flags.add("no-positional");
        }
        t.foregroundMask = !noForegroundMask;
        t.settings.addAll(settings);
        return t;
    }

    /** The method's preset with the user's overrides; says so when the preset expects another backbone. */
    DetectorConfig config(Method method) {
        DetectorConfig c = setup(method.id()).config(method);
        String note = TrainingSetup.backboneNote(method, c, backbone);
        if (note != null) {
            System.err.println("Note: " + note + ".");
        }
        return c;
    }
}
