package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Teacher flow, student CNN and their shared positional condition, over one parameter set.
 * Training is the paper's two phases: the flow by maximum likelihood, then the student on
 * the frozen teacher's outputs (cached once); both losses masked by the foreground.
 */
public final class AstNetwork implements MethodNetwork {

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

    @Override
    public List<TrainingPhase> phases() {
        return List.of(new TeacherPhase(), new StudentPhase());
    }

    /** Sum of loss*mask over the sum of mask: the masked per-pixel mean. */
    public static NDArray maskedMean(NDArray perPixel, NDArray mask) {
        return perPixel.mul(mask).sum().div(mask.sum().maximum(1f));
    }

    private static NDArray features(NDList inputs) {
        return inputs.get(inputs.size() - 1);
    }

    private List<String> trainable(String prefix) {
        return params.trainableNames().stream().filter(s -> s.startsWith(prefix)).toList();
    }

    private final class TeacherPhase implements TrainingPhase {
        @Override
        public String name() {
            return "teacher (flow)";
        }

        @Override
        public int epochs() {
            return config.teacherEpochs;
        }

        @Override
        public List<String> parameters() {
            return trainable("teacher.");
        }

        @Override
        public NDArray loss(TrainingSet.Batch batch) {
            NDArray x = features(batch.inputs());
            if (config.featureNoise > 0) {
                // a floor under every feature's spread: the flow cannot shrink near-constant
                // features (dark, empty tiles) into an unbounded density
                x = x.add(x.getManager().randomNormal(0f, config.featureNoise, x.getShape(), x.getDataType()));
            }
            NDList out = teacherForward(x);
            return maskedMean(CouplingFlow.nll(out.get(0), out.get(1)), batch.masks());
        }
    }

    private final class StudentPhase implements TrainingPhase {
        private NDArray targets;

        @Override
        public String name() {
            return "student";
        }

        @Override
        public int epochs() {
            return config.studentEpochs;
        }

        @Override
        public List<String> parameters() {
            return trainable("student.");
        }

        @Override
        public void begin(TrainingSet data) {
            // the teacher is frozen from here on: its outputs are computed once
            targets = data.mapInBatches(config.batchSize, in -> teacherForward(features(in)).get(0));
        }

        @Override
        public NDArray loss(TrainingSet.Batch batch) {
            NDArray zs = studentForward(features(batch.inputs()), true);
            return maskedMean(distance(batch.rows(targets), zs), batch.masks());
        }
    }

    public int featureChannels() {
        return featureChannels;
    }

    @Override
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

    /** Inference maps for a batch of inputs: AST distance and teacher-only NLL, both (N, H, W). */
    @Override
    public NDList maps(NDList inputs) {
        NDArray features = features(inputs);
        NDList t = teacherForward(features);
        NDArray zs = studentForward(features, false);
        return new NDList(distance(t.get(0), zs), CouplingFlow.nll(t.get(0), t.get(1)));
    }

    @Override
    public void close() {
        params.close();
    }
}
