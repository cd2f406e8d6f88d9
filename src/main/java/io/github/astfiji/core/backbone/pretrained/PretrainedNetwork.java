package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.FileBackbone;

import java.util.function.UnaryOperator;

/**
 * What the ImageNet feature extractors share beyond a file backbone's identity (the
 * catalogue's id, the weights file and its SHA-256): running a network stage by stage so that
 * each stage's intermediate arrays are freed as soon as the stage is done (a whole
 * EfficientNet's intermediates at 768 px would otherwise stay alive until the caller's scope
 * closes).
 */
abstract class PretrainedNetwork extends FileBackbone {

    protected final NDManager manager;

    /** {@code owner}: a manager of this network's own, closed with it. */
    PretrainedNetwork(NDManager owner, String id, String checksum, java.nio.file.Path file, int[] channels, int[] strides) {
        super(id, checksum, file, channels, strides);
        this.manager = owner;
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
    public NDList extractScales(NDArray images) {
        return forward(images);
    }

    @Override
    public void close() {
        manager.close();
    }
}
