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
            default:
                throw new IllegalArgumentException("unknown built-in backbone '" + id + "'; use "
                        + RandomCnnBackbone.ID + " or " + FilterBankBackbone.ID);
        }
    }

    /** "builtin", a built-in id, or the path of a TorchScript file. */
    public static Backbone create(String spec, NDManager manager, int imageSize, long seed) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals("builtin")) {
            return builtin(DEFAULT_BUILTIN, manager, seed);
        }
        if (spec.startsWith("builtin:")) {
            return builtin(spec, manager, seed);
        }
        return new TorchScriptBackbone(manager, Path.of(spec), imageSize);
    }
}
