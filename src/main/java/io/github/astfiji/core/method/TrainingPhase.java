package io.github.astfiji.core.method;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** One phase of a method's training: which parameters it fits, for how long, and the loss of a mini-batch. */
public interface TrainingPhase {

    /** Shown in progress and summaries, e.g. "teacher (flow)". */
    String name();

    int epochs();

    /** Names of the parameters this phase trains; all others stay fixed. */
    List<String> parameters();

    /**
     * Called once before the first epoch with the whole cached training set, e.g. to cache
     * a frozen network's outputs as targets (attach them to the set's manager).
     */
    default void begin(TrainingSet data) {
    }

    /** The epoch from which the learning rate is divided by 10 (a step schedule); -1 = never. */
    default int learningRateDropEpoch() {
        return -1;
    }

    /** The loss of one mini-batch (a scalar), in training mode. */
    NDArray loss(TrainingSet.Batch batch);
}
