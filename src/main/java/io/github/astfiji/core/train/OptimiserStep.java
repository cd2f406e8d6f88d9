package io.github.astfiji.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.github.astfiji.core.nn.Params;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One optimiser step as every training here takes it: the loss under a gradient
 * collector, Adam with element-wise gradient clipping (from above, as DJL's update does), and a step skipped (gradients
 * reset, weights untouched) when the loss or any gradient is not finite; repeated
 * failures mean divergence and stop the training with advice. Adam's moments live in the
 * step's own scope: closing the step frees them (DJL's Adam keeps them beside the weights
 * until the model is closed, which held the teacher's 400 MB of moments through the
 * student's training at the paper's setting).
 */
public final class OptimiserStep implements AutoCloseable {

    private float learningRate;
    private final float beta1;
    private final float beta2;
    private final float weightDecay;
    private final float clip;
    private final boolean clipBothSides;
    private final String what;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private final Map<String, Integer> updates = new HashMap<>();
    private NDManager state;
    private int badSteps;

    /** clip 0 = no clipping. */
    public OptimiserStep(float learningRate, float beta1, float beta2, float weightDecay, float clip, String what) {
        this(learningRate, beta1, beta2, weightDecay, clip, false, what);
    }

    /** clip 0 = no clipping; clipBothSides also bounds gradients from below (the engine's update clamps from above only). */
    public OptimiserStep(float learningRate, float beta1, float beta2, float weightDecay, float clip, boolean clipBothSides,
                         String what) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        // one outlier batch must not throw a flow off; a huge bound is no clipping
        this.clip = clip > 0 ? clip : Float.MAX_VALUE;
        this.clipBothSides = clipBothSides && clip > 0;
        this.what = what;
    }

    /**
     * Adam as DJL's Optimizer.adam() computes it (the engine's fused in-place update, the
     * same bias correction and clipping), with the moments in this step's scope.
     */
    private void adam(String name, NDArray weight, NDArray grad) {
        if (state == null) {
            state = weight.getManager().newSubManager();
        }
        NDArray[] m = moments.computeIfAbsent(name, k -> new NDArray[] {state.zeros(weight.getShape(), weight.getDataType()),
            state.zeros(weight.getShape(), weight.getDataType())});
        int t = updates.merge(name, 1, Integer::sum);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float biasCorrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
        // The engine's update clamps gradients from above only (clamp_max); every measurement in
        // BENCHMARKS.md was made so. Clipping both sides was tried and not kept (BENCHMARKS.md,
        // Gradient clipping).
        if (clipBothSides) {
            grad = grad.clip(-clip, clip);
        }
        JniUtils.adamUpdate((PtNDArray) weight, (PtNDArray) grad, (PtNDArray) m[0], (PtNDArray) m[1], learningRate, biasCorrected,
                weightDecay, 1f, clip, beta1, beta2, 1e-8f, false);
    }

    /** Thrown by {@link #step} after three failed steps in a row: the training diverged (a guard may recover from it). */
    public static final class StepsDiverged extends RuntimeException {
        StepsDiverged(String message) {
            super(message);
        }
    }

    /** Adam's moments and step counts at one moment, to go back to after a divergence. */
    public static final class State {
        final Map<String, NDArray[]> moments = new HashMap<>();
        final Map<String, Integer> updates = new HashMap<>();
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    /** Copies the moments and step counts into manager (reusing reuse's arrays where shapes allow). */
    public State snapshot(NDManager manager, State reuse) {
        State s = reuse == null ? new State() : reuse;
        s.updates.clear();
        s.updates.putAll(updates);
        for (Map.Entry<String, NDArray[]> e : moments.entrySet()) {
            NDArray[] copy = s.moments.get(e.getKey());
            if (copy == null) {
                copy = new NDArray[] {e.getValue()[0].duplicate(), e.getValue()[1].duplicate()};
                copy[0].attach(manager);
                copy[1].attach(manager);
                s.moments.put(e.getKey(), copy);
            } else {
                copy[0].set(new ai.djl.ndarray.index.NDIndex("..."), e.getValue()[0]);
                copy[1].set(new ai.djl.ndarray.index.NDIndex("..."), e.getValue()[1]);
            }
        }
        return s;
    }

    /** Puts back a snapshot's moments and step counts; moments it did not have start again from zero. */
    public void restore(State s) {
        updates.clear();
        updates.putAll(s.updates);
        for (Map.Entry<String, NDArray[]> e : moments.entrySet()) {
            NDArray[] copy = s.moments.get(e.getKey());
            for (int k = 0; k < 2; k++) {
                if (copy == null) {
                    e.getValue()[k].set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                } else {
                    e.getValue()[k].set(new ai.djl.ndarray.index.NDIndex("..."), copy[k]);
                }
            }
        }
        badSteps = 0;
    }

    /** Frees Adam's moments. */
    @Override
    public void close() {
        if (state != null) {
            state.close();
            state = null;
        }
        moments.clear();
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
            badSteps = 0;
            throw new StepsDiverged(what + ": three steps in a row with a non-finite loss or gradient (loss " + value + ")");
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
                // one pass and no temporaries: a sum is finite exactly when every element is
                // (overflow to infinity would take gradients near 1e38, a divergence anyway)
                if (finite && !Float.isFinite(g.sum().getFloat())) {
                    finite = false;
                }
            }
            for (int k = 0; k < names.size(); k++) {
                NDArray g = grads.get(k);
                if (finite) {
                    adam(names.get(k), params.get(names.get(k)), g);
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
