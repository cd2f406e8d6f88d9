package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import io.github.astfiji.core.nn.Params;

import java.util.List;

/**
 * A frozen feature extractor: ImageNet-normalised images (N, 3, S, S) in, feature maps
 * (N, C, S/stride, S/stride) out. The same interface serves the built-in backbones and
 * a user's TorchScript export, and every student-teacher method in the project.
 */
public interface Backbone extends AutoCloseable {

    /** Stable identity stored in model files, e.g. "builtin:random-cnn" or "torchscript". */
    String id();

    /** SHA-256 over the weights (and calibration), so a model refuses a different backbone. */
    String checksum();

    int channels();

    int stride();

    NDArray extract(NDArray images);

    /** True when {@link #calibrate} must see training images before features are meaningful. */
    default boolean needsCalibration() {
        return false;
    }

    /** Fits data-dependent statistics on batches of preprocessed training images. */
    default void calibrate(List<NDArray> batches) {
    }

    /** Tensors to store inside the model file (null when the backbone lives in its own file). */
    default Params state() {
        return null;
    }

    @Override
    void close();
}
