package io.github.astfiji.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.score.PositionNormalisation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** score.PositionNormalisation as training measures it (Trainer.measurePositions) and as scoring applies it. */
class PositionNormalisationTest {

    private static final int G = 8;

    /** A network whose one map is its input: the test decides every cell's score. */
    private static final class Echo implements MethodNetwork {
        @Override
        public Params params() {
            return null;
        }

        @Override
        public List<TrainingPhase> phases() {
            return List.of();
        }

        @Override
        public NDList maps(NDList inputs) {
            NDArray x = inputs.get(0);
            return new NDList(x.reshape(x.getShape().get(0), G, G));
        }

        @Override
        public void close() {
        }
    }

    /**
     * A normal view as a padded network scores it: 1 inside, higher and more spread out
     * toward the border and highest in the corners (as AST's maps were on the tissue set).
     */
    private static float[] normalView(SplittableRandom rng) {
        float[] v = new float[G * G];
        for (int y = 0; y < G; y++) {
            for (int x = 0; x < G; x++) {
                int edges = (y == 0 || y == G - 1 ? 1 : 0) + (x == 0 || x == G - 1 ? 1 : 0);
                v[y * G + x] = (float) (1 + 0.5 * edges + (0.1 + 0.15 * edges) * rng.nextGaussian());
            }
        }
        return v;
    }

    private static TrainingSet set(NDManager manager, List<float[]> views, float[] masks) {
        float[] all = new float[views.size() * G * G];
        for (int i = 0; i < views.size(); i++) {
            System.arraycopy(views.get(i), 0, all, i * G * G, G * G);
        }
        NDArray inputs = manager.create(all, new Shape(views.size(), 1, G, G));
        NDArray m = masks == null ? manager.ones(new Shape(views.size(), G, G)) : manager.create(masks, new Shape(views.size(), G, G));
        return new TrainingSet(manager, new NDList(inputs), m, new int[views.size()]);
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double auroc(float[] normal, float[] defect) {
        double a = 0;
        for (float d : defect) {
            for (float n : normal) {
                a += d > n ? 1 : d == n ? 0.5 : 0;
            }
        }
        return a / normal.length / defect.length;
    }

    @Test
    void aDefectInsideOutranksTheBordersOfNormalViewsOnceCellsAreStandardised() {
        SplittableRandom rng = new SplittableRandom(3);
        try (NDManager manager = Engines.newManager()) {
            List<float[]> training = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                training.add(normalView(rng));
            }
            PositionNormalisation p = Trainer.measurePositions(new Echo(), set(manager, training, null), 8);
            assertEquals(G, p.gridWidth);
            assertEquals(40, p.views);
            float[] rawNormal = new float[30];
            float[] rawDefect = new float[30];
            float[] normNormal = new float[30];
            float[] normDefect = new float[30];
            for (int i = 0; i < 30; i++) {
                float[] n = normalView(rng);
                float[] d = normalView(rng);
                d[3 * G + 4] += 0.8f; // a defect well inside: 8 deviations of an inner cell, below a corner's usual peak
                rawNormal[i] = max(n);
                rawDefect[i] = max(d);
                p.apply(0, n, G, G);
                p.apply(0, d, G, G);
                normNormal[i] = max(n);
                normDefect[i] = max(d);
            }
            double before = auroc(rawNormal, rawDefect);
            double after = auroc(normNormal, normDefect);
            assertTrue(before < 0.75, "the corners decide the raw image scores: AUROC " + before);
            assertTrue(after > 0.97, "standardised per position, the inner defect decides: AUROC " + after);
        }
    }

    @Test
    void fewViewsAreShrunkTowardTheOverallStatisticsAndBackgroundDoesNotCount() {
        try (NDManager manager = Engines.newManager()) {
            float[] view = new float[G * G];
            java.util.Arrays.fill(view, 1f);
            view[0] = 3f;
            view[G * G - 1] = 1000f; // background: masked out
            float[] mask = new float[G * G];
            java.util.Arrays.fill(mask, 1f);
            mask[G * G - 1] = 0f;
            PositionNormalisation p = Trainer.measurePositions(new Echo(), set(manager, List.of(view), mask), 8);
            double overall = (3 + 1.0 * (G * G - 2)) / (G * G - 1);
            assertEquals(overall, p.mean[0], 1e-5, "the overall mean leaves the background out");
            double k = PositionNormalisation.PRIOR_VIEWS;
            assertEquals((3 + k * overall) / (1 + k), p.cellMean[0][0], 1e-5, "one view is blended with 4 pseudo-views of the overall mean");
            assertTrue(p.cellStd[0][0] > 0 && p.cellStd[0][1] > 0, "no cell gets a zero deviation from a single view");
            assertEquals(overall, p.cellMean[0][G * G - 1], 1e-5, "a cell with no foreground keeps the overall statistics");
            float[] again = view.clone();
            p.apply(0, again, G, G);
            assertTrue(again[0] < 3f, "a cell that is always high is pulled down toward the others");
            assertEquals(null, p.problem(1));
            assertTrue(p.problem(2).contains("another number of maps"));
        }
    }

    @Test
    void aMapOfAnotherGridIsRefused() {
        try (NDManager manager = Engines.newManager()) {
            float[] view = new float[G * G];
            PositionNormalisation p = Trainer.measurePositions(new Echo(), set(manager, List.of(view), null), 8);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.apply(0, new float[16], 4, 4));
            assertTrue(e.getMessage().contains("8 x 8") && e.getMessage().contains("train the model again"), e.getMessage());
        }
    }
}
