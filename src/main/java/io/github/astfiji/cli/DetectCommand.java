package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.workflow.BatchDetection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Score images with a trained model of any method; write scores.csv and heat maps.")
final class DetectCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model file written by train.")
    Path model;

    @Option(names = "--images", required = true, description = "An image file, or a folder (searched recursively).")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder for scores.csv and heat maps.")
    Path out;

    @Option(names = "--backbone", description = "TorchScript backbone file, if not beside the model.")
    Path backbone;

    @Option(names = "--depth", description = "Folder of depth images named like the images (MVTec 3D-AD rgb/ + xyz/ folders are paired automatically).")
    Path depth;

    @Option(names = "--overwrite", description = "Replace existing result files in the output folder.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        List<List<Path>> pairs = DepthFiles.imagesAndDepths(ImageFiles.list(images, true), depth);
        List<Path> files = pairs.get(0);
        ConsoleProgress progress = new ConsoleProgress(System.err);
        try (NDManager root = Engines.newManager(); Detector m = ModelFile.read(model, root, backbone)) {
            List<BatchDetection.Row> rows = BatchDetection.run(m, images, files, pairs.get(1), out, overwrite, progress);
            progress.finish();
            boolean baseline = m.method().mapNames().size() > 1;
            String baseName = baseline ? m.method().mapLabel(1) : "";
            System.out.println(m.method().displayName() + " model " + model.getFileName());
            System.out.printf("%-40s %-10s %12s %10s %-10s %12s%n", "image", "label", "score", "normalised", "verdict", baseName);
            for (BatchDetection.Row r : rows) {
                System.out.printf("%-40s %-10s %12.5f %10.3f %-10s %12s%n", r.image, r.label, r.score, r.normalisedScore,
                        r.verdict, baseline ? String.format(java.util.Locale.ROOT, "%.3f", r.baselineScore) : "");
            }
            printAuroc(rows, m.method().mapLabel(0), baseName);
            System.out.println("Scores: " + out.resolve(BatchDetection.CSV_NAME) + "; heat maps in " + out);
        }
        return 0;
    }

    /** When inputs are laid out as good/ and defect sub-folders, report the image AUROC. */
    static void printAuroc(List<BatchDetection.Row> rows, String method, String baseline) {
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
