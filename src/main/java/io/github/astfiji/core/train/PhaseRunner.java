package io.github.astfiji.core.train;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Params;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The one epoch loop every method's phases run in: shuffled mini-batches (one random
 * stream per phase), Adam through {@link OptimiserStep}, progress and cancel between steps,
 * and a {@link DivergenceGuard} that undoes a diverged epoch; recoveries are reported to the
 * given list.
 */
final class PhaseRunner {

    private final DetectorConfig config;
    private final Progress progress;
    private final List<String> recoveries;

    PhaseRunner(DetectorConfig config, Progress progress, List<String> recoveries) {
        this.config = config;
        this.progress = progress;
        this.recoveries = recoveries;
    }

    private int[][] batches(int n, Random rng) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Collections.shuffle(Arrays.asList(order), rng);
        int count = (n + config.batchSize - 1) / config.batchSize;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            int start = b * config.batchSize;
            int end = Math.min(n, start + config.batchSize);
            out[b] = new int[end - start];
            for (int i = start; i < end; i++) {
                out[b][i - start] = order[i];
            }
        }
        return out;
    }

    /**
     * Epochs of shuffled mini-batches under a {@link DivergenceGuard}: an epoch whose loss
     * diverged is undone (parameters and optimiser state of the last good epoch, a lower
     * learning rate) and run again; what happened goes to the progress line and the history.
     */
    double[] run(TrainingPhase phase, Params params, TrainingSet data, String stageName, long shuffleSeed) {
        List<String> names = phase.parameters();
        double[] lossOut = new double[phase.epochs()];
        progress.stage(stageName, phase.epochs());
        OptimiserStep step = new OptimiserStep(config.learningRate, config.beta1, config.beta2, config.weightDecay,
                config.gradientClip, config.clipBothSides, stageName);
        // one stream per phase, so a phase's shuffling does not depend on the phases before it
        Random rng = new Random(shuffleSeed);
        for (String name : names) {
            params.get(name).setRequiresGradient(true);
        }
        try (DivergenceGuard guard = new DivergenceGuard(phase.name(), params, names, step)) {
            int epoch = 0;
            boolean dropped = false;
            while (epoch < phase.epochs()) {
                if (!dropped && phase.learningRateDropEpoch() >= 0 && epoch >= phase.learningRateDropEpoch()) {
                    step.setLearningRate(step.learningRate() * 0.1f);
                    dropped = true;
                }
                double loss;
                try {
                    loss = runEpoch(phase, params, data, names, step, rng);
                } catch (OptimiserStep.StepsDiverged e) {
                    loss = Double.NaN;
                }
                if (guard.accept(epoch, loss)) {
                    lossOut[epoch] = loss;
                    epoch++;
                    progress.step(epoch, String.format("loss %.4f", loss));
                } else {
                    String event = guard.events().get(guard.events().size() - 1);
                    recoveries.add(stageName.startsWith("Training ") ? event : stageName + ": " + event);
                    epoch = guard.resumeEpoch();
                    progress.step(epoch, "recovering: " + event);
                }
            }
        } finally {
            step.close();
            params.releaseGradients(names);
        }
        return lossOut;
    }

    /** One epoch's mini-batches; the mean loss over the steps taken (NaN when none was). */
    private double runEpoch(TrainingPhase phase, Params params, TrainingSet data, List<String> names, OptimiserStep step, Random rng) {
        double sum = 0;
        int count = 0;
        for (int[] batch : batches((int) data.size(), rng)) {
            progress.checkCancelled();
            try (NDManager scope = data.manager().newSubManager()) {
                TrainingSet.Batch b = new TrainingSet.Batch(data, scope.create(batch), scope);
                float value = step.step(params, names, scope, () -> phase.loss(b));
                if (!Float.isNaN(value)) {
                    sum += value * batch.length;
                    count += batch.length;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
