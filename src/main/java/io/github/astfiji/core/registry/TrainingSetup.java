package io.github.astfiji.core.registry;

import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.InputMode;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.score.ImageScoreRule;
import io.github.astfiji.core.score.ScoreStats;
import io.github.astfiji.core.tiling.Sizing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a user chose for a training, as every adapter (command line, Fiji dialogs and
 * commands) collects it, and the one place it becomes a method and its configuration. Unset
 * choices (null, blank, or 0 or less where noted) keep the preset's value.
 */
public final class TrainingSetup {

    /** Method identity; blank = the registry's default. */
    public String method;
    /** Preset name; blank = the method's first. */
    public String preset;
    /** 0 or less = the preset's. */
    public int epochs;
    public int imageSize;
    public String input = "rgb";
    /** m, mm or um. */
    public String depthUnit = "m";
    /** auto, mean, max or top; null = the preset's. */
    public String imageScore;
    /** Operating point in expected false alarms per 100 normal parts; null = the default (1). */
    public Double falseAlarmsPer100;
    /** Null (or below 0) = the preset's; 0 = hold out a share; k = k-fold scoring. */
    public Integer calibrationFolds;
    /** auto, resize, fit or tile; null = the preset's (a tile scale alone means tile). */
    public String sizing;
    public Float tileScale;
    public Float tileOverlap;
    public long seed;
    public boolean foregroundMask = true;
    /** The method's named switches, e.g. "no-positional". */
    public final List<String> flags = new ArrayList<>();
    /** Any stored setting, NAME=VALUE. */
    public final List<String> settings = new ArrayList<>();

    /** The chosen method; an unknown one is refused with the valid ones. */
    public Method method() {
        return Methods.get(method);
    }

    /** The chosen method's configuration. */
    public DetectorConfig config() {
        return config(method());
    }

    /** The configuration for a given method (evaluate applies one setup to several). */
    public DetectorConfig config(Method m) {
        DetectorConfig c = Methods.config(m, preset, epochs, imageSize);
        c.seed = seed;
        c.input = InputMode.parse(input == null ? "rgb" : input);
        if (imageScore != null) {
            try {
                c.imageScore = ImageScoreRule.valueOf(imageScore.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown image score '" + imageScore + "'; use " + ImageScoreRule.CHOICES);
            }
        }
        c.depthScale = DepthMap.metresPerUnit(depthUnit == null ? "m" : depthUnit);
        if (falseAlarmsPer100 != null) {
            c.targetFpr = targetFpr(falseAlarmsPer100);
        }
        if (calibrationFolds != null && calibrationFolds >= 0) {
            c.calibrationFolds = calibrationFolds;
        }
        if (sizing != null) {
            c.sizing = Sizing.parse(sizing);
        } else if (tileScale != null) {
            c.sizing = Sizing.TILE; // a working scale only means something for tiles
        }
        if (tileScale != null) {
            c.tileScale = tileScale;
        }
        if (tileOverlap != null) {
            c.tileOverlap = tileOverlap;
        }
        for (String flag : flags) {
            c = Methods.withFlag(m, c, flag);
        }
        c.foregroundMask = foregroundMask;
        c = Methods.withSettings(c, settings);
        c.validate();
        return c;
    }

    /** The operating point as a false-positive rate; refused outside (0, 50] per 100. */
    public static float targetFpr(double falseAlarmsPer100) {
        return (float) (ScoreStats.checkFalseAlarms(falseAlarmsPer100) / 100);
    }

    /**
     * The backbone to train with: the user's choice, else the preset's pretrained backbone
     * (the paper presets come with the papers' networks), else null (the method's built-in).
     */
    public static String backboneFor(Method m, DetectorConfig c, String backbone) {
        if (backbone != null && !backbone.isBlank()) {
            return backbone;
        }
        return c.input.usesImage() ? m.presetBackbone(c.preset) : null;
    }

    /**
     * A note when the preset was made for a backbone the user did not give (e.g. the paper
     * preset on the built-in one), or null.
     */
    public static String backboneNote(Method m, DetectorConfig c, String backbone) {
        String expected = m.presetBackbone(c.preset);
        boolean builtin = backbone != null && (backbone.equals("builtin") || backbone.startsWith("builtin:"));
        if (!builtin || expected == null || !c.input.usesImage()) {
            return null;
        }
        return "the " + c.preset + " preset of " + m.displayName() + " was made for the " + expected
                + " backbone; it runs with the built-in one instead, at the preset's size and length (slow, and not the paper's quality)";
    }
}
