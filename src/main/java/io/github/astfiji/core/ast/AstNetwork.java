package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.HashMap;
import java.util.Map;

/** Teacher flow, student CNN and their shared positional condition, over one parameter set. */
public final class AstNetwork implements AutoCloseable {

    private final AstConfig config;
    private final int featureChannels;
    private final Params params;
    private final CouplingFlow teacher;
    private final Student student;
    private final Map<Long, float[]> encodings = new HashMap<>();

    public AstNetwork(NDManager manager, AstConfig config, int featureChannels) {
        config.validate();
        this.config = config;
        this.featureChannels = featureChannels;
        this.params = new Params(manager);
        int p = config.positionalChannels;
        this.teacher = new CouplingFlow(params, featureChannels, p, config.flowHidden, config.flowKernels,
                config.clampAlpha, config.seed);
        this.student = new Student(params, featureChannels + p, featureChannels, config.studentHidden,
                config.studentBlocks, config.seed);
    }

    public AstConfig config() {
        return config;
    }

    public int featureChannels() {
        return featureChannels;
    }

    public Params params() {
        return params;
    }

    public CouplingFlow teacher() {
        return teacher;
    }

    /** Positional encoding for a batch of n maps of h x w, or null when switched off. */
    public NDArray condition(NDManager m, long n, long h, long w) {
        int p = config.positionalChannels;
        if (p == 0) {
            return null;
        }
        float[] pe = encodings.computeIfAbsent(h * 100_000 + w, k -> PositionalEncoding.encode(p, (int) h, (int) w));
        return m.create(pe, new Shape(1, p, h, w)).repeat(0, n);
    }

    private NDArray conditionFor(NDArray features) {
        Shape s = features.getShape();
        return condition(features.getManager(), s.get(0), s.get(2), s.get(3));
    }

    /** Teacher: features -> (z, per-pixel log-determinant). */
    public NDList teacherForward(NDArray features) {
        return teacher.forward(features, conditionFor(features));
    }

    /** Student: features -> its estimate of the teacher's z. */
    public NDArray studentForward(NDArray features, boolean training) {
        NDArray cond = conditionFor(features);
        NDArray in = cond == null ? features : NDArrays.concat(new NDList(cond, features), 1);
        return student.forward(in, training);
    }

    /** Per-pixel student-teacher distance: mean over channels of the squared difference, (N, H, W). */
    public static NDArray distance(NDArray zTeacher, NDArray zStudent) {
        return zTeacher.sub(zStudent).square().mean(new int[] {1});
    }

    /** Inference maps for a batch of features: AST distance and teacher-only NLL, both (N, H, W). */
    public NDList maps(NDArray features) {
        NDList t = teacherForward(features);
        NDArray zs = studentForward(features, false);
        return new NDList(distance(t.get(0), zs), CouplingFlow.nll(t.get(0), t.get(1)));
    }

    @Override
    public void close() {
        params.close();
    }
}
