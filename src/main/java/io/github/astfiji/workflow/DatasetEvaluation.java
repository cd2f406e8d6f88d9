package io.github.astfiji.workflow;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.core.train.TrainingFailedException;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.Plots;
import io.github.astfiji.io.SampleDataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Trains and evaluates one model per category and method of an MVTec-style data set (a
 * folder with train/good and test/, or a folder of such folders) and formats the results
 * table: a block of rows per method (and per baseline, e.g. AST's teacher-only), with
 * training time, scoring time per image and peak memory beside the metrics.
 */
public final class DatasetEvaluation {

    /** One method to evaluate: its configuration and backbone (null = the method's built-in default). */
    public static final class Run {
        public final Method method;
        public final DetectorConfig config;
        public final String backbone;

        public Run(Method method, DetectorConfig config, String backbone) {
            this.method = method;
            this.config = config;
            this.backbone = backbone;
        }
    }

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

    /** Where a category's model is kept: category, the method's suffix (e.g. "-rd"; none for AST, as in earlier versions), ".ast". */
    public static Path modelFile(Path modelDir, String category, Method method) {
        return modelDir.resolve(category + method.modelFileSuffix() + ModelFile.EXTENSION);
    }

    /**
     * For every category and method: trains a model (or loads it from modelDir when one is
     * there), evaluates it on the category's test images and returns its rows (one per map,
     * in method order, categories within). With saveModels set, trained models are saved
     * in modelDir (never over an existing file).
     */
    public static List<Evaluation.Row> run(Path root, List<Run> runs, Path modelDir, boolean saveModels,
                                           Progress progress) throws IOException {
        List<Path> categories = categories(root);
        List<Evaluation.Row> rows = new ArrayList<>();
        for (Run run : runs) {
            List<List<Evaluation.Row>> perCategory = new ArrayList<>();
            for (Path category : categories) {
                progress.checkCancelled();
                try {
                    perCategory.add(runOne(category, run, modelDir, saveModels, progress));
                } catch (TrainingFailedException e) {
                    // one method's failed training must not stop the comparison, nor look like chance-level results
                    perCategory.add(failedRows(category.getFileName().toString(), run.method, e.getMessage()));
                }
            }
            // a block per map (the method's own, then its baselines), categories within
            for (int k = 0; k < run.method.mapNames().size(); k++) {
                for (List<Evaluation.Row> r : perCategory) {
                    rows.add(r.get(k));
                }
            }
        }
        return rows;
    }

    /** Rows that say the method failed on this category, with the reason; every metric left empty. */
    static List<Evaluation.Row> failedRows(String category, Method method, String reason) {
        List<Evaluation.Row> rows = new ArrayList<>();
        for (int k = 0; k < method.mapNames().size(); k++) {
            Evaluation.Row r = new Evaluation.Row();
            r.method = method.mapLabel(k);
            r.category = category;
            r.failed = true;
            r.notes = "FAILED: " + reason;
            rows.add(r);
        }
        return rows;
    }

    private static List<Evaluation.Row> runOne(Path category, Run run, Path modelDir, boolean saveModels, Progress progress)
            throws IOException {
        String name = category.getFileName().toString();
        SampleDataset ds = SampleDataset.open(category);
        Path saved = modelDir == null ? null : modelFile(modelDir, name, run.method);
        boolean memory = PeakMemory.reset();
        double trainSeconds = Double.NaN;
        double recoveries = Double.NaN;
        Trainer.History history = null;
        try (NDManager m = Engines.newManager()) {
            Detector model;
            if (saved != null && Files.isRegularFile(saved) && !saveModels) {
                model = ModelFile.read(saved, m, null);
                String problem = model.stats().problem();
                if (problem != null) {
                    model.close();
                    throw new TrainingFailedException("the saved model " + saved.getFileName() + " cannot judge images: " + problem);
                }
            } else {
                DetectorConfig config = run.config.copy();
                if (saved == null) {
                    // the metrics do not use thresholds, and the model is not kept: no calibration folds needed
                    config.calibrationFolds = 0;
                }
                if (config.input.usesDepth() && !ds.hasDepth) {
                    throw new IllegalArgumentException("category " + name + " has no depth images (train/good/xyz) but the input mode is "
                            + config.input.label + "; use --input rgb, or a data set in the MVTec 3D-AD layout");
                }
                Trainer trainer = new Trainer(run.method, config, progress);
                model = trainer.train(ds.train, BackboneSetup.forTraining(run.method, config, run.backbone, ds.train, m, progress), m);
                trainSeconds = trainer.history().totalSeconds();
                recoveries = trainer.history().recoveries.size();
                history = trainer.history();
                if (saved != null) {
                    Files.createDirectories(modelDir);
                    ModelFile.write(model, saved, false);
                }
            }
            try (model) {
                List<Evaluation.Row> rows;
                if (ds.test.isEmpty()) {
                    rows = new ArrayList<>();
                    for (int k = 0; k < run.method.mapNames().size(); k++) {
                        Evaluation.Row empty = new Evaluation.Row();
                        empty.method = run.method.mapLabel(k);
                        rows.add(empty);
                    }
                } else {
                    rows = Evaluation.evaluate(name, model, ds.test, ds.testIsDefect, ds.testLabels, ds.masks(), progress);
                }
                long peak = memory ? PeakMemory.megabytes() : -1;
                for (Evaluation.Row row : rows) {
                    row.category = name;
                    row.trainSeconds = trainSeconds;
                    row.recoveries = recoveries;
                    if (history != null && row.method.equals(run.method.mapLabel(0))) {
                        for (int p = 0; p < history.phases.size(); p++) {
                            row.losses.put(history.phases.get(p), history.losses.get(p));
                        }
                    }
                    row.peakMemoryMb = peak < 0 ? Double.NaN : peak;
                    List<String> notes = new ArrayList<>(ds.notes);
                    if (!row.notes.isEmpty() && !notes.contains(row.notes)) {
                        notes.add(row.notes);
                    }
                    row.notes = String.join("; ", notes);
                }
                return rows;
            }
        }
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static String num(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    /** Columns of the results table after method and category: header, CSV name, and whether the value is a fraction (shown in %). */
    private static final List<String> HEADERS = List.of("image AUROC (mean)", "image AUROC (max)", "image AUROC (model's score)", "pixel AUROC", "AUPRO", "F1-max",
            "missed at 5 % false alarms", "train s", "ms/image", "peak MB", "false alarms", "misses", "recoveries");
    private static final List<String> CSV_NAMES = List.of("image_auroc_mean", "image_auroc_max", "image_auroc_score", "pixel_auroc", "aupro", "f1_max",
            "missed_at_5pct_false_alarms", "train_seconds", "ms_per_image", "peak_memory_mb", "false_alarms", "misses", "recoveries");
    private static final int FRACTIONS = 7;

    static double[] values(Evaluation.Row r) {
        return new double[] {r.imageAuroc, r.imageAurocMax, r.imageAurocScore, r.pixelAuroc, r.aupro, r.f1Max, r.missedAtFivePercent, r.trainSeconds, r.msPerImage, r.peakMemoryMb,
            r.falseAlarms, r.misses, r.recoveries};
    }

    private static String cell(double v, int column) {
        if (column < FRACTIONS) {
            return pct(v);
        }
        return num(v, column == CSV_NAMES.indexOf("ms_per_image") ? "%.1f" : "%.0f");
    }

    /**
     * A Markdown table like the paper's Tables 2/3 (metrics in %): a block of rows per method
     * (and baseline), one row per category, and the block's mean when it has several.
     */
    public static String markdown(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("| method | category | ").append(String.join(" | ", HEADERS)).append(" | notes |\n|");
        for (int i = 0; i < HEADERS.size() + 3; i++) {
            sb.append(" --- |");
        }
        sb.append('\n');
        for (String method : methods(rows)) {
            List<Evaluation.Row> block = rows.stream().filter(r -> r.method.equals(method)).toList();
            for (Evaluation.Row r : block) {
                sb.append("| ").append(r.method).append(" | ").append(r.category);
                double[] v = values(r);
                for (int c = 0; c < v.length; c++) {
                    sb.append(" | ").append(r.failed ? "**failed**" : cell(v[c], c));
                }
                sb.append(" | ").append(r.notes).append(" |\n");
            }
            if (block.size() > 1) {
                sb.append("| ").append(method).append(" | **mean**");
                for (int c = 0; c < HEADERS.size(); c++) {
                    sb.append(" | ").append(cell(mean(block, c), c));
                }
                sb.append(" | |\n");
            }
        }
        return sb.toString();
    }

    /** Method labels in order of first appearance. */
    private static List<String> methods(List<Evaluation.Row> rows) {
        List<String> out = new ArrayList<>();
        for (Evaluation.Row r : rows) {
            if (!out.contains(r.method)) {
                out.add(r.method);
            }
        }
        return out;
    }

    public static String csv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("method,category,normal_images,defect_images,").append(String.join(",", CSV_NAMES))
                .append(",f1_threshold,notes\n");
        for (Evaluation.Row r : rows) {
            sb.append(r.method).append(',').append(r.category).append(',').append(r.normalImages).append(',').append(r.defectImages);
            for (double v : values(r)) {
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v));
            }
            sb.append(',').append(Double.isNaN(r.f1Threshold) ? "" : String.format(Locale.ROOT, "%.6g", r.f1Threshold));
            sb.append(",\"").append(r.notes.replace("\"", "'")).append("\"\n");
        }
        return sb.toString();
    }

    /** The trainings' loss per epoch: method, category, phase, epoch (from 1), loss. */
    public static String lossesCsv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("method,category,phase,epoch,loss\n");
        for (Evaluation.Row r : rows) {
            r.losses.forEach((phase, v) -> {
                for (int e = 0; e < v.length; e++) {
                    sb.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.6g%n", r.method, r.category, phase, e + 1, v[e]));
                }
            });
        }
        return sb.toString();
    }

    /** Image AUROC and misses at the model's threshold per method, category and defect type (model's image score). */
    public static String byTypeCsv(List<Evaluation.Row> rows) {
        StringBuilder sb = new StringBuilder("method,category,defect_type,image_auroc,misses\n");
        for (Evaluation.Row r : rows) {
            r.byType.forEach((type, v) -> sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%d%n", r.method, r.category, type, v,
                    r.missesByType.getOrDefault(type, 0))));
        }
        return sb.toString();
    }

    /**
     * Writes results.md, results.csv, results_by_type.csv, losses.csv and, per method and category, the
     * ROC curve, the per-region-overlap curve and the image-score histogram as PNGs
     * (METHOD_CATEGORY_roc.png, _pro.png, _scores.png); refuses to replace files unless asked.
     * Returns the pictures written.
     */
    public static List<Path> write(List<Evaluation.Row> rows, Path dir, boolean overwrite) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("results.md");
        Path csv = dir.resolve("results.csv");
        ImageFiles.checkWritable(md, overwrite);
        Path types = dir.resolve("results_by_type.csv");
        Path losses = dir.resolve("losses.csv");
        ImageFiles.checkWritable(csv, overwrite);
        ImageFiles.checkWritable(types, overwrite);
        ImageFiles.checkWritable(losses, overwrite);
        List<Path> pictures = new ArrayList<>();
        for (Evaluation.Row r : rows) {
            String stem = (r.method + "_" + r.category).replaceAll("[^A-Za-z0-9._-]", "-");
            if (!r.rocCurve.isEmpty()) {
                pictures.add(dir.resolve(stem + "_roc.png"));
                pictures.add(dir.resolve(stem + "_scores.png"));
            }
            if (!r.proCurve.isEmpty()) {
                pictures.add(dir.resolve(stem + "_pro.png"));
            }
        }
        for (Path p : pictures) {
            ImageFiles.checkWritable(p, overwrite);
        }
        Files.writeString(md, markdown(rows), StandardCharsets.UTF_8);
        Files.writeString(csv, csv(rows), StandardCharsets.UTF_8);
        Files.writeString(types, byTypeCsv(rows), StandardCharsets.UTF_8);
        Files.writeString(losses, lossesCsv(rows), StandardCharsets.UTF_8);
        for (Evaluation.Row r : rows) {
            String stem = (r.method + "_" + r.category).replaceAll("[^A-Za-z0-9._-]", "-");
            if (!r.rocCurve.isEmpty()) {
                Plots.save(Plots.roc(r), dir.resolve(stem + "_roc.png"));
                Plots.save(Plots.histogram(r), dir.resolve(stem + "_scores.png"));
            }
            if (!r.proCurve.isEmpty()) {
                Plots.save(Plots.pro(r), dir.resolve(stem + "_pro.png"));
            }
        }
        return pictures;
    }

    /** Mean of a column over the rows that have a value. */
    public static double mean(List<Evaluation.Row> rows, int col) {
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
