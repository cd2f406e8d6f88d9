package io.github.astfiji.core.tiling;

import com.google.gson.annotations.SerializedName;

import java.util.Locale;

/**
 * How images become network inputs: the whole image stretched to the input size (the
 * papers' way), fitted with its aspect ratio kept, or cut into overlapping tiles; AUTO is
 * decided at training from the images' size. Stored lowercase in model files.
 */
public enum Sizing {
    @SerializedName("auto") AUTO,
    @SerializedName("resize") RESIZE,
    @SerializedName("fit") FIT,
    @SerializedName("tile") TILE;

    /** A user's word for a sizing; anything else is refused with the valid ones. */
    public static Sizing parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown sizing '" + s + "'; use auto, resize, fit or tile");
        }
    }

    /** The stored and typed name, e.g. "tile". */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
