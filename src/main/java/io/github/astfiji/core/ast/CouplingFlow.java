package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.SplittableRandom;

/**
 * The AST teacher: a conditional Real-NVP normalizing flow over feature maps.
 * Each block permutes the channels with a fixed seeded permutation, then applies a
 * two-sided affine coupling whose scale/shift subnets see the other half and the
 * positional-encoding condition. Scales are soft-clamped; every subnet output is
 * multiplied by a learned gamma initialised to 0, so the untrained flow is the identity.
 * The log-determinant is kept per pixel.
 */
public final class CouplingFlow {

    private final Params params;
    private final int channels;
    private final int condChannels;
    private final int[] kernels;
    private final float clampAlpha;
    private final long[][] permutations;
    private final long[][] inversePermutations;
    private final int split;

    public CouplingFlow(Params params, int channels, int condChannels, int hidden, int[] kernels,
                        float clampAlpha, long seed) {
        if (channels < 2) {
            throw new IllegalArgumentException("the flow needs at least 2 feature channels");
        }
        this.params = params;
        this.channels = channels;
        this.condChannels = condChannels;
        this.kernels = kernels.clone();
        this.clampAlpha = clampAlpha;
        this.split = channels / 2;
        this.permutations = new long[kernels.length][];
        this.inversePermutations = new long[kernels.length][];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int b = 0; b < kernels.length; b++) {
            // one fixed permutation per block, drawn from a per-block seed
            long[] perm = permutation(channels, seed * 1000003L + b);
            long[] inv = new long[channels];
            for (int i = 0; i < channels; i++) {
                inv[(int) perm[i]] = i;
            }
            permutations[b] = perm;
            inversePermutations[b] = inv;
            int len2 = channels - split;
            addSubnet(params, prefix(b) + "s1", split + condChannels, hidden, 2 * len2, kernels[b], rng);
            addSubnet(params, prefix(b) + "s2", len2 + condChannels, hidden, 2 * split, kernels[b], rng);
        }
    }

    private static void addSubnet(Params p, String name, int in, int hidden, int out, int k, SplittableRandom rng) {
        Layers.addConv(p, name + ".conv1", in, hidden, k, rng);
        Layers.addConv(p, name + ".conv2", hidden, out, k, rng);
        p.add(name + ".gamma", new float[] {0f}, 1);
    }

    private static String prefix(int block) {
        return "teacher.blocks." + block + ".";
    }

    /**
     * Fisher-Yates shuffle driven by SplitMix64, spelled out so that other languages
     * (scripts/fixtures/make_ast_fixture.py) reproduce the exact permutation.
     */
    public static long[] permutation(int n, long seed) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        long state = seed;
        for (int i = n - 1; i > 0; i--) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            int j = (int) Long.remainderUnsigned(z, i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public int channels() {
        return channels;
    }

    public long[] blockPermutation(int block) {
        return permutations[block].clone();
    }

    public int blocks() {
        return kernels.length;
    }

    /** Subnet output (scale logits and shift) for the coupling of one half. */
    private NDList subnet(String name, NDArray x, NDArray cond, int outHalf) {
        NDArray in = cond == null ? x : NDArrays.concat(new NDList(x, cond), 1);
        NDArray h = ai.djl.nn.Activation.relu(Layers.convReplicate(params, name + ".conv1", in));
        NDArray r = Layers.convReplicate(params, name + ".conv2", h).mul(params.get(name + ".gamma"));
        NDArray s = NDArrays.channels(r, 0, outHalf);
        NDArray t = NDArrays.channels(r, outHalf, 2L * outHalf);
        return new NDList(softClamp(s), t);
    }

    /** alpha * 2/pi * atan(s / alpha): smooth bound |s| < alpha on the log-scale. */
    NDArray softClamp(NDArray s) {
        return s.div(clampAlpha).atan().mul(clampAlpha * 2.0 / Math.PI);
    }

    /**
     * Maps features x (N, C, H, W) to z (same shape) and the per-pixel log-determinant (N, H, W).
     *
     * @param cond positional encoding broadcast to (N, P, H, W), or null for an unconditioned flow
     */
    public NDList forward(NDArray x, NDArray cond) {
        NDManager m = x.getManager();
        NDArray logDet = m.zeros(new ai.djl.ndarray.types.Shape(x.getShape().get(0), x.getShape().get(2), x.getShape().get(3)));
        int len2 = channels - split;
        for (int b = 0; b < kernels.length; b++) {
            x = x.get(new NDIndex(":, {}", m.create(permutations[b])));
            NDArray x1 = NDArrays.channels(x, 0, split);
            NDArray x2 = NDArrays.channels(x, split, channels);
            NDList st1 = subnet(prefix(b) + "s1", x1, cond, len2);
            NDArray y2 = x2.mul(st1.get(0).exp()).add(st1.get(1));
            NDList st2 = subnet(prefix(b) + "s2", y2, cond, split);
            NDArray y1 = x1.mul(st2.get(0).exp()).add(st2.get(1));
            logDet = logDet.add(st1.get(0).sum(new int[] {1})).add(st2.get(0).sum(new int[] {1}));
            x = NDArrays.concat(new NDList(y1, y2), 1);
        }
        return new NDList(x, logDet);
    }

    /** Exact inverse of {@link #forward}: z back to features. */
    public NDArray inverse(NDArray z, NDArray cond) {
        NDManager m = z.getManager();
        int len2 = channels - split;
        for (int b = kernels.length - 1; b >= 0; b--) {
            NDArray y1 = NDArrays.channels(z, 0, split);
            NDArray y2 = NDArrays.channels(z, split, channels);
            NDList st2 = subnet(prefix(b) + "s2", y2, cond, split);
            NDArray x1 = y1.sub(st2.get(1)).mul(st2.get(0).neg().exp());
            NDList st1 = subnet(prefix(b) + "s1", x1, cond, len2);
            NDArray x2 = y2.sub(st1.get(1)).mul(st1.get(0).neg().exp());
            z = NDArrays.concat(new NDList(x1, x2), 1).get(new NDIndex(":, {}", m.create(inversePermutations[b])));
        }
        return z;
    }

    /** Per-pixel negative log-likelihood without the constant: 0.5*|z|^2 - logdet, shape (N, H, W). */
    public static NDArray nll(NDArray z, NDArray logDet) {
        return z.square().sum(new int[] {1}).mul(0.5f).sub(logDet);
    }
}
