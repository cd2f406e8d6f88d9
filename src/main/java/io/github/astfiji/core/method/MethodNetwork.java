package io.github.astfiji.core.method;

import ai.djl.ndarray.NDList;
import io.github.astfiji.core.nn.Params;

import java.util.List;

/** A method's trainable networks over one named parameter set: training phases and anomaly maps. */
public interface MethodNetwork extends AutoCloseable {

    /** Every weight and buffer by name (what the model file stores). */
    Params params();

    /** The training phases in order, each with its loss and the parameters it trains. */
    List<TrainingPhase> phases();

    /** Before the first phase, with the cached training set: e.g. load frozen weights, measure input statistics. */
    default void beforeTraining(TrainingSet data) {
    }

    /** After the last phase, with the cached training set: e.g. measure the statistics that normalise the maps. */
    default void afterTraining(TrainingSet data) {
    }

    /**
     * After the last phase, with the cached training set and, on demand, the normal images
     * held out from training (the training set itself when none are held out), e.g. to
     * normalise maps on images the networks never saw.
     */
    default void afterTraining(TrainingSet data, java.util.function.Supplier<TrainingSet> heldOut) {
        afterTraining(data);
    }

    /**
     * Anomaly maps for a batch of inputs (one tensor per feature scale, N first): one
     * (N, H, W) map per {@link Method#mapNames()} entry, in that order.
     */
    NDList maps(NDList inputs);

    @Override
    void close();
}
