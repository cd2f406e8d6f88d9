package io.github.astfiji.core.train;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.nn.Params;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pretrainings' step loop: windows judged by the guard, a diverged window run again from the last good one. */
class GuardedStepsTest {

    @Test
    void aDivergedWindowIsRunAgainFromTheLastGoodOneAndItsLossesDropped() {
        try (NDManager root = Engines.newManager(); Params params = new Params(root)) {
            params.add("w", new float[] {1, 2}, 2);
            OptimiserStep step = new OptimiserStep(0.1f, 0.9f, 0.999f, 0f, 0f, "test");
            List<Integer> ran = new ArrayList<>();
            List<Double> accepted = new ArrayList<>();
            List<Integer> rewound = new ArrayList<>();
            List<String> recoveries = new ArrayList<>();
            int[] calls = {0};
            try {
                // 12 steps in windows of 4; the third window's last step fails once (three failed optimiser steps)
                GuardedSteps.run("test pretraining", params, List.of("w"), step, 12, 4, Progress.NONE, recoveries, i -> {
                    ran.add(i);
                    calls[0]++;
                    if (i == 11 && calls[0] == 12) {
                        throw new OptimiserStep.StepsDiverged("three failed steps");
                    }
                    return i == 5 ? Float.NaN : 1f / (1 + i); // a skipped step is left out of its window's mean
                }, new GuardedSteps.Windows() {
                    @Override
                    public void accepted(double windowMean) {
                        accepted.add(windowMean);
                    }

                    @Override
                    public void rewound(int resumeWindow) {
                        rewound.add(resumeWindow);
                    }
                });
            } finally {
                step.close();
            }
            assertEquals(1, recoveries.size(), recoveries.toString());
            assertTrue(recoveries.get(0).contains("test pretraining diverged at epoch 3"), recoveries.get(0));
            assertEquals(List.of(2), rewound, "back to the start of the third window");
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11), ran);
            assertEquals(3, accepted.size(), "every window accepted once, the diverged one after its rerun: " + accepted);
            assertEquals((1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0) / 4, accepted.get(0), 1e-6);
            assertEquals((1 / 5.0 + 1 / 7.0 + 1 / 8.0) / 3, accepted.get(1), 1e-6);
            assertEquals(0.025f, step.learningRate(), 1e-7f, "the learning rate was lowered");
        }
    }
}
