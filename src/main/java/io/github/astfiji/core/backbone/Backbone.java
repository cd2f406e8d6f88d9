package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.astfiji.core.nn.Params;

import java.util.List;

/**
 * A frozen feature extractor: ImageNet-normalised images (N, 3, S, S) in, one or more
 * feature maps (N, C, S/stride, S/stride) out, shallowest first. The same interface serves
 * the built-in backbones and a user's TorchScript export, and every method in the project:
 * AST reads the deepest map, Reverse Distillation three scales.
 */
public interface Backbone extends AutoCloseable {

    /** Stable identity stored in model files, e.g. "builtin:random-cnn" or "torchscript". */
    String id();

    /** SHA-256 over the weights (and calibration), so a model refuses a different backbone. */
    String checksum();

    /** Channels of the deepest map. */
    int channels();

    /** Stride of the deepest map. */
    int stride();

    /** The deepest feature map. */
    NDArray extract(NDArray images);

    /** Every feature map, shallowest first (the last is {@link #extract}'s). */
    default NDList extractScales(NDArray images) {
        return new NDList(extract(images));
    }

    default int[] scaleChannels() {
        return new int[] {channels()};
    }

    default int[] scaleStrides() {
        return new int[] {stride()};
    }

    /** True when {@link #calibrate} must see training images before features are meaningful. */
    default boolean needsCalibration() {
        return false;
    }

    /** Fits data-dependent statistics on batches of preprocessed training images. */
    default void calibrate(List<NDArray> batches) {
    }

    /** The file the weights were read from, recorded in models (null for built-ins, whose state the model holds). */
    default java.nio.file.Path file() {
        return null;
    }

    /** Tensors to store inside the model file (null when the backbone lives in its own file). */
    default Params state() {
        return null;
    }

    @Override
    void close();
}
