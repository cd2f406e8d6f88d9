package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreMode;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstTrainer;
import io.github.astfiji.core.ast.Preset;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.io.SampleDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Figures for BENCHMARKS.md: detection quality per backbone/preset, speed and peak memory. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Train and evaluate on MVTec-style folders; print image AUROC, timings and peak memory.")
final class BenchmarkCommand implements Callable<Integer> {

    @Option(names = "--data", split = ",", defaultValue = "test-images", description = "Data set folders (comma-separated).")
    List<Path> data;

    @Option(names = "--backbones", split = ",", defaultValue = "builtin:random-cnn,builtin:filter-bank")
    List<String> backbones;

    @Option(names = "--preset", defaultValue = "cpu")
    String preset;

    @Option(names = "--seeds", defaultValue = "1", description = "Number of seeds per setting.")
    int seeds;

    @Option(names = "--epochs", description = "Epochs per phase (default: the preset's).")
    Integer epochs;

    @Option(names = "--image-size")
    Integer imageSize;

    @Option(names = "--flow-hidden")
    Integer flowHidden;

    @Option(names = "--student-hidden")
    Integer studentHidden;

    @Option(names = "--student-blocks")
    Integer studentBlocks;

    @Option(names = "--lr", description = "Learning rate (default: the preset's).")
    Float learningRate;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--no-positional", description = "Switch off the positional encoding (ablation).")
    boolean noPositional;

    @Override
    public Integer call() throws Exception {
        System.out.printf("%-22s %-22s %4s %9s %9s %9s %9s %8s %8s %8s %8s %7s%n", "data", "backbone", "seed",
                "AUROC", "AUROCmax", "NLL", "NLLmax", "feat ms", "T s/ep", "S s/ep", "det ms", "peak MB");
        for (Path root : data) {
            SampleDataset ds = SampleDataset.open(root);
            for (String bb : backbones) {
                for (int seed = 0; seed < seeds; seed++) {
                    runOne(root, ds, bb, seed);
                }
            }
        }
        return 0;
    }

    private void runOne(Path root, SampleDataset ds, String bbSpec, int seed) throws Exception {
        AstConfig c = Preset.fromName(preset).config(epochs == null ? 0 : epochs, imageSize == null ? 0 : imageSize);
        c.seed = seed;
        if (flowHidden != null) {
            c.flowHidden = flowHidden;
        }
        if (studentHidden != null) {
            c.studentHidden = studentHidden;
        }
        if (studentBlocks != null) {
            c.studentBlocks = studentBlocks;
        }
        if (learningRate != null) {
            c.learningRate = learningRate;
        }
        if (batchSize != null) {
            c.batchSize = batchSize;
        }
        if (noPositional) {
            c.positionalChannels = 0;
        }
        try (NDManager root0 = Engines.newManager()) {
            AstTrainer trainer = new AstTrainer(c, Progress.NONE);
            try (AnomalyModel m = trainer.train(ds.train, Backbones.create(bbSpec, root0, c.imageSize, seed), root0)) {
                AstTrainer.History h = trainer.history();
                int n = ds.test.size();
                float[][] s = new float[4][n];
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    FloatImage im = ds.test.get(i).load();
                    Map<ScoreMode, ScoreResult> r = m.score(im, ds.test.get(i).depth(), ds.test.get(i).mask());
                    s[0][i] = r.get(ScoreMode.AST).meanScore;
                    s[1][i] = r.get(ScoreMode.AST).maxScore;
                    s[2][i] = r.get(ScoreMode.TEACHER_NLL).meanScore;
                    s[3][i] = r.get(ScoreMode.TEACHER_NLL).maxScore;
                }
                double detMs = (System.nanoTime() - t0) / 1e6 / n;
                System.out.printf("%-22s %-22s %4d %9.3f %9.3f %9.3f %9.3f %8.1f %8.2f %8.2f %8.1f %7d%n",
                        root.getFileName(), bbSpec.replace("builtin:", ""), seed,
                        Auroc.of(s[0], ds.testIsDefect), Auroc.of(s[1], ds.testIsDefect),
                        Auroc.of(s[2], ds.testIsDefect), Auroc.of(s[3], ds.testIsDefect),
                        h.featureSeconds * 1000 / ds.train.size(),
                        h.teacherSeconds / Math.max(1, c.teacherEpochs), h.studentSeconds / Math.max(1, c.studentEpochs),
                        detMs, peakRssMb());
            }
        }
    }

    /** Peak resident memory of the process (Java heap and native tensors), from /proc. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

}
