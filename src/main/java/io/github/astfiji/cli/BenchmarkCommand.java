package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.SampleDataset;
import io.github.astfiji.workflow.PeakMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Ablations for BENCHMARKS.md, for any method: detection quality per backbone and setting,
 * time per phase epoch, scoring time and peak memory. Comparisons between methods use
 * {@code evaluate --methods}.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Ablations: train and evaluate one method on MVTec-style folders per backbone and seed; print image AUROC "
                + "(mean and max of every map), timings and peak memory. Architecture settings with --set NAME=VALUE.")
final class BenchmarkCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--data", split = ",", defaultValue = "test-images", description = "Data set folders (comma-separated).")
    List<Path> data;

    @Option(names = "--method", completionCandidates = MethodIds.class, description = "${COMPLETION-CANDIDATES} (default: the first).")
    String method;

    @Option(names = "--backbones", split = ",", description = "Backbones to compare (default: the method's built-in).")
    List<String> backbones;

    @Option(names = "--seeds", defaultValue = "1", description = "Number of seeds per setting.")
    int seeds;

    @Option(names = "--lr", description = "Learning rate (default: the preset's).")
    Float learningRate;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        Method m = Methods.get(method);
        List<String> specs = backbones == null ? List.of(m.defaultBackbone()) : backbones;
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s %-22s %4s", "data", "backbone", "seed"));
        for (int k = 0; k < m.mapNames().size(); k++) {
            header.append(String.format(Locale.ROOT, " %12s %12s", m.mapLabel(k), m.mapLabel(k) + " max"));
        }
        header.append(String.format(Locale.ROOT, " %8s %s %8s %7s", "feat ms", "s/epoch per phase", "det ms", "peak MB"));
        System.out.println(header);
        for (Path root : data) {
            SampleDataset ds = SampleDataset.open(root);
            for (String bb : specs) {
                for (int seed = 0; seed < seeds; seed++) {
                    runOne(m, root, ds, bb, seed);
                }
            }
        }
        return 0;
    }

    private void runOne(Method m, Path root, SampleDataset ds, String bbSpec, int seed) throws Exception {
        options.seed = seed;
        DetectorConfig c = options.config(m);
        if (learningRate != null) {
            c.learningRate = learningRate;
        }
        if (batchSize != null) {
            c.batchSize = batchSize;
        }
        try (NDManager root0 = Engines.newManager()) {
            Trainer trainer = new Trainer(m, c, Progress.NONE);
            try (Detector d = trainer.train(ds.train, BackboneSetup.create(bbSpec, m.defaultBackbone(), root0, c.imageSize, seed), root0)) {
                Trainer.History h = trainer.history();
                int n = ds.test.size();
                int maps = m.mapNames().size();
                float[][] s = new float[2 * maps][n];
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    FloatImage im = ds.test.get(i).load();
                    AnomalyMaps r = d.score(im, ds.test.get(i).depth(), ds.test.get(i).mask());
                    for (int k = 0; k < maps; k++) {
                        s[2 * k][i] = r.get(k).meanScore;
                        s[2 * k + 1][i] = r.get(k).maxScore;
                    }
                }
                double detMs = (System.nanoTime() - t0) / 1e6 / n;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s %-22s %4d", root.getFileName(),
                        bbSpec.replace("builtin:", ""), seed));
                for (float[] scores : s) {
                    line.append(String.format(Locale.ROOT, " %12.3f", Auroc.of(scores, ds.testIsDefect)));
                }
                line.append(String.format(Locale.ROOT, " %8.1f", h.featureSeconds * 1000 / ds.train.size()));
                List<String> perPhase = new ArrayList<>();
                for (int p = 0; p < h.phases.size(); p++) {
                    perPhase.add(String.format(Locale.ROOT, "%s %.2f", h.phases.get(p), h.seconds.get(p) / Math.max(1, h.losses.get(p).length)));
                }
                line.append(' ').append(String.join(", ", perPhase));
                line.append(String.format(Locale.ROOT, " %8.1f %7d", detMs, PeakMemory.megabytes()));
                System.out.println(line);
            }
        }
    }
}
