package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.workflow.BatchDetection;
import io.github.astfiji.workflow.ScoresTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Score images with a trained model of any method; write scores.csv and heat maps.",
        footer = {"", "Exit codes: 0 every image scored; 2 finished, but some images could not be scored (see the error column "
            + "of scores.csv); 1 nothing scored (bad model, folder or options, or no image could be read); 130 cancelled."})
final class DetectCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    /** Exit code of a batch that finished with some images not scored. */
    static final int FINISHED_WITH_ERRORS = 2;

    @Option(names = "--model", required = true, description = "Model file written by train.")
    Path model;

    @Option(names = "--images", required = true, description = "An image file, or a folder (searched recursively).")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder for scores.csv and heat maps.")
    Path out;

    @Option(names = "--backbone", description = "The backbone file the model was trained with, when it is neither where it was nor "
            + "beside the model (a TorchScript file, or a weights file). Published ImageNet weights are fetched by themselves.")
    Path backbone;

    @Option(names = "--depth", description = "Folder of depth images named like the images (MVTec 3D-AD rgb/ + xyz/ folders are paired automatically).")
    Path depth;

    @Option(names = "--masks", description = "Folder of masks, one per image with the same name (.png/.tif, or NAME_mask.png), outside "
            + "the image folder: only pixels above 0 are scored; maps are empty outside.")
    Path masks;

    @Option(names = "--overwrite", description = "Replace existing result files in the output folder.")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue a stopped batch: images already in the output folder's scores.csv are not scored again.")
    boolean resume;

    @Option(names = "--false-alarms", paramLabel = "N", description = "Sensitivity: make verdicts at N expected false alarms per "
            + "100 normal parts (e.g. 5 flags more, 0.1 fewer); default: the model's own operating point. Scores do not change.")
    Double falseAlarms;

    @Option(names = "--shard", paramLabel = "K/N", description = "Score only the K-th of N equal shares of the images (for cluster array jobs), e.g. 3/10.")
    String shard;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        ConsoleProgress progress = new ConsoleProgress(System.err);
        BatchDetection.Options options = new BatchDetection.Options();
        options.overwrite = overwrite;
        options.resume = resume;
        options.masks = masks;
        if (falseAlarms != null) {
            options.falseAlarmsPer100 = io.github.astfiji.core.score.ScoreStats.checkFalseAlarms(falseAlarms);
        }
        if (shard != null) {
            options.shard(shard);
        }
        options.problems = line -> System.err.println("Skipped " + line);
        long loading = System.nanoTime();
        ConsoleProgress fetchProgress = new ConsoleProgress(System.err);
        try (NDManager root = Engines.newManager();
             Detector m = ModelFile.read(model, root, backbone, engine.fetching(fetchProgress))) {
            double loadSeconds = (System.nanoTime() - loading) / 1e9;
            if (depth != null && !m.config().input.usesDepth()) {
                throw new IllegalArgumentException(model + " was trained on " + m.config().input.label
                        + " images only and does not use depth; leave --depth out");
            }
            List<List<Path>> pairs = DepthFiles.imagesAndDepths(ImageFiles.list(images, true), depth);
            List<Path> files = pairs.get(0);
            BatchDetection.Summary summary = BatchDetection.run(m, images, files, pairs.get(1), out, options, progress);
            List<ScoresTable.Row> rows = summary.rows;
            progress.finish();
            summary.warnings.forEach(System.err::println);
            boolean baseline = m.method().mapNames().size() > 1;
            String baseName = baseline ? m.method().mapLabel(1) : "";
            System.out.println(m.method().displayName() + " model " + model.getFileName() + ", on " + io.github.astfiji.core.engine.Engines.describe());
            System.out.printf("%-40s %-10s %12s %10s %-10s %12s%n", "image", "label", "score", "normalised", "verdict", baseName);
            for (ScoresTable.Row r : rows) {
                if (r.failed()) {
                    System.out.printf("%-40s %-10s %12s %10s %-10s%n", r.image, r.label, "-", "-", "error");
                    continue;
                }
                System.out.printf("%-40s %-10s %12.5f %10.3f %-10s %12s%n", r.image, r.label, r.score, r.normalisedScore,
                        r.verdict, baseline ? String.format(java.util.Locale.ROOT, "%.3f", r.baselineScore) : "");
            }
            printAuroc(rows.stream().filter(r -> !r.failed()).toList(), m.method().mapLabel(0), baseName);
            System.out.printf(java.util.Locale.ROOT, "Verdicts at image threshold %.5g (%s); score plot: %s%n", summary.threshold,
                    options.falseAlarmsPer100 > 0 ? options.falseAlarmsPer100 + " expected false alarms per 100 normal parts, as asked"
                            : m.stats().operatingPoint(), out.resolve(BatchDetection.PLOT_NAME));
            System.out.printf("%d images scored%s%s; scores: %s; heat maps in %s%n", summary.scored(),
                    summary.resumed > 0 ? ", " + summary.resumed + " done by an earlier run" : "",
                    summary.failures() > 0 ? ", " + summary.failures() + " could not be scored (error column)" : "",
                    out.resolve(BatchDetection.CSV_NAME), out);
            if (!summary.rows.isEmpty()) {
                System.out.printf(java.util.Locale.ROOT, "Model and engine loaded in %.1f s; images read, scored and written in %.1f s "
                        + "(%.0f ms per image, of which scoring %.0f ms)%n", loadSeconds, summary.seconds,
                        1000 * summary.seconds / summary.rows.size(), 1000 * summary.scoringSeconds / summary.rows.size());
            }
            if (summary.failures() > 0 && summary.scored() == 0 && summary.resumed == 0) {
                System.err.println("Error: none of the images could be scored; see the error column of " + out.resolve(BatchDetection.CSV_NAME));
                return 1;
            }
            return summary.failures() > 0 ? FINISHED_WITH_ERRORS : 0;
        }
    }

    /** When inputs are laid out as good/ and defect sub-folders, report the image AUROC. */
    static void printAuroc(List<ScoresTable.Row> rows, String method, String baseline) {
        boolean hasGood = rows.stream().anyMatch(r -> r.label.equals("good"));
        boolean hasBad = rows.stream().anyMatch(r -> !r.label.isEmpty() && !r.label.equals("good"));
        if (!hasGood || !hasBad) {
            return;
        }
        float[] s = new float[rows.size()];
        float[] nll = new float[rows.size()];
        boolean[] bad = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            s[i] = rows.get(i).score;
            nll[i] = rows.get(i).baselineScore;
            bad[i] = !rows.get(i).label.equals("good");
        }
        System.out.printf("Image AUROC (good vs defect sub-folders): %s %.3f%s%n", method, Auroc.of(s, bad),
                baseline.isEmpty() ? "" : String.format(java.util.Locale.ROOT, ", %s %.3f", baseline, Auroc.of(nll, bad)));
    }
}
