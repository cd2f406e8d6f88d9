package io.github.astfiji.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.astfiji.core.nn.Params;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One optimiser step as every training here takes it: the loss under a gradient
 * collector, Adam with element-wise gradient clipping, and a step skipped (gradients
 * reset, weights untouched) when the loss or any gradient is not finite; repeated
 * failures mean divergence and stop the training with advice.
 */
public final class OptimiserStep {

    private final Optimizer adam;
    private final String what;
    private int badSteps;

    /** clip 0 = no clipping. */
    public OptimiserStep(float learningRate, float beta1, float beta2, float weightDecay, float clip, String what) {
        this.adam = Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(learningRate))
                .optBeta1(beta1).optBeta2(beta2).optEpsilon(1e-8f)
                .optWeightDecays(weightDecay)
                // one outlier batch must not throw a flow off; a huge bound is no clipping
                .optClipGrad(clip > 0 ? clip : Float.MAX_VALUE)
                .build();
        this.what = what;
    }

    /**
     * Computes the loss in the step's scope and updates the named parameters. Returns the
     * loss, or NaN when the step was skipped.
     */
    public float step(Params params, List<String> names, NDManager scope, Supplier<NDArray> loss) {
        float value;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray l = loss.get();
            value = l.getFloat();
            if (Float.isFinite(value)) {
                gc.backward(l);
            }
        }
        boolean ok = Float.isFinite(value) && apply(params, names, scope);
        // A non-finite loss or gradient skips the step instead of poisoning the weights;
        // only repeated failures mean the training itself diverged.
        badSteps = ok ? 0 : badSteps + 1;
        if (badSteps >= 3) {
            throw new IllegalStateException(what + " diverged (loss " + value
                    + "); lower the learning rate or check the images for extreme values");
        }
        return ok ? value : Float.NaN;
    }

    /**
     * Adam on every named parameter if all gradients are finite; gradients are reset
     * either way (to exact zeros: 0 * NaN would stay NaN). Returns whether it stepped.
     */
    private boolean apply(Params params, List<String> names, NDManager scope) {
        List<NDArray> grads = new ArrayList<>();
        boolean finite = true;
        try {
            for (String name : names) {
                NDArray g = params.get(name).getGradient();
                g.attach(scope); // results of ops on g land in g's manager: keep them in the step's scope
                grads.add(g);
                if (finite && g.isInfinite().logicalOr(g.isNaN()).any().getBoolean()) {
                    finite = false;
                }
            }
            for (int k = 0; k < names.size(); k++) {
                NDArray g = grads.get(k);
                if (finite) {
                    adam.update(names.get(k), params.get(names.get(k)), g);
                    g.muli(0f); // PyTorch accumulates gradients: reset for the next step
                } else {
                    // indexed fill: muli(0) keeps NaN, and set(float[]) warns (see Params.set)
                    g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                }
            }
            return finite;
        } finally {
            grads.forEach(NDArray::close);
        }
    }
}
