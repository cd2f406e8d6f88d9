package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.Preset;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.Methods;
import io.github.astfiji.core.detector.Scores;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.SampleDataset;
import io.github.astfiji.workflow.PeakMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * AST's ablations for BENCHMARKS.md: detection quality per backbone and architecture
 * setting, speed and peak memory. Comparisons between methods use {@code evaluate --methods}.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "AST ablations: train and evaluate on MVTec-style folders; print image AUROC, timings and peak memory.")
final class BenchmarkCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

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
        engine.apply();
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
        AstConfig c = (AstConfig) Methods.config(Methods.AST, Preset.fromName(preset).cliName(), epochs == null ? 0 : epochs,
                imageSize == null ? 0 : imageSize);
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
            Trainer trainer = new Trainer(Methods.AST, c, Progress.NONE);
            try (Detector m = trainer.train(ds.train, Backbones.create(bbSpec, root0, c.imageSize, seed), root0)) {
                Trainer.History h = trainer.history();
                int n = ds.test.size();
                float[][] s = new float[4][n];
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    FloatImage im = ds.test.get(i).load();
                    Scores r = m.score(im, ds.test.get(i).depth(), ds.test.get(i).mask());
                    s[0][i] = r.primary().meanScore;
                    s[1][i] = r.primary().maxScore;
                    s[2][i] = r.baseline().meanScore;
                    s[3][i] = r.baseline().maxScore;
                }
                double detMs = (System.nanoTime() - t0) / 1e6 / n;
                System.out.printf("%-22s %-22s %4d %9.3f %9.3f %9.3f %9.3f %8.1f %8.2f %8.2f %8.1f %7d%n",
                        root.getFileName(), bbSpec.replace("builtin:", ""), seed,
                        Auroc.of(s[0], ds.testIsDefect), Auroc.of(s[1], ds.testIsDefect),
                        Auroc.of(s[2], ds.testIsDefect), Auroc.of(s[3], ds.testIsDefect),
                        h.featureSeconds * 1000 / ds.train.size(),
                        h.seconds.get(0) / Math.max(1, c.teacherEpochs), h.seconds.get(1) / Math.max(1, c.studentEpochs),
                        detMs, PeakMemory.megabytes());
            }
        }
    }

}
