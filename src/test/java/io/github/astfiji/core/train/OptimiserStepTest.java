package io.github.astfiji.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.nn.Params;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training step's own Adam computes what DJL's Adam computes, keeps its moments in a
 * scope that closing frees, and a phase's end drops the gradients but keeps the weights.
 */
class OptimiserStepTest {

    private static final float[] START = {0.5f, -1.5f, 2f, 0.25f, -0.75f, 1f};
    private static final float[] TARGET = {1f, 1f, -1f, 0f, 0.5f, 3f};

    private static NDArray loss(NDArray w, NDManager scope) {
        return w.sub(scope.create(TARGET, new Shape(2, 3))).square().mul(scope.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3))).sum();
    }

    /**
     * Five steps of the training step on params' weight "w" beside DJL's Adam (same settings,
     * clip MAX_VALUE for none) on a separate copy with its own gradients; after each step
     * the weights must agree. Returns the largest gradient magnitude seen.
     */
    private static float stepBesideDjlsAdam(NDManager root, Params params, OptimiserStep step, float weightDecay, float clip) {
        NDArray reference = root.create(START.clone(), new Shape(2, 3));
        reference.setRequiresGradient(true);
        Optimizer djl = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.1f)).optBeta1(0.9f).optBeta2(0.999f)
                .optEpsilon(1e-8f).optWeightDecays(weightDecay).optClipGrad(clip).build();
        params.get("w").setRequiresGradient(true);
        float largest = 0;
        for (int i = 0; i < 5; i++) {
            try (NDManager scope = root.newSubManager()) {
                step.step(params, List.of("w"), scope, () -> loss(params.get("w"), scope));
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                    gc.backward(loss(reference, scope));
                }
                NDArray g = reference.getGradient();
                for (float v : g.toFloatArray()) {
                    largest = Math.max(largest, Math.abs(v));
                }
                djl.update("w", reference, g);
                g.muli(0f);
                g.close();
            }
            assertArrayEquals(reference.toFloatArray(), params.get("w").toFloatArray(), 1e-6f, "after step " + (i + 1));
        }
        reference.close();
        return largest;
    }

    @Test
    void adamEqualsDjlsAndItsStateIsFreedOnClose() {
        try (NDManager root = Engines.newManager(); Params params = new Params(root)) {
            params.add("w", START.clone(), 2, 3);
            OptimiserStep step = new OptimiserStep(0.1f, 0.9f, 0.999f, 1e-3f, 0f, "test");
            List<String> names = List.of("w");
            stepBesideDjlsAdam(root, params, step, 1e-3f, Float.MAX_VALUE);
            assertNotEquals(START[0], params.get("w").toFloatArray()[0], "the weight must have moved");
            int withState = root.getManagedArrays().size();
            step.close();
            assertEquals(withState - 2, root.getManagedArrays().size(), "closing the step frees Adam's two moments");

            float[] trained = params.get("w").toFloatArray();
            params.releaseGradients(names);
            assertFalse(params.get("w").hasGradient(), "a released weight records no gradient");
            assertArrayEquals(trained, params.get("w").toFloatArray(), "releasing the gradient keeps the values");
            assertTrue(root.getManagedArrays().size() <= withState - 2, "no tensor added by the release");

            // a later phase can train the same weight again
            OptimiserStep again = new OptimiserStep(0.1f, 0.9f, 0.999f, 0f, 0f, "again");
            params.get("w").setRequiresGradient(true);
            try (NDManager scope = root.newSubManager()) {
                again.step(params, names, scope, () -> loss(params.get("w"), scope));
            }
            again.close();
            assertNotEquals(trained[0], params.get("w").toFloatArray()[0]);
        }
    }

    /** With clipping on, the step still computes exactly what DJL's Adam computes with the same clip. */
    @Test
    void clipsAsDjlsAdamDoes() {
        try (NDManager root = Engines.newManager(); Params params = new Params(root)) {
            params.add("w", START.clone(), 2, 3);
            OptimiserStep step = new OptimiserStep(0.1f, 0.9f, 0.999f, 0f, 1f, "clipped");
            float largest = stepBesideDjlsAdam(root, params, step, 0f, 1f);
            assertTrue(largest > 1f, "the test needs gradients beyond the clip");
            step.close();
        }
    }
}
