package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;

/**
 * No backbone: the preprocessed image itself (3 channels, stride 1), for methods whose
 * networks read pixels, as Uninformed Students' teachers and students do.
 */
public final class ImageBackbone implements Backbone {

    public static final String ID = "builtin:image";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String checksum() {
        return "identity";
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int stride() {
        return 1;
    }

    @Override
    public NDArray extract(NDArray images) {
        return images;
    }

    @Override
    public void close() {
        // nothing held
    }
}
