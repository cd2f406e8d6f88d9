package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDManager;

/** The built-in backbones by id (what users name, and pretrained or TorchScript files, go through registry.BackboneSetup). */
public final class Backbones {

    /**
     * The built-in default, chosen by measurement (see BENCHMARKS.md): the filter bank with
     * sharpness channels (models trained before it keep the plain bank their file names).
     */
    public static final String DEFAULT_BUILTIN = FilterBankBackbone.SHARPNESS_ID;
    /** AST's built-in default on composites (separate stains, not colours): the per-channel sharpness measures. */
    public static final String DEFAULT_COMPOSITE = FilterBankBackbone.CHANNEL_SHARPNESS_ID;

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
            case FilterBankBackbone.SHARPNESS_ID:
                return FilterBankBackbone.withSharpness(manager);
            case FilterBankBackbone.CHANNEL_SHARPNESS_ID:
                return FilterBankBackbone.channelSharpness(manager);
            default:
                throw new IllegalArgumentException("unknown built-in backbone '" + id + "'; use "
                        + RandomCnnBackbone.ID + ", " + FilterBankBackbone.SHARPNESS_ID + ", " + FilterBankBackbone.CHANNEL_SHARPNESS_ID + ", "
                        + FilterBankBackbone.ID + " or "
                        + FilterBankBackbone.PYRAMID_ID);
        }
    }
}
