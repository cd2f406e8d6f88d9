package io.github.astfiji.io;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstTrainer;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.eval.Evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Trains and evaluates one model per category of an MVTec-style data set (a folder with
 * train/good and test/, or a folder of such folders) and formats the results table.
 */
public final class DatasetEvaluation {

    private DatasetEvaluation() {
    }

    /** The category folders under root: root itself if it is one, else its sub-folders that are. */
    public static List<Path> categories(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a folder");
        }
        if (Files.isDirectory(root.resolve("train/good"))) {
            return List.of(root);
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(root)) {
            out = new ArrayList<>(s.filter(p -> Files.isDirectory(p.resolve("train/good"))).sorted().toList());
        }
        if (out.isEmpty()) {
            throw new IOException(root + " holds no MVTec-style category (a folder with train/good and test/<type>)");
        }
        return out;
    }

    public static List<Evaluation.Row> run(Path root, AstConfig config, String backbone, Progress progress) throws IOException {
        List<Evaluation.Row> rows = new ArrayList<>();
        for (Path category : categories(root)) {
            SampleDataset ds = SampleDataset.open(category);
            try (NDManager m = Engines.newManager()) {
                AstTrainer trainer = new AstTrainer(config.copy(), progress);
                try (AnomalyModel model = trainer.train(ds.train, Backbones.create(backbone, m, config.imageSize, config.seed), m)) {
                    rows.add(Evaluation.evaluate(category.getFileName().toString(), model, ds.test, ds.testIsDefect, ds.masks(), progress));
                }
            }
        }
        return rows;
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    /** A Markdown table like the paper's: AUROC in %, AST and the teacher-only baseline, plus the mean. */
    public static String markdown(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| category | AST image AUROC (mean) | AST image AUROC (max) | AST pixel AUROC | teacher-only image AUROC (mean) | teacher-only image AUROC (max) | teacher-only pixel AUROC | notes |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Evaluation.Row r : rows) {
            sb.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s |%n", r.category, pct(r.imageAuroc), pct(r.imageAurocMax),
                    pct(r.pixelAuroc), pct(r.nllImageAuroc), pct(r.nllImageAurocMax), pct(r.nllPixelAuroc), r.notes));
        }
        if (rows.size() > 1) {
            sb.append(String.format("| **mean** | %s | %s | %s | %s | %s | %s | |%n",
                    pct(mean(rows, 0)), pct(mean(rows, 1)), pct(mean(rows, 2)), pct(mean(rows, 3)), pct(mean(rows, 4)), pct(mean(rows, 5))));
        }
        return sb.toString();
    }

    public static String csv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("category,normal_images,defect_images,ast_image_auroc_mean,ast_image_auroc_max,ast_pixel_auroc,"
                + "nll_image_auroc_mean,nll_image_auroc_max,nll_pixel_auroc,notes\n");
        for (Evaluation.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,\"%s\"%n", r.category, r.normalImages, r.defectImages,
                    r.imageAuroc, r.imageAurocMax, r.pixelAuroc, r.nllImageAuroc, r.nllImageAurocMax, r.nllPixelAuroc, r.notes));
        }
        return sb.toString();
    }

    /** Writes results.md and results.csv into a folder, refusing to replace files unless asked. */
    public static void write(List<Evaluation.Row> rows, Path dir, boolean overwrite) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("results.md");
        Path csv = dir.resolve("results.csv");
        ImageFiles.checkWritable(md, overwrite);
        ImageFiles.checkWritable(csv, overwrite);
        Files.writeString(md, markdown(rows), StandardCharsets.UTF_8);
        Files.writeString(csv, csv(rows), StandardCharsets.UTF_8);
    }

    private static double mean(List<Evaluation.Row> rows, int col) {
        double s = 0;
        int n = 0;
        for (Evaluation.Row r : rows) {
            double v = new double[] {r.imageAuroc, r.imageAurocMax, r.pixelAuroc, r.nllImageAuroc, r.nllImageAurocMax, r.nllPixelAuroc}[col];
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
