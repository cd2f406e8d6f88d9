package io.github.astfiji.workflow;

import ij.ImagePlus;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.Scores;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scores a list of image files with a model of any method and writes, per image, a 32-bit heat map
 * (TIFF, the raw anomaly map at image size), a colour heat map and an overlay (PNG),
 * plus one CSV of scores. Heat-map colours use the training set's statistics, never
 * per-image min/max, so a normal image stays dark.
 */
public final class BatchDetection {

    /** One row of the scores table. */
    public static final class Row {
        public final String image;
        /** Sub-folder name (e.g. "good", "scratch") when the inputs are laid out by defect type. */
        public final String label;
        public final float score;
        public final float meanScore;
        public final float maxScore;
        /** The method's baseline score (AST: teacher-only likelihood), NaN when it has none. */
        public final float baselineScore;
        /** Score mapped to [0, 1] with the model's image threshold at 0.5. */
        public final float normalisedScore;
        public final String verdict;

        Row(String image, String label, Scores scores, ScoreStats stats) {
            ScoreResult r = scores.primary();
            this.image = image;
            this.label = label;
            this.score = r.score;
            this.normalisedScore = stats.normalised(r.score);
            this.verdict = stats.verdict(r.score);
            this.meanScore = r.meanScore;
            this.maxScore = r.maxScore;
            this.baselineScore = scores.baseline() == null ? Float.NaN : scores.baseline().score;
        }
    }

    public static final String CSV_NAME = "scores.csv";

    private BatchDetection() {
    }

    public static List<Row> run(Detector model, Path inputRoot, List<Path> files, Path outDir,
                                boolean overwrite, Progress progress) throws IOException {
        return run(model, inputRoot, files, null, outDir, overwrite, progress);
    }

    /** As above, with one depth file per image (null entries or a null list: no depth). */
    public static List<Row> run(Detector model, Path inputRoot, List<Path> files, List<Path> depths, Path outDir,
                                boolean overwrite, Progress progress) throws IOException {
        Files.createDirectories(outDir);
        Path csv = outDir.resolve(CSV_NAME);
        ImageFiles.checkWritable(csv, overwrite);
        // Validate every input before writing anything.
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            ImagePlus imp = ImageFiles.open(f);
            FloatImage im = ImageFiles.toFloatImage(imp, 1);
            String problem = model.preprocessing().incompatibility(im);
            if (problem != null) {
                throw new IOException(f + ": " + problem);
            }
            Path d = depths == null ? null : depths.get(i);
            if (d == null && model.config().input.usesDepth()) {
                throw new IOException(f + ": the model was trained on " + model.config().input.label
                        + " input and needs a depth file for every image; give the depth folder (--depth)");
            }
            if (d != null) {
                DepthMap dm = DepthFiles.read(d);
                if (dm.width() != im.width() || dm.height() != im.height()) {
                    throw new IOException(d + " is " + dm.width() + "x" + dm.height() + " but its image " + f + " is "
                            + im.width() + "x" + im.height() + "; depth and image must match pixel for pixel");
                }
            }
            for (String suffix : new String[] {"_heatmap.tif", "_heatmap.png", "_overlay.png"}) {
                ImageFiles.checkWritable(outDir.resolve(outputStem(inputRoot, f) + suffix), overwrite);
            }
        }
        float high = model.stats().heatMapHigh();
        List<Row> rows = new ArrayList<>();
        progress.stage("Detecting", files.size());
        for (int i = 0; i < files.size(); i++) {
            progress.checkCancelled();
            Path f = files.get(i);
            ImagePlus imp = ImageFiles.open(f);
            FloatImage im = ImageFiles.toFloatImage(imp, 1);
            Path d = depths == null ? null : depths.get(i);
            Scores r = model.score(im, d == null ? null : DepthFiles.read(d), null);
            float[] map = r.primary().upsample(im.width(), im.height());
            String stem = outputStem(inputRoot, f);
            ImagePlus heat = new ImagePlus(stem + " anomaly map", new ij.process.FloatProcessor(im.width(), im.height(), map));
            ImageFiles.saveTiff(heat, outDir.resolve(stem + "_heatmap.tif"));
            ij.process.ColorProcessor colours = ImageFiles.heatColours(map, im.width(), im.height(), high);
            ImageFiles.savePng(new ImagePlus(stem, colours), outDir.resolve(stem + "_heatmap.png"));
            ImageFiles.savePng(new ImagePlus(stem, ImageFiles.overlay(im, colours)), outDir.resolve(stem + "_overlay.png"));
            rows.add(new Row(Files.isDirectory(inputRoot) ? inputRoot.relativize(f).toString() : f.getFileName().toString(),
                    label(inputRoot, f), r, model.stats()));
            progress.step(i + 1, f.getFileName().toString());
        }
        writeCsv(rows, csv);
        return rows;
    }

    /** Output file stem: the path below the input root with separators replaced. */
    static String outputStem(Path root, Path f) {
        String rel = Files.isDirectory(root) ? root.relativize(f).toString() : f.getFileName().toString();
        int dot = rel.lastIndexOf('.');
        return (dot > 0 ? rel.substring(0, dot) : rel).replace('/', '_').replace('\\', '_');
    }

    static String label(Path root, Path f) {
        if (!Files.isDirectory(root)) {
            return "";
        }
        Path rel = root.relativize(f);
        return rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
    }

    static void writeCsv(List<Row> rows, Path csv) throws IOException {
        Path tmp = csv.resolveSibling(csv.getFileName() + ".part");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("image,label,score,normalised_score,verdict,mean_score,max_score,baseline_score\n");
            for (Row r : rows) {
                w.write(String.format(Locale.ROOT, "%s,%s,%.6g,%.4f,%s,%.6g,%.6g,%s%n", quote(r.image), quote(r.label),
                        r.score, r.normalisedScore, r.verdict, r.meanScore, r.maxScore,
                        Float.isNaN(r.baselineScore) ? "" : String.format(Locale.ROOT, "%.6g", r.baselineScore)));
            }
        }
        Files.move(tmp, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
