package io.github.astfiji.io;

import ij.ImagePlus;
import ij.gui.Plot;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.score.ScoreStats;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures where people would rather look than read, as ImageJ plots (a window in Fiji,
 * a PNG on the command line): the model's normal scores, its threshold and where a batch
 * falls; and for evaluations the ROC and per-region-overlap curves and score histograms.
 */
public final class Plots {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;

    private Plots() {
    }

    /**
     * Image scores on one axis: the normal images the threshold comes from (bottom row),
     * a batch's images (top row, red when above the threshold), the threshold as a line,
     * with the operating point in the title.
     */
    public static Plot scores(ScoreStats stats, float threshold, float[] batch, String title) {
        Plot p = new Plot(title, "image score", "");
        p.setSize(WIDTH, HEIGHT);
        float[] normal = stats.normalScores == null ? new float[0] : stats.normalScores;
        double lo = Math.min(min(normal), min(batch));
        double hi = Math.max(Math.max(max(normal), max(batch)), threshold);
        double pad = 0.05 * Math.max(hi - lo, 1e-6);
        p.setLimits(Math.min(lo, threshold) - pad, hi + pad, -0.5, batch.length > 0 ? 1.5 : 0.5);
        if (normal.length > 0) {
            p.setColor(new Color(40, 100, 200));
            p.addPoints(toDouble(normal), jitter(normal.length, 0), Plot.CIRCLE);
        }
        if (batch.length > 0) {
            List<Double> inX = new ArrayList<>();
            List<Double> outX = new ArrayList<>();
            for (float v : batch) {
                (v > threshold ? outX : inX).add((double) v);
            }
            p.setColor(Color.DARK_GRAY);
            p.addPoints(unbox(inX), jitter(inX.size(), 1), Plot.CROSS);
            p.setColor(Color.RED);
            p.addPoints(unbox(outX), jitter(outX.size(), 1), Plot.X);
        }
        p.setColor(new Color(200, 120, 0));
        p.setLineWidth(2);
        p.drawLine(threshold, -0.5, threshold, batch.length > 0 ? 1.5 : 0.5);
        p.setLineWidth(1);
        p.setColor(Color.BLACK);
        p.addLabel(0.01, 0.06, String.format(Locale.ROOT, "threshold %.4g: %s", threshold, shorten(stats.operatingPoint())));
        p.addLabel(0.01, 0.97, normal.length + " normal images (" + stats.source + ")" + (batch.length > 0
                ? "; top: " + batch.length + " new images, " + countAbove(batch, threshold) + " above" : ""));
        return p;
    }

    private static String shorten(String operatingPoint) {
        int cut = operatingPoint.indexOf(';');
        return cut > 0 ? operatingPoint.substring(0, cut) : operatingPoint;
    }

    /** ROC curve of the image scores. */
    public static Plot roc(Evaluation.Row r) {
        Plot p = new Plot(r.method + " " + r.category + ": ROC", "false-positive rate", "true-positive rate");
        p.setSize(WIDTH / 2 + 80, HEIGHT);
        p.setLimits(0, 1, 0, 1);
        p.setColor(Color.BLUE);
        p.addPoints(column(r.rocCurve, 0), column(r.rocCurve, 1), Plot.LINE);
        p.setColor(Color.LIGHT_GRAY);
        p.drawLine(0, 0, 1, 1);
        p.setColor(Color.BLACK);
        p.addLabel(0.45, 0.9, String.format(Locale.ROOT, "image AUROC %.1f %%", 100 * r.imageAurocScore));
        return p;
    }

    /** Per-region-overlap curve to 30 % false-positive rate. */
    public static Plot pro(Evaluation.Row r) {
        Plot p = new Plot(r.method + " " + r.category + ": PRO", "false-positive rate (pixels)", "per-region overlap");
        p.setSize(WIDTH / 2 + 80, HEIGHT);
        p.setLimits(0, 0.3, 0, 1);
        p.setColor(new Color(0, 130, 60));
        p.addPoints(column(r.proCurve, 0), column(r.proCurve, 1), Plot.LINE);
        p.setColor(Color.BLACK);
        p.addLabel(0.45, 0.9, String.format(Locale.ROOT, "AUPRO %.1f %%", 100 * r.aupro));
        return p;
    }

    /**
     * Histograms of the image scores of normal and defect test images, with the model's
     * threshold. Scores spread over more than a decade (one defect scoring 300 beside normal
     * images at 1-2) are binned on a log scale: on a linear one that defect squeezes every
     * other image into the first bar and hides the gap between normal and defect images.
     */
    public static Plot histogram(Evaluation.Row r) {
        Bins h = bins(r.normalScores, r.defectScores, 30);
        boolean log = h.log();
        java.util.function.DoubleUnaryOperator scale = log ? Math::log10 : v -> v;
        Plot p = new Plot(r.method + " " + r.category + ": image scores", log ? "image score (log10)" : "image score", "images");
        p.setSize(WIDTH, HEIGHT);
        double[] x = h.x();
        double[] normal = h.normal();
        double[] defect = h.defect();
        int bins = x.length;
        double w = h.width();
        double a = x[0] - w / 2;
        double b = x[bins - 1] + w / 2;
        double top = 1;
        for (int i = 0; i < bins; i++) {
            top = Math.max(top, Math.max(normal[i], defect[i]));
        }
        p.setLimits(a - w, b + w, 0, top * 1.15);
        p.setColor(new Color(40, 100, 200));
        p.addPoints(x, normal, Plot.BAR);
        p.setColor(Color.RED);
        p.addPoints(x, defect, Plot.SEPARATED_BAR);
        String threshold = "";
        if (Double.isFinite(r.imageThreshold) && (!log || r.imageThreshold > 0)) {
            double t = scale.applyAsDouble(r.imageThreshold);
            p.setColor(new Color(200, 120, 0));
            p.setLineWidth(2);
            p.drawLine(t, 0, t, top * 1.15);
            p.setLineWidth(1);
            threshold = String.format(Locale.ROOT, "; orange: the model's threshold %.4g", r.imageThreshold);
        }
        p.setColor(Color.BLACK);
        p.addLabel(0.01, 0.06, "blue: " + r.normalScores.length + " normal, red: " + r.defectScores.length + " defect test images" + threshold);
        return p;
    }

    /** Histogram bins: centres (log10 of the score when {@code log}), counts of normal and defect images, width. */
    record Bins(double[] x, double[] normal, double[] defect, double width, boolean log) {
    }

    /** Equal bins over the scores' range, on a log scale when they are positive and span a decade or more. */
    static Bins bins(float[] normalScores, float[] defectScores, int bins) {
        double lo = Math.min(min(normalScores), min(defectScores));
        double hi = Math.max(max(normalScores), max(defectScores));
        boolean log = lo > 0 && hi / lo >= 10;
        java.util.function.DoubleUnaryOperator scale = log ? Math::log10 : v -> v;
        double a = scale.applyAsDouble(lo);
        double w = Math.max(scale.applyAsDouble(hi) - a, 1e-9) / bins;
        double[] x = new double[bins];
        double[] normal = new double[bins];
        double[] defect = new double[bins];
        for (int i = 0; i < bins; i++) {
            x[i] = a + (i + 0.5) * w;
        }
        for (float v : normalScores) {
            normal[bin(scale.applyAsDouble(v), a, w, bins)]++;
        }
        for (float v : defectScores) {
            defect[bin(scale.applyAsDouble(v), a, w, bins)]++;
        }
        return new Bins(x, normal, defect, w, log);
    }

    private static int bin(double v, double start, double width, int bins) {
        return (int) Math.max(0, Math.min(bins - 1, (v - start) / width));
    }

    /** Writes a plot as PNG. */
    public static void save(Plot plot, Path file) throws IOException {
        ImagePlus imp = plot.getImagePlus();
        ImageFiles.savePng(imp, file);
    }

    private static double[] column(List<double[]> points, int c) {
        double[] out = new double[points.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = points.get(i)[c];
        }
        return out;
    }

    /** Small deterministic vertical offsets so that equal scores stay visible. */
    private static double[] jitter(int n, double centre) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = centre + 0.35 * (((i * 0.618034) % 1.0) - 0.5);
        }
        return y;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static double[] unbox(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static int countAbove(float[] v, float t) {
        int n = 0;
        for (float x : v) {
            n += x > t ? 1 : 0;
        }
        return n;
    }

    private static double min(float[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return v.length == 0 ? 0 : m;
    }

    private static double max(float[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return v.length == 0 ? 1 : m;
    }
}
