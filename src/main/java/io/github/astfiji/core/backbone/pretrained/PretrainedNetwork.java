package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;

import java.util.function.UnaryOperator;

/**
 * What the ImageNet feature extractors share: identity (the catalogue's id and the weights
 * file's SHA-256), the maps they return, and running a network stage by stage so that each
 * stage's intermediate arrays are freed as soon as the stage is done (a whole EfficientNet's
 * intermediates at 768 px would otherwise stay alive until the caller's scope closes).
 */
abstract class PretrainedNetwork implements Backbone {

    protected final NDManager manager;
    private final String id;
    private final String checksum;
    private final int[] channels;
    private final int[] strides;
    private final java.nio.file.Path file;

    /** {@code owner}: a manager of this network's own, closed with it. */
    PretrainedNetwork(NDManager owner, String id, String checksum, java.nio.file.Path file, int[] channels, int[] strides) {
        this.manager = owner;
        this.file = file.toAbsolutePath();
        this.id = id;
        this.checksum = checksum;
        this.channels = channels;
        this.strides = strides;
    }

    /** The maps, shallowest first. */
    abstract NDList forward(NDArray images);

    /**
     * Applies a stage in a scope of its own; the input is freed with the scope unless the
     * caller still needs it ({@code keepInput}: the images, or a map that is returned).
     */
    static NDArray stage(NDArray x, boolean keepInput, UnaryOperator<NDArray> body) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            if (keepInput) {
                x.tempAttach(scope);
            } else {
                x.attach(scope);
            }
            NDArray y = body.apply(x);
            y.attach(owner);
            return y;
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public java.nio.file.Path file() {
        return file;
    }

    @Override
    public String checksum() {
        return checksum;
    }

    @Override
    public int channels() {
        return channels[channels.length - 1];
    }

    @Override
    public int stride() {
        return strides[strides.length - 1];
    }

    @Override
    public int[] scaleChannels() {
        return channels.clone();
    }

    @Override
    public int[] scaleStrides() {
        return strides.clone();
    }

    @Override
    public NDArray extract(NDArray images) {
        NDList maps = forward(images);
        for (int i = 0; i < maps.size() - 1; i++) {
            maps.get(i).close(); // only the deepest map is wanted here
        }
        return maps.get(maps.size() - 1);
    }

    @Override
    public NDList extractScales(NDArray images) {
        return forward(images);
    }

    @Override
    public void close() {
        manager.close();
    }
}
