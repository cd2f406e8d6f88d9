package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Path;

/** Creates backbones from their identity: a built-in id, or a TorchScript file. */
public final class Backbones {

    /** The built-in default, chosen by measurement (see BENCHMARKS.md). */
    public static final String DEFAULT_BUILTIN = FilterBankBackbone.ID;

    private Backbones() {
    }

    public static Backbone builtin(String id, NDManager manager, long seed) {
        switch (id) {
            case RandomCnnBackbone.ID:
                return new RandomCnnBackbone(manager, seed);
            case FilterBankBackbone.ID:
                return new FilterBankBackbone(manager);
            case ImageBackbone.ID:
                return new ImageBackbone();
            case RandomCnnBackbone.PYRAMID_ID:
                return new RandomCnnBackbone(manager, seed, true);
            case FilterBankBackbone.PYRAMID_ID:
                return FilterBankBackbone.pyramid(manager);
            default:
                throw new IllegalArgumentException("unknown built-in backbone '" + id + "'; use "
                        + RandomCnnBackbone.ID + ", " + FilterBankBackbone.ID + " or " + FilterBankBackbone.PYRAMID_ID);
        }
    }

    /** "builtin", a built-in id, or the path of a TorchScript file; null or blank gives the default built-in. */
    public static Backbone create(String spec, NDManager manager, int imageSize, long seed) throws IOException {
        return create(spec, DEFAULT_BUILTIN, manager, imageSize, seed);
    }

    /** As above, with the built-in a method uses when the user names none. */
    public static Backbone create(String spec, String defaultBuiltin, NDManager manager, int imageSize, long seed) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals("builtin")) {
            return builtin(defaultBuiltin, manager, seed);
        }
        if (spec.startsWith("builtin:")) {
            return builtin(spec, manager, seed);
        }
        return new TorchScriptBackbone(manager, Path.of(spec), imageSize);
    }
}
