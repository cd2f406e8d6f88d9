package io.github.astfiji.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.nn.Params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Watches one training phase's loss, epoch by epoch (or window of steps by window), and
 * recovers from divergence: after every good epoch it keeps a copy of the parameters the
 * phase changes and of the optimiser's state; when an epoch's loss is not finite, or
 * rose far above the phase's best (see {@link #diverged}), both are put back and the
 * learning rate is cut to a quarter before the epochs are run again. After
 * {@link #MAX_RECOVERIES} recoveries it gives up with a {@link TrainingFailedException}
 * that says what diverged, where, and what to try.
 */
public final class DivergenceGuard implements AutoCloseable {

    /** Recoveries per phase before the training is refused. */
    public static final int MAX_RECOVERIES = 3;
    /** Each recovery multiplies the learning rate by this. */
    static final float LEARNING_RATE_CUT = 0.25f;
    /**
     * After the first epochs, a loss that climbs back more than this share of the progress the
     * phase had made (from its first epoch to its best) counts as diverged (BENCHMARKS.md,
     * Divergence, has the rises measured on normal trainings beside the divergences seen).
     */
    static final double RISE_LIMIT = 1.0;
    /** Adam's first epochs are noisy (a small folder gives one or two steps an epoch): judged by explosions only. */
    static final int WARM_UP_EPOCHS = 3;
    /** In the warm-up, a rise above the best by this many times the loss's own size counts as diverged. */
    static final double EXPLOSION = 100;

    private final String phase;
    private final Params params;
    private final List<String> names;
    private final OptimiserStep step;
    private final NDManager copies;
    private final Map<String, NDArray> saved = new LinkedHashMap<>();
    private OptimiserStep.State savedStep;
    private final List<String> events = new ArrayList<>();
    private double first = Double.NaN;
    private double best = Double.NaN;
    private int goodEpoch = -1;
    private int recoveries;

    /**
     * Guards the named parameters (and every non-trainable buffer, e.g. batch-norm
     * statistics, which training also changes) of a phase optimised by step.
     */
    public DivergenceGuard(String phase, Params params, List<String> names, OptimiserStep step) {
        this.phase = phase;
        this.params = params;
        this.names = new ArrayList<>(names);
        List<String> trainable = params.trainableNames();
        for (String n : params.names()) {
            if (!trainable.contains(n) && !this.names.contains(n)) {
                this.names.add(n);
            }
        }
        this.step = step;
        this.copies = params.manager().newSubManager();
        save(); // the state before the first epoch, so a first-epoch divergence can go back to the start
    }

    /**
     * Whether an epoch's mean loss means divergence, given the phase's first epoch loss and
     * its best so far: not finite; in the warm-up, exploded (risen above the best by
     * EXPLOSION times the loss's size); after it, risen above the best by more than
     * RISE_LIMIT times the progress made (losses may be negative, as a flow's likelihood loss
     * is; the progress counts as at least a tenth of the best loss's size).
     */
    static boolean diverged(double loss, double first, double best, int epoch) {
        if (!Double.isFinite(loss)) {
            return true;
        }
        if (!Double.isFinite(best)) {
            return false;
        }
        double progress = Math.max(first - best, 0.1 * Math.abs(best) + 1e-6);
        if (epoch < WARM_UP_EPOCHS) {
            return loss - best > EXPLOSION * Math.max(progress, Math.abs(first));
        }
        return loss - best > RISE_LIMIT * progress;
    }

    /**
     * Judges an epoch. A good one is kept (parameters and optimiser state copied) and true
     * returned; on divergence the last good state is restored, the learning rate cut, and
     * false returned: the caller goes on from {@link #resumeEpoch()}.
     *
     * @throws TrainingFailedException when the phase has diverged too often
     */
    public boolean accept(int epoch, double loss) {
        if (!diverged(loss, first, best, epoch)) {
            if (Double.isNaN(first)) {
                first = loss;
            }
            best = Double.isNaN(best) ? loss : Math.min(best, loss);
            save();
            goodEpoch = epoch;
            return true;
        }
        float before = step.learningRate();
        if (recoveries == MAX_RECOVERIES) {
            throw new TrainingFailedException(String.format(Locale.ROOT,
                    "Training %s diverged at epoch %d (loss %s, best so far %s) and did not recover after %d tries with lower "
                            + "learning rates (down to %.2g); no model was written. Try: the default sizing (fit) or a smaller tile "
                            + "scale, a lower learning rate (setting learningRate), fewer epochs, or check the training images for "
                            + "empty or saturated ones.",
                    phase, epoch + 1, format(loss), format(best), MAX_RECOVERIES, before));
        }
        recoveries++;
        restore();
        step.setLearningRate(before * LEARNING_RATE_CUT);
        events.add(String.format(Locale.ROOT, "%s diverged at epoch %d (loss %s, best %s): back to %s, learning rate %.2g -> %.2g",
                phase, epoch + 1, format(loss), format(best), goodEpoch < 0 ? "the start" : "epoch " + (goodEpoch + 1), before,
                step.learningRate()));
        return false;
    }

    /** The epoch to run next after a recovery (the one after the last good epoch). */
    public int resumeEpoch() {
        return goodEpoch + 1;
    }

    /** What happened, one line per recovery (empty when the phase never diverged). */
    public List<String> events() {
        return events;
    }

    public int recoveries() {
        return recoveries;
    }

    private void save() {
        // copies in place: allowed on leaves that train only with gradient recording off
        try (Engines.GradientsOff off = Engines.gradientsOff()) {
            saveNow();
        }
    }

    private void saveNow() {
        for (String n : names) {
            NDArray p = params.get(n);
            NDArray copy = saved.get(n);
            if (copy == null) {
                copy = p.duplicate();
                copy.attach(copies);
                saved.put(n, copy);
            } else {
                copy.set(new NDIndex("..."), p);
            }
        }
        savedStep = step.snapshot(copies, savedStep);
    }

    private void restore() {
        try (Engines.GradientsOff off = Engines.gradientsOff()) {
            restoreNow();
        }
    }

    private void restoreNow() {
        for (String n : names) {
            params.get(n).set(new NDIndex("..."), saved.get(n));
        }
        step.restore(savedStep);
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4g", v);
    }

    @Override
    public void close() {
        copies.close();
        saved.clear();
    }
}
