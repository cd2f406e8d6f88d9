package io.github.astfiji.core.train;

import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.nn.Params;

import java.util.List;
import java.util.Locale;

/**
 * The step loop of the pretrainings that count optimiser steps rather than epochs (the US
 * teachers, the EfficientAD teacher): a {@link DivergenceGuard} judges windows of steps as
 * the trainer judges epochs (single steps are too noisy), rewinds to its last good state when
 * a window diverged, and refuses the training after too many recoveries.
 */
public final class GuardedSteps {

    /** One optimiser step: its loss, NaN when skipped; may throw {@link OptimiserStep.StepsDiverged}. */
    public interface Step {
        float run(int index);
    }

    /** What a caller keeps per window (a loss curve, a tail of the last steps). */
    public interface Windows {
        /** A window ended and was accepted, with the mean loss of its finite steps. */
        default void accepted(double windowMean) {
        }

        /** A window diverged; training resumes at the start of window {@code resumeWindow}. */
        default void rewound(int resumeWindow) {
        }
    }

    private GuardedSteps() {
    }

    /**
     * Runs {@code steps} steps of {@code body} in windows of {@code window} steps, with the
     * guard's recoveries added to {@code recoveries}; progress shows every step's loss.
     */
    public static void run(String phase, Params params, List<String> names, OptimiserStep step, int steps, int window,
                           Progress progress, List<String> recoveries, Step body, Windows windows) {
        try (DivergenceGuard guard = new DivergenceGuard(phase, params, names, step)) {
            double sum = 0;
            int count = 0;
            int i = 0;
            while (i < steps) {
                progress.checkCancelled();
                float value;
                try {
                    value = body.run(i);
                } catch (OptimiserStep.StepsDiverged e) {
                    value = Float.POSITIVE_INFINITY; // three failed steps: the window has diverged
                }
                if (Float.isFinite(value)) {
                    sum += value;
                    count++;
                }
                i++;
                if (i % window == 0 || i == steps || Float.isInfinite(value)) {
                    double mean = count == 0 || Float.isInfinite(value) ? Double.NaN : sum / count;
                    sum = 0;
                    count = 0;
                    if (!guard.accept((i - 1) / window, mean)) {
                        recoveries.add(guard.events().get(guard.events().size() - 1));
                        i = guard.resumeEpoch() * window;
                        windows.rewound(guard.resumeEpoch());
                        progress.step(i, "recovering: " + recoveries.get(recoveries.size() - 1));
                        continue;
                    }
                    windows.accepted(mean);
                }
                progress.step(i, Float.isNaN(value) ? "skipped" : String.format(Locale.ROOT, "loss %.4f", value));
            }
        }
    }
}
