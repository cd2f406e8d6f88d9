package io.github.astfiji.workflow;

import ij.ImagePlus;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Regions;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.io.DepthFiles;
import io.github.astfiji.io.ImageFiles;
import io.github.astfiji.io.Planes;
import io.github.astfiji.io.Masks;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.image.PixelScale;
import io.github.astfiji.io.Plots;
import io.github.astfiji.io.ResultImages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    public static final String CSV_NAME = ScoresTable.CSV_NAME;
    public static final String PLOT_NAME = "score_plot.png";
    public static final long MAX_OUTPUT_PIXELS = ResultImages.MAX_OUTPUT_PIXELS;

    /** What a run did: the rows it wrote now, and how many images earlier runs had done (resume). */
    public static final class Summary {
        public final List<ScoresTable.Row> rows = new ArrayList<>();
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
            return rows.stream().filter(ScoresTable.Row::failed).count();
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
        /** A masks folder mirroring the input folder (see io.Masks): only pixels inside are scored; null: everywhere. */
        public Path masks;

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

    public static List<ScoresTable.Row> run(Detector model, Path inputRoot, List<Path> files, Path outDir,
                                boolean overwrite, Progress progress) throws IOException {
        return run(model, inputRoot, files, null, outDir, overwrite, progress);
    }

    /** As above, with one depth file per image (null entries or a null list: no depth). */
    public static List<ScoresTable.Row> run(Detector model, Path inputRoot, List<Path> files, List<Path> depths, Path outDir,
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
        Set<String> done = options.resume ? ScoresTable.finishedImages(csv) : Set.of();
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
            String name = name(inputRoot, files.get(i));
            // a stack's planes are rows "name [z=2]": any of them means the file was done (its planes are written together)
            if (done.contains(name) || done.stream().anyMatch(d -> d.startsWith(name + " ["))) {
                summary.resumed++;
            } else {
                mine.add(i);
            }
        }
        if (!options.resume || !Files.exists(csv)) {
            Files.writeString(csv, ScoresTable.HEADER + "\n", StandardCharsets.UTF_8);
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
                    for (Loaded one : load(model, inputRoot, f, d, options.masks, outDir, options.overwrite || options.resume, warned, summary)) {
                        group.add(one);
                        inputs.add(one.input);
                        groupPixels += (long) one.pixels.width() * one.pixels.height();
                    }
                } catch (IOException | RuntimeException e) {
                    group.add(failure(e, inputRoot, f, options));
                }
            }
            List<AnomalyMaps> scored = null;
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
                ScoresTable.Row row;
                if (item instanceof ScoresTable.Row) {
                    row = (ScoresTable.Row) item;
                } else {
                    Loaded one = (Loaded) item;
                    try {
                        progress.checkCancelled();
                        long alone = System.nanoTime();
                        AnomalyMaps r = scored != null ? scored.get(k) : model.score(one.input);
                        summary.scoringSeconds += scored != null ? 0 : (System.nanoTime() - alone) / 1e9;
                        row = finish(model, one, r, outDir, high, threshold);
                    } catch (IOException | RuntimeException e) {
                        row = failure(e, inputRoot, one.file, options);
                    }
                    k++;
                }
                summary.rows.add(row);
                ScoresTable.append(csv, row);
                // progress counts files: a stack's planes advance it once, with its last plane
                if (!(item instanceof Loaded) || ((Loaded) item).plane == Planes.count(((Loaded) item).imp)) {
                    progress.step(++step, Path.of(row.image).getFileName().toString());
                }
            }
        }
        summary.seconds = (System.nanoTime() - started) / 1e9;
        writePlot(model, csv, threshold, outDir);
        summary.threshold = threshold;
        return summary;
    }

    /** The score plot of every image in the table (this run's and earlier ones'), against the normal images and the threshold. */
    private static void writePlot(Detector model, Path csv, float threshold, Path outDir) throws IOException {
        Plots.save(Plots.scores(model.stats(), threshold, ScoresTable.scores(csv), "Image scores: " + outDir.getFileName()),
                outDir.resolve(PLOT_NAME));
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
        final int plane;
        final PixelSource pixels;
        final Detector.Input input;

        Loaded(Path file, String name, String label, String stem, ImagePlus imp, int plane, PixelSource pixels, Detector.Input input) {
            this.file = file;
            this.name = name;
            this.label = label;
            this.stem = stem;
            this.imp = imp;
            this.plane = plane;
            this.pixels = pixels;
            this.input = input;
        }
    }

    private static ScoresTable.Row failure(Exception e, Path inputRoot, Path f, Options options) {
        if (e instanceof java.util.concurrent.CancellationException) {
            throw (java.util.concurrent.CancellationException) e;
        }
        String why = ImageFiles.explain(e);
        if (options.problems != null) {
            options.problems.accept(f + ": " + why);
        }
        return new ScoresTable.Row(name(inputRoot, f), label(inputRoot, f), why);
    }

    /** A file's planes (every channel at one z and time point; one for most files), each read, checked and prepared. */
    private static List<Loaded> load(Detector model, Path inputRoot, Path f, Path depthFile, Path masks, Path outDir, boolean replace,
                                     Set<String> warned, Summary summary) throws IOException {
        ImagePlus imp = ImageFiles.open(f);
        int planes = Planes.count(imp);
        float[] mask = masks == null ? null : Masks.read(Masks.find(masks, inputRoot, f), imp.getWidth(), imp.getHeight());
        String fileStem = outputStem(inputRoot, f);
        for (int p = 1; p <= planes; p++) {
            for (String suffix : ResultImages.OUTPUTS) {
                ImageFiles.checkWritable(outDir.resolve(fileStem + planeStem(imp, p) + suffix), replace);
            }
        }
        if (depthFile == null && model.config().input.usesDepth()) {
            throw new IllegalArgumentException("the model was trained on " + model.config().input.label
                    + " input and needs a depth file for every image; give the depth folder (--depth)");
        }
        if (depthFile != null && planes > 1) {
            throw new IllegalArgumentException(f + " has " + planes + " planes; with depth, give one image per file");
        }
        PixelScale.Decision scale = PixelScale.decide(f.getFileName().toString(), Planes.pixelSize(imp), model.preprocessing().pixelSize,
                depthFile != null);
        if (scale.note != null && warned.add("scale " + scale.factor)) {
            summary.warnings.add("Note: " + scale.note + " (and so every image at this pixel size).");
        }
        mask = scale.factor == 1 ? mask : PixelScale.rescaleMask(mask, imp.getWidth(), imp.getHeight(), scale.factor);
        // depth comes with single-plane images at the model's scale only (refused above otherwise)
        DepthMap depth = depthFile == null ? null : DepthFiles.read(depthFile);
        if (depth != null && (depth.width() != imp.getWidth() || depth.height() != imp.getHeight())) {
            throw new IllegalArgumentException(depthFile + " is " + depth.width() + "x" + depth.height() + " but the image is "
                    + imp.getWidth() + "x" + imp.getHeight() + "; depth and image must match pixel for pixel");
        }
        List<Loaded> out = new ArrayList<>();
        for (int p = 1; p <= planes; p++) {
            PixelSource pixels = scale.factor == 1 ? Planes.pixels(imp, p) : PixelScale.rescale(Planes.pixels(imp, p), scale.factor);
            String warning = model.sizeWarning(pixels.width(), pixels.height());
            if (warning != null && warned.add("size")) {
                summary.warnings.add("Note: " + f.getFileName() + " is " + warning + ".");
            }
            out.add(new Loaded(f, name(inputRoot, f) + Planes.suffix(imp, p), label(inputRoot, f),
                    fileStem + planeStem(imp, p), imp, p, pixels, model.input(pixels, depth, mask)));
        }
        return out;
    }

    /** A plane's part of its output file names: "" for a single plane, "_slice3", "_z3", "_t2" or "_z3_t2". */
    static String planeStem(ImagePlus imp, int plane) {
        String s = Planes.suffix(imp, plane).trim();
        return s.isEmpty() ? "" : "_" + s.substring(1, s.length() - 1).replace("=", "").replace(' ', '_');
    }

    private static ScoresTable.Row finish(Detector model, Loaded one, AnomalyMaps r, Path outDir, float high, float threshold) throws IOException {
        String stem = one.stem;
        ImagePlus imp = one.imp;
        int w = one.imp.getWidth(); // the maps at the image's own size, whatever scale it was scored at
        int h = one.imp.getHeight();
        int factor = ResultImages.outputFactor(w, h);
        int ow = Math.max(1, w / factor);
        int oh = Math.max(1, h / factor);
        float[] map = r.primary().upsample(ow, oh);
        ResultImages.write(stem, map, ow, oh, Planes.display(imp, one.plane), factor, high, outDir);
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
        return new ScoresTable.Row(one.name, one.label, r, model.stats(), threshold, regions, count * factor * factor);
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

}
