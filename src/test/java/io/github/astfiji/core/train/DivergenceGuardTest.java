package io.github.astfiji.core.train;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.nn.Params;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The divergence rule, and a guard that puts back parameters and optimiser state and lowers the learning rate. */
class DivergenceGuardTest {

    @Test
    void ruleFlagsNonFiniteLossesAndLargeRisesButNotNoise() {
        assertTrue(DivergenceGuard.diverged(Double.NaN, 1, 0.5, 5));
        assertTrue(DivergenceGuard.diverged(Double.POSITIVE_INFINITY, 1, 0.5, 1));
        assertFalse(DivergenceGuard.diverged(3, Double.NaN, Double.NaN, 0), "the first epoch has nothing to compare with");
        // a flow's loss: 14 -> best -75; back to -70 or -50 is noise, to +20 (above where it started) is divergence
        assertFalse(DivergenceGuard.diverged(-70, 14, -75, 20));
        assertFalse(DivergenceGuard.diverged(-50, 14, -75, 20));
        assertTrue(DivergenceGuard.diverged(20, 14, -75, 20));
        assertTrue(DivergenceGuard.diverged(1.3e10, 14, -75, 20));
        // a positive loss falling slowly: 0.50 -> 0.48; a rise to 0.55 is more than the progress made
        assertFalse(DivergenceGuard.diverged(0.49, 0.5, 0.48, 10));
        assertTrue(DivergenceGuard.diverged(0.55, 0.5, 0.48, 10));
        // warm-up: one step an epoch doubles a loss now and then; only an explosion counts
        assertFalse(DivergenceGuard.diverged(0.79, 0.39, 0.39, 1));
        assertTrue(DivergenceGuard.diverged(1e6, 0.39, 0.39, 1));
        assertTrue(DivergenceGuard.diverged(0.79, 0.39, 0.39, 3), "after the warm-up the same rise is divergence");
    }

    @Test
    void divergencePutsBackTheLastGoodEpochAndLowersTheLearningRate() {
        try (NDManager root = Engines.newManager(); Params params = new Params(root)) {
            params.add("w", new float[] {1, 2, 3, 4}, 2, 2);
            params.addBuffer("runningMean", new float[] {0.5f, 0.5f}, 2);
            OptimiserStep step = new OptimiserStep(0.1f, 0.9f, 0.999f, 0f, 0f, "test");
            List<String> names = List.of("w");
            params.get("w").setRequiresGradient(true);
            try (DivergenceGuard guard = new DivergenceGuard("test phase", params, names, step)) {
                takeStep(root, params, step, 1f);
                assertTrue(guard.accept(0, 10.0));
                takeStep(root, params, step, 1f);
                assertTrue(guard.accept(1, 8.0));
                float[] good = params.get("w").toFloatArray();
                float[] goodBuffer = params.get("runningMean").toFloatArray();
                // an epoch that blows the weights and a buffer up
                takeStep(root, params, step, 1e6f);
                params.get("runningMean").muli(1e9f);
                float[] blown = params.get("w").toFloatArray();
                assertFalse(java.util.Arrays.equals(good, blown));
                assertFalse(guard.accept(2, 5e25), "a loss far above the best is divergence");
                assertArrayEquals(good, params.get("w").toFloatArray(), "the last good weights are back");
                assertArrayEquals(goodBuffer, params.get("runningMean").toFloatArray(), "buffers too");
                assertEquals(0.025f, step.learningRate(), 1e-7f);
                assertEquals(2, guard.resumeEpoch());
                assertEquals(1, guard.events().size());
                assertTrue(guard.events().get(0).contains("epoch 3"), guard.events().get(0));
                // the same step after the recovery equals a fresh step from the restored state at the lower rate
                float[] before = params.get("w").toFloatArray();
                takeStep(root, params, step, 1f);
                float[] after = params.get("w").toFloatArray();
                assertTrue(Math.abs(after[0] - before[0]) < 0.1f, "moved by at most about the new rate: " + (after[0] - before[0]));
                // two more divergences are recovered, the fourth refused
                assertFalse(guard.accept(2, Double.NaN));
                assertFalse(guard.accept(2, Double.NaN));
                TrainingFailedException e = assertThrows(TrainingFailedException.class, () -> guard.accept(2, Double.NaN));
                assertTrue(e.getMessage().contains("test phase diverged at epoch 3"), e.getMessage());
                assertTrue(e.getMessage().contains("no model was written"), e.getMessage());
            } finally {
                step.close();
            }
        }
    }

    /** One optimiser step on the loss sum(scale * w). */
    private static void takeStep(NDManager root, Params params, OptimiserStep step, float scale) {
        try (NDManager scope = root.newSubManager()) {
            step.step(params, List.of("w"), scope, () -> params.get("w").mul(scale).sum());
        }
    }
}
