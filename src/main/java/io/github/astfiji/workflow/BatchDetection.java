package io.github.astfiji.workflow;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.Scores;
import io.github.astfiji.core.eval.Regions;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.ImagePlusPixels;

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
import java.util.function.Consumer;

/**
 * Scores image files with a model of any method and writes, per image, a 32-bit heat map
 * (TIFF, the anomaly map at image size), a colour heat map and an overlay (PNG), and one
 * row of scores.csv, written as each image is done. A file that cannot be read or scored
 * is reported (a row with the error, a line on the console) and the batch goes on. A
 * stopped batch can be resumed: images already in scores.csv are not scored again. A
 * share of a folder (shard K of N) lets cluster array jobs split a large set. Heat-map
 * colours use the training set's statistics, never per-image min/max, so a normal image
 * stays dark; maps and overlays of images above {@link #MAX_OUTPUT_PIXELS} are written
 * downscaled.
 */
public final class BatchDetection {

    public static final String CSV_NAME = "scores.csv";
    static final String HEADER = "image,label,score,normalised_score,verdict,normal_exceed_per_100,mean_score,max_score,baseline_score,"
            + "regions,region_area_px,error";
    public static final String PLOT_NAME = "score_plot.png";
    /** Output maps and overlays larger than this are written downscaled by a whole factor (64 MB per float map). */
    public static final long MAX_OUTPUT_PIXELS = 16L << 20;
    private static final String[] OUTPUTS = {"_heatmap.tif", "_heatmap.png", "_overlay.png"};

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

        Row(String image, String label, Scores scores, ScoreStats stats, float threshold, int regions, long regionArea) {
            ScoreResult r = scores.primary();
            this.image = image;
            this.label = label;
            this.score = r.score;
            this.normalisedScore = ScoreStats.normalise(r.score, threshold);
            this.verdict = io.github.astfiji.core.ScoreStats.verdictAt(r.score, threshold);
            this.normalExceedPer100 = stats.falseAlarmsPer100At(r.score);
            this.meanScore = r.meanScore;
            this.maxScore = r.maxScore;
            this.baselineScore = scores.baseline() == null ? Float.NaN : scores.baseline().score;
            this.regions = regions;
            this.regionArea = regionArea;
            this.error = "";
        }

        Row(String image, String label, String error) {
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

    /** What a run did: the rows it wrote now, and how many images earlier runs had done (resume). */
    public static final class Summary {
        public final List<Row> rows = new ArrayList<>();
        public int resumed;
        /** Warnings for the whole batch (each said once), e.g. images unlike the training images. */
        public final List<String> warnings = new ArrayList<>();
        /** The image threshold the verdicts were made at. */
        public float threshold;
        /** Seconds spent reading, scoring and writing this run's images (the model already loaded). */
        public double seconds;
        /** Of those, seconds inside the detector (preprocessing, backbone, networks, maps). */
        public double scoringSeconds;

        public long failures() {
            return rows.stream().filter(Row::failed).count();
        }

        public long scored() {
            return rows.size() - failures();
        }
    }

    /** How to run a batch. */
    public static final class Options {
        public boolean overwrite;
        /** Skip images already in the output folder's scores.csv and append to it. */
        public boolean resume;
        /** This run's share of the images: shard index (1-based) of shardCount; 1 of 1 = all. */
        public int shard = 1;
        public int shardCount = 1;
        /** Receives each problem as it happens (a console line); may be null. */
        public Consumer<String> problems;
        /** The sensitivity: expected false alarms per 100 normal parts the verdicts are made at; 0 = the model's own. */
        public double falseAlarmsPer100;

        /** Parses "K/N" (e.g. 3/10), refusing anything else with an example. */
        public void shard(String spec) {
            String[] p = spec.trim().split("/");
            try {
                shard = Integer.parseInt(p[0].trim());
                shardCount = Integer.parseInt(p[1].trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--shard takes K/N, e.g. --shard 3/10 for the third of ten shares; got '" + spec + "'");
            }
            if (p.length != 2 || shardCount < 1 || shard < 1 || shard > shardCount) {
                throw new IllegalArgumentException("--shard takes K/N with 1 <= K <= N, e.g. 3/10; got '" + spec + "'");
            }
        }
    }

    private BatchDetection() {
    }

    public static List<Row> run(Detector model, Path inputRoot, List<Path> files, Path outDir,
                                boolean overwrite, Progress progress) throws IOException {
        return run(model, inputRoot, files, null, outDir, overwrite, progress);
    }

    /** As above, with one depth file per image (null entries or a null list: no depth). */
    public static List<Row> run(Detector model, Path inputRoot, List<Path> files, List<Path> depths, Path outDir,
                                boolean overwrite, Progress progress) throws IOException {
        Options o = new Options();
        o.overwrite = overwrite;
        return run(model, inputRoot, files, depths, outDir, o, progress).rows;
    }

    /** The batch with all options; see the class comment. */
    public static Summary run(Detector model, Path inputRoot, List<Path> files, List<Path> depths, Path outDir,
                              Options options, Progress progress) throws IOException {
        if (model.config().input.usesDepth() && !files.isEmpty() && (depths == null || depths.stream().allMatch(d -> d == null))) {
            // a whole batch without depth is a setting to fix, not a file to skip: nothing is written
            throw new IllegalArgumentException(files.get(0) + " and the others have no depth file, but the model was trained on "
                    + model.config().input.label + " input and needs one per image; give the depth folder (--depth)");
        }
        try {
            Files.createDirectories(outDir);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot create the output folder " + outDir + ": permission denied; choose a folder you can write to", e);
        }
        if (!Files.isWritable(outDir)) {
            throw new IOException("cannot write into the output folder " + outDir + ": permission denied; choose a folder you can write to");
        }
        Path csv = outDir.resolve(CSV_NAME);
        Set<String> done = options.resume ? finishedImages(csv) : Set.of();
        if (!options.resume) {
            ImageFiles.checkWritable(csv, options.overwrite, "--resume to continue the batch, or --overwrite to start again");
            ImageFiles.checkWritable(outDir.resolve(PLOT_NAME), options.overwrite);
        }
        Summary summary = new Summary();
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (i % options.shardCount != options.shard - 1) {
                continue;
            }
            if (done.contains(name(inputRoot, files.get(i)))) {
                summary.resumed++;
            } else {
                mine.add(i);
            }
        }
        if (!options.resume || !Files.exists(csv)) {
            Files.writeString(csv, HEADER + "\n", StandardCharsets.UTF_8);
        }
        float high = model.stats().heatMapHigh();
        float threshold = model.stats().threshold(options.falseAlarmsPer100);
        Set<String> warned = new HashSet<>();
        progress.stage("Detecting", mine.size());
        long started = System.nanoTime();
        int step = 0;
        int next = 0;
        while (next < mine.size()) {
            // a group of images read and checked, scored in one call so that their views share
            // passes through the networks; failures keep their place in the table
            List<Object> group = new ArrayList<>(); // Loaded or a failure Row, in input order
            List<Detector.Input> inputs = new ArrayList<>();
            long groupPixels = 0;
            while (next < mine.size() && inputs.size() < GROUP_IMAGES && groupPixels < GROUP_PIXELS) {
                progress.checkCancelled();
                int i = mine.get(next++);
                Path f = files.get(i);
                // depth paired by the folder layout (MVTec 3D-AD) is only read when the model uses it
                Path d = depths == null || !model.config().input.usesDepth() ? null : depths.get(i);
                try {
                    Loaded one = load(model, inputRoot, f, d, outDir, options.overwrite || options.resume, warned, summary);
                    group.add(one);
                    inputs.add(one.input);
                    groupPixels += (long) one.pixels.width() * one.pixels.height();
                } catch (IOException | RuntimeException e) {
                    group.add(failure(e, inputRoot, f, options));
                }
            }
            List<Scores> scored = null;
            long scoring = System.nanoTime();
            if (inputs.size() > 1) {
                try {
                    scored = model.score(inputs);
                } catch (RuntimeException e) {
                    if (e instanceof java.util.concurrent.CancellationException) {
                        throw e;
                    }
                    scored = null; // scored one by one below, so that the failing image is named
                }
            }
            summary.scoringSeconds += (System.nanoTime() - scoring) / 1e9;
            int k = 0;
            for (Object item : group) {
                Row row;
                if (item instanceof Row) {
                    row = (Row) item;
                } else {
                    Loaded one = (Loaded) item;
                    try {
                        progress.checkCancelled();
                        long alone = System.nanoTime();
                        Scores r = scored != null ? scored.get(k) : model.score(one.input);
                        summary.scoringSeconds += scored != null ? 0 : (System.nanoTime() - alone) / 1e9;
                        row = finish(model, one, r, outDir, high, threshold);
                    } catch (IOException | RuntimeException e) {
                        row = failure(e, inputRoot, one.file, options);
                    }
                    k++;
                }
                summary.rows.add(row);
                append(csv, row);
                progress.step(++step, Path.of(row.image).getFileName().toString());
            }
        }
        summary.seconds = (System.nanoTime() - started) / 1e9;
        writePlot(model, csv, threshold, outDir);
        summary.threshold = threshold;
        return summary;
    }

    /** The score plot of every image in the table (this run's and earlier ones'), against the normal images and the threshold. */
    private static void writePlot(Detector model, Path csv, float threshold, Path outDir) throws IOException {
        List<Float> scores = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8).subList(1, Files.readAllLines(csv, StandardCharsets.UTF_8).size())) {
            List<String> cells = parseCsvLine(line);
            if (cells.size() > 2 && !cells.get(2).isEmpty()) {
                scores.add(Float.parseFloat(cells.get(2)));
            }
        }
        float[] batch = new float[scores.size()];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = scores.get(i);
        }
        Plots.save(Plots.scores(model.stats(), threshold, batch, "Image scores: " + outDir.getFileName()), outDir.resolve(PLOT_NAME));
    }

    /** At most this many images (or stack slices, in Fiji) are scored together (when small enough, see GROUP_PIXELS). */
    public static final int GROUP_IMAGES = 8;
    /** Images are added to a group until their pixels reach this, so that large images are held one at a time. */
    static final long GROUP_PIXELS = 8L << 20;

    /** An image read, checked and prepared for scoring. */
    private static final class Loaded {
        final Path file;
        final String name;
        final String label;
        final String stem;
        final ImagePlus imp;
        final ImagePlusPixels pixels;
        final Detector.Input input;

        Loaded(Path file, String name, String label, String stem, ImagePlus imp, ImagePlusPixels pixels, Detector.Input input) {
            this.file = file;
            this.name = name;
            this.label = label;
            this.stem = stem;
            this.imp = imp;
            this.pixels = pixels;
            this.input = input;
        }
    }

    private static Row failure(Exception e, Path inputRoot, Path f, Options options) {
        if (e instanceof java.util.concurrent.CancellationException) {
            throw (java.util.concurrent.CancellationException) e;
        }
        String why = ImageFiles.explain(e);
        if (options.problems != null) {
            options.problems.accept(f + ": " + why);
        }
        return new Row(name(inputRoot, f), label(inputRoot, f), why);
    }

    private static Loaded load(Detector model, Path inputRoot, Path f, Path depthFile, Path outDir, boolean replace,
                               Set<String> warned, Summary summary) throws IOException {
        String stem = outputStem(inputRoot, f);
        for (String suffix : OUTPUTS) {
            ImageFiles.checkWritable(outDir.resolve(stem + suffix), replace);
        }
        ImagePlus imp = ImageFiles.open(f);
        ImagePlusPixels pixels = new ImagePlusPixels(imp, 1);
        DepthMap depth = null;
        if (depthFile == null && model.config().input.usesDepth()) {
            throw new IllegalArgumentException("the model was trained on " + model.config().input.label
                    + " input and needs a depth file for every image; give the depth folder (--depth)");
        }
        if (depthFile != null) {
            depth = DepthFiles.read(depthFile);
            if (depth.width() != pixels.width() || depth.height() != pixels.height()) {
                throw new IllegalArgumentException(depthFile + " is " + depth.width() + "x" + depth.height() + " but the image is "
                        + pixels.width() + "x" + pixels.height() + "; depth and image must match pixel for pixel");
            }
        }
        String warning = model.sizeWarning(pixels.width(), pixels.height());
        if (warning != null && warned.add("size")) {
            summary.warnings.add("Note: " + f.getFileName() + " is " + warning + ".");
        }
        return new Loaded(f, name(inputRoot, f), label(inputRoot, f), stem, imp, pixels, model.prepare(pixels, depth, null));
    }

    private static Row finish(Detector model, Loaded one, Scores r, Path outDir, float high, float threshold) throws IOException {
        String stem = one.stem;
        ImagePlus imp = one.imp;
        int w = one.pixels.width();
        int h = one.pixels.height();
        int factor = outputFactor(w, h);
        int ow = Math.max(1, w / factor);
        int oh = Math.max(1, h / factor);
        float[] map = r.primary().upsample(ow, oh);
        FloatProcessor heat = new FloatProcessor(ow, oh, map);
        ImagePlus heatImage = new ImagePlus(stem + " anomaly map", heat);
        if (factor > 1) {
            heatImage.setProperty("Info", "Anomaly map at 1/" + factor + " of the image size (" + w + "x" + h + " px).");
        }
        ImageFiles.saveTiff(heatImage, outDir.resolve(stem + "_heatmap.tif"));
        ColorProcessor colours = ImageFiles.heatColours(map, ow, oh, high);
        ImageFiles.savePng(new ImagePlus(stem, colours), outDir.resolve(stem + "_heatmap.png"));
        ImageProcessor base = imp.getProcessor();
        if (factor > 1) {
            base = base.resize(ow, oh, true);
        }
        ImageFiles.savePng(new ImagePlus(stem, ImageFiles.overlay(base, colours)), outDir.resolve(stem + "_overlay.png"));
        boolean[] above = new boolean[map.length];
        long count = 0;
        for (int k = 0; k < map.length; k++) {
            above[k] = map[k] > model.stats().pixelThreshold;
            count += above[k] ? 1 : 0;
        }
        int[] labels = Regions.label(above, ow, oh);
        int regions = 0;
        for (int l : labels) {
            regions = Math.max(regions, l);
        }
        return new Row(one.name, one.label, r, model.stats(), threshold, regions, count * factor * factor);
    }

    /** The smallest whole factor that brings an output under {@link #MAX_OUTPUT_PIXELS}. */
    static int outputFactor(int w, int h) {
        int f = 1;
        while ((long) (w / f) * (h / f) > MAX_OUTPUT_PIXELS) {
            f++;
        }
        return f;
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

    /** How an image is named in the table: its path below the input folder. */
    static String name(Path root, Path f) {
        return Files.isDirectory(root) ? root.relativize(f).toString() : f.getFileName().toString();
    }

    /** Output file stem: the path below the input root with separators replaced. */
    static String outputStem(Path root, Path f) {
        String rel = name(root, f);
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

    /** Appends one row and forces it to disk, so a stopped batch loses at most the image in progress. */
    private static void append(Path csv, Row r) throws IOException {
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
