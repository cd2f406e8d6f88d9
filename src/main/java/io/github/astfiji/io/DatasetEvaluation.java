package io.github.astfiji.io;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstTrainer;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.model.ModelFile;

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
        if (SampleDataset.isCategory(root)) {
            return List.of(root);
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(root)) {
            out = new ArrayList<>(s.filter(SampleDataset::isCategory).sorted().toList());
        }
        if (out.isEmpty()) {
            throw new IOException(root + " holds no MVTec-style category (a folder with train/good and test/<type>)");
        }
        return out;
    }

    /**
     * Trains one model per category (or loads modelDir/&lt;category&gt;.ast when modelDir holds
     * one), evaluates it on the category's test images and returns one row per category.
     * With saveModels set, trained models are saved there (never over an existing file).
     */
    public static List<Evaluation.Row> run(Path root, AstConfig config, String backbone, Path modelDir, boolean saveModels,
                                           Progress progress) throws IOException {
        List<Evaluation.Row> rows = new ArrayList<>();
        for (Path category : categories(root)) {
            progress.checkCancelled();
            String name = category.getFileName().toString();
            SampleDataset ds = SampleDataset.open(category);
            Path saved = modelDir == null ? null : modelDir.resolve(name + ".ast");
            try (NDManager m = Engines.newManager()) {
                AnomalyModel model;
                if (saved != null && Files.isRegularFile(saved) && !saveModels) {
                    model = ModelFile.read(saved, m, null);
                } else {
                    if (config.input.usesDepth() && !ds.hasDepth) {
                        throw new IllegalArgumentException("category " + name + " has no depth images (train/good/xyz) but the input mode is "
                                + config.input.label + "; use --input rgb, or a data set in the MVTec 3D-AD layout");
                    }
                    AstTrainer trainer = new AstTrainer(config.copy(), progress);
                    model = trainer.train(ds.train, Backbones.create(backbone, m, config.imageSize, config.seed), m);
                    if (saved != null) {
                        Files.createDirectories(modelDir);
                        ModelFile.write(model, saved, false);
                    }
                }
                try (model) {
                    Evaluation.Row row = ds.test.isEmpty() ? new Evaluation.Row()
                            : Evaluation.evaluate(name, model, ds.test, ds.testIsDefect, ds.testLabels, ds.masks(), progress);
                    row.category = name;
                    List<String> notes = new ArrayList<>(ds.notes);
                    if (!row.notes.isEmpty() && !notes.contains(row.notes)) {
                        notes.add(row.notes);
                    }
                    row.notes = String.join("; ", notes);
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    /** Columns of the results table, in order: header text and value of a row. */
    private static final List<String> HEADERS = List.of("AST image AUROC (mean)", "AST image AUROC (max)", "AST pixel AUROC", "AST AUPRO",
            "AST F1-max", "teacher-only image AUROC (mean)", "teacher-only image AUROC (max)", "teacher-only pixel AUROC",
            "teacher-only AUPRO");
    private static final List<String> CSV_NAMES = List.of("ast_image_auroc_mean", "ast_image_auroc_max", "ast_pixel_auroc", "ast_aupro",
            "ast_f1_max", "nll_image_auroc_mean", "nll_image_auroc_max", "nll_pixel_auroc", "nll_aupro");

    static double[] values(Evaluation.Row r) {
        return new double[] {r.imageAuroc, r.imageAurocMax, r.pixelAuroc, r.aupro, r.f1Max,
            r.nllImageAuroc, r.nllImageAurocMax, r.nllPixelAuroc, r.nllAupro};
    }

    /** A Markdown table like the paper's Tables 2/3 (in %), AST and the teacher-only baseline, plus the mean. */
    public static String markdown(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("| category | ").append(String.join(" | ", HEADERS)).append(" | notes |\n|");
        for (int i = 0; i < HEADERS.size() + 2; i++) {
            sb.append(" --- |");
        }
        sb.append('\n');
        for (Evaluation.Row r : rows) {
            sb.append("| ").append(r.category);
            for (double v : values(r)) {
                sb.append(" | ").append(pct(v));
            }
            sb.append(" | ").append(r.notes).append(" |\n");
        }
        if (rows.size() > 1) {
            sb.append("| **mean**");
            for (int c = 0; c < HEADERS.size(); c++) {
                sb.append(" | ").append(pct(mean(rows, c)));
            }
            sb.append(" | |\n");
        }
        return sb.toString();
    }

    public static String csv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("category,normal_images,defect_images,").append(String.join(",", CSV_NAMES))
                .append(",f1_threshold,notes\n");
        for (Evaluation.Row r : rows) {
            sb.append(r.category).append(',').append(r.normalImages).append(',').append(r.defectImages);
            for (double v : values(r)) {
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v));
            }
            sb.append(',').append(Double.isNaN(r.f1Threshold) ? "" : String.format(Locale.ROOT, "%.6g", r.f1Threshold));
            sb.append(",\"").append(r.notes.replace("\"", "'")).append("\"\n");
        }
        return sb.toString();
    }

    /** Image AUROC per category and defect type (model's image score), AST and teacher-only. */
    public static String byTypeCsv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("category,defect_type,ast_image_auroc,nll_image_auroc\n");
        for (Evaluation.Row r : rows) {
            r.byType.forEach((type, v) -> sb.append(String.format(Locale.ROOT, "%s,%s,%.4f,%.4f%n", r.category, type, v[0], v[1])));
        }
        return sb.toString();
    }

    /** Writes results.md, results.csv and results_by_type.csv into a folder, refusing to replace files unless asked. */
    public static void write(List<Evaluation.Row> rows, Path dir, boolean overwrite) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("results.md");
        Path csv = dir.resolve("results.csv");
        ImageFiles.checkWritable(md, overwrite);
        Path types = dir.resolve("results_by_type.csv");
        ImageFiles.checkWritable(csv, overwrite);
        ImageFiles.checkWritable(types, overwrite);
        Files.writeString(md, markdown(rows), StandardCharsets.UTF_8);
        Files.writeString(csv, csv(rows), StandardCharsets.UTF_8);
        Files.writeString(types, byTypeCsv(rows), StandardCharsets.UTF_8);
    }

    private static double mean(List<Evaluation.Row> rows, int col) {
        double s = 0;
        int n = 0;
        for (Evaluation.Row r : rows) {
            double v = values(r)[col];
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
