package io.github.astfiji.core.image;

import java.util.Locale;

/** What the networks see: RGB (or grayscale) features, depth channels, or both (paper 4.2.2). */
public enum InputMode {
    RGB("rgb"), DEPTH("depth"), RGB_DEPTH("rgb+depth");

    public final String label;

    InputMode(String label) {
        this.label = label;
    }

    public boolean usesImage() {
        return this != DEPTH;
    }

    public boolean usesDepth() {
        return this != RGB;
    }

    /** Parses "rgb", "depth", "rgb+depth" (also "rgbd", "combi"), case-insensitive. */
    public static InputMode parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '+').replace('-', '+');
        switch (k) {
            case "rgb": case "image": case "2d":
                return RGB;
            case "depth": case "3d":
                return DEPTH;
            case "rgb+depth": case "rgbd": case "combi": case "3d+rgb": case "rgb+3d":
                return RGB_DEPTH;
            default:
                throw new IllegalArgumentException("unknown input mode '" + s + "'; use rgb, depth or rgb+depth");
        }
    }
}
