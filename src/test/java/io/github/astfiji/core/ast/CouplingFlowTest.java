package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.engine.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CouplingFlowTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static AstConfig tiny() {
        AstConfig c = new AstConfig();
        c.positionalChannels = 4;
        c.flowHidden = 8;
        c.flowKernels = new int[] {3, 3, 3, 5};
        c.clampAlpha = 1.9f;
        c.studentHidden = 8;
        c.studentBlocks = 1;
        c.seed = 11;
        return c;
    }

    /** Gives every gamma a non-zero value so the flow is not the identity. */
    static void activate(AstNetwork net, float gamma) {
        for (String n : net.params().names()) {
            if (n.endsWith(".gamma")) {
                net.params().set(n, new float[] {gamma});
            }
        }
    }

    static NDArray randomInput(NDManager m, long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(shape));
    }

    /** With gamma = 0 every coupling is the identity: z is x with the blocks' fixed channel permutations applied. */
    @Test
    void untrainedFlowIsTheIdentity() {
        try (NDManager m = manager.newSubManager(); AstNetwork net = new AstNetwork(m, tiny(), 5)) {
            NDArray x = randomInput(m, 1, 2, 5, 4, 3);
            NDList out = net.teacherForward(x);
            long[] order = {0, 1, 2, 3, 4};
            for (int b = 0; b < net.teacher().blocks(); b++) {
                long[] p = net.teacher().blockPermutation(b);
                long[] next = new long[order.length];
                for (int i = 0; i < p.length; i++) {
                    next[i] = order[(int) p[i]];
                }
                order = next;
            }
            NDArray permuted = x.get(new ai.djl.ndarray.index.NDIndex(":, {}", m.create(order)));
            assertArrayEquals(permuted.toFloatArray(), out.get(0).toFloatArray(), 0f, "gamma = 0 must give z = permuted x");
            for (float v : out.get(1).toFloatArray()) {
                assertEquals(0f, v, 0f);
            }
        }
    }

    @Test
    void inverseUndoesForward() {
        try (NDManager m = manager.newSubManager(); AstNetwork net = new AstNetwork(m, tiny(), 7)) {
            activate(net, 0.8f);
            NDArray x = randomInput(m, 2, 3, 7, 5, 6);
            NDArray cond = net.condition(m, 3, 5, 6);
            NDArray z = net.teacher().forward(x, cond).get(0);
            assertTrue(z.sub(x).abs().max().getFloat() > 1e-2, "the active flow must change x");
            NDArray back = net.teacher().inverse(z, cond);
            assertArrayEquals(x.toFloatArray(), back.toFloatArray(), 1e-4f);
        }
    }

    /**
     * Sum of the per-pixel log-determinants equals log|det J| of the whole map, with J
     * measured by central finite differences (the Jacobian is block-diagonal over pixels
     * only through the convolutions' coupling, so the whole map is differentiated).
     */
    @Test
    void logDeterminantMatchesNumericalJacobian() {
        try (NDManager m = manager.newSubManager(); AstNetwork net = new AstNetwork(m, tiny(), 4)) {
            activate(net, 0.6f);
            NDArray x = randomInput(m, 3, 1, 4, 2, 3);
            NDArray cond = net.condition(m, 1, 2, 3);
            float[] x0 = x.toFloatArray();
            int d = x0.length;
            double[][] jac = new double[d][d];
            double eps = 1e-2;
            for (int j = 0; j < d; j++) {
                float[] plus = x0.clone();
                float[] minus = x0.clone();
                plus[j] += (float) eps;
                minus[j] -= (float) eps;
                float[] zp = net.teacher().forward(m.create(plus, x.getShape()), cond).get(0).toFloatArray();
                float[] zm = net.teacher().forward(m.create(minus, x.getShape()), cond).get(0).toFloatArray();
                for (int i = 0; i < d; i++) {
                    jac[i][j] = (zp[i] - zm[i]) / (2 * eps);
                }
            }
            double numeric = logAbsDet(jac);
            double analytic = net.teacher().forward(x, cond).get(1).sum().getFloat();
            assertTrue(Math.abs(analytic) > 0.1, "the test needs a non-trivial log-determinant, got " + analytic);
            assertEquals(numeric, analytic, 2e-3 * Math.max(1, Math.abs(numeric)));
        }
    }

    @Test
    void softClampBoundsTheLogScales() {
        AstConfig c = tiny();
        try (NDManager m = manager.newSubManager(); AstNetwork net = new AstNetwork(m, c, 6)) {
            NDArray s = m.create(new float[] {-1e6f, -50f, -1f, 0f, 0.5f, 3f, 1e6f});
            float[] clamped = net.teacher().softClamp(s).toFloatArray();
            for (float v : clamped) {
                assertTrue(Math.abs(v) < c.clampAlpha, "clamped value " + v);
            }
            assertEquals(c.clampAlpha * 2 / Math.PI * Math.atan(0.5 / c.clampAlpha), clamped[4], 1e-5);
            // With huge weights every log-scale saturates, yet the per-pixel log-det stays within
            // 2 * alpha * channels (one scale per channel per block, 4 blocks, each |s| < alpha).
            activate(net, 1e4f);
            NDArray logDet = net.teacherForward(randomInput(m, 4, 2, 6, 3, 3)).get(1);
            float bound = c.clampAlpha * 6 * c.flowKernels.length;
            assertTrue(logDet.abs().max().getFloat() <= bound, "log-det " + logDet.abs().max().getFloat() + " > " + bound);
        }
    }

    @Test
    void permutationsAreFixedSeededAndDifferPerBlock() {
        try (NDManager m = manager.newSubManager();
             AstNetwork a = new AstNetwork(m, tiny(), 16);
             AstNetwork b = new AstNetwork(m, tiny(), 16)) {
            assertArrayEquals(a.teacher().blockPermutation(0), b.teacher().blockPermutation(0));
            assertTrue(!java.util.Arrays.equals(a.teacher().blockPermutation(0), a.teacher().blockPermutation(1)));
            long[] p = a.teacher().blockPermutation(2).clone();
            java.util.Arrays.sort(p);
            for (int i = 0; i < p.length; i++) {
                assertEquals(i, p[i], "a permutation holds every channel once");
            }
        }
    }

    /** log|det| by LU decomposition with partial pivoting. */
    static double logAbsDet(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double sum = 0;
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
                    piv = r;
                }
            }
            double[] t = m[col];
            m[col] = m[piv];
            m[piv] = t;
            double p = m[col][col];
            sum += Math.log(Math.abs(p));
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / p;
                for (int k = col; k < n; k++) {
                    m[r][k] -= f * m[col][k];
                }
            }
        }
        return sum;
    }
}
