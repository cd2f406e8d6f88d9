package io.github.astfiji.workflow;

import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.score.ScoreStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The scores table a batch writes (scores.csv): its columns, one row per image appended and
 * forced to disk as soon as the image is done, and reading it back (images an earlier run
 * finished, for resume; the scores, for the plot).
 */
public final class ScoresTable {

    public static final String CSV_NAME = "scores.csv";
    static final String HEADER = "image,label,score,normalised_score,verdict,normal_exceed_per_100,mean_score,max_score,baseline_score,"
            + "regions,region_area_px,error";

    private ScoresTable() {
    }

    /** One row of the scores table: an image's scores, or the error that kept it from being scored. */
    public static final class Row {
        public final String image;
        /** Sub-folder name (e.g. "good", "scratch") when the inputs are laid out by defect type. */
        public final String label;
        public final float score;
        public final float meanScore;
        public final float maxScore;
        /** The method's baseline score (AST: teacher-only likelihood), NaN when it has none. */
        public final float baselineScore;
        /** Score mapped to [0, 1] with the active image threshold at 0.5. */
        public final float normalisedScore;
        /** How many normal parts in 100 are expected to score above this image (the sensitivity's units). */
        public final double normalExceedPer100;
        public final String verdict;
        /** Connected regions of the map above the model's pixel threshold (8-connected), and their area in image pixels. */
        public final int regions;
        public final long regionArea;
        /** Why the image was not scored; empty when it was. */
        public final String error;

        public Row(String image, String label, AnomalyMaps scores, ScoreStats stats, float threshold, int regions, long regionArea) {
            AnomalyMap r = scores.primary();
            this.image = image;
            this.label = label;
            this.score = r.score;
            this.normalisedScore = ScoreStats.normalise(r.score, threshold);
            this.verdict = io.github.astfiji.core.score.ScoreStats.verdictAt(r.score, threshold);
            this.normalExceedPer100 = stats.falseAlarmsPer100At(r.score);
            this.meanScore = r.meanScore;
            this.maxScore = r.maxScore;
            this.baselineScore = scores.baseline() == null ? Float.NaN : scores.baseline().score;
            this.regions = regions;
            this.regionArea = regionArea;
            this.error = "";
        }

        public Row(String image, String label, String error) {
            this.image = image;
            this.label = label;
            this.score = Float.NaN;
            this.meanScore = Float.NaN;
            this.maxScore = Float.NaN;
            this.baselineScore = Float.NaN;
            this.normalisedScore = Float.NaN;
            this.normalExceedPer100 = Double.NaN;
            this.verdict = "error";
            this.regions = 0;
            this.regionArea = 0;
            this.error = error;
        }

        public boolean failed() {
            return !error.isEmpty();
        }
    }

    /** Images already in an earlier run's scores.csv (their first column), scored or failed. */
    static Set<String> finishedImages(Path csv) throws IOException {
        Set<String> out = new HashSet<>();
        if (!Files.exists(csv)) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("image,")) {
                throw new IOException(csv + " is not a scores table written by detect; move it away or choose another output folder");
            }
            String line;
            while ((line = r.readLine()) != null) {
                List<String> cells = parseCsvLine(line);
                // a failed image is tried again; a scored one is kept
                if (!cells.isEmpty() && !(cells.size() > 4 && cells.get(4).equals("error"))) {
                    out.add(cells.get(0));
                }
            }
        }
        return out;
    }

    static List<String> parseCsvLine(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** The scores of every scored image in the table. */
    static float[] scores(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<Float> scores = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = parseCsvLine(line);
            if (cells.size() > 2 && !cells.get(2).isEmpty()) {
                scores.add(Float.parseFloat(cells.get(2)));
            }
        }
        float[] out = new float[scores.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores.get(i);
        }
        return out;
    }

    /** Appends one row and forces it to disk, so a stopped batch loses at most the image in progress. */
    static void append(Path csv, Row r) throws IOException {
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(format(r));
        }
    }

    static String format(Row r) {
        if (r.failed()) {
            return String.format(Locale.ROOT, "%s,%s,,,error,,,,,,,%s%n", quote(r.image), quote(r.label), quote(r.error));
        }
        return String.format(Locale.ROOT, "%s,%s,%.6g,%.4f,%s,%.3g,%.6g,%.6g,%s,%d,%d,%n", quote(r.image), quote(r.label),
                r.score, r.normalisedScore, r.verdict, r.normalExceedPer100, r.meanScore, r.maxScore,
                Float.isNaN(r.baselineScore) ? "" : String.format(Locale.ROOT, "%.6g", r.baselineScore), r.regions, r.regionArea);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"" : s;
    }
}
