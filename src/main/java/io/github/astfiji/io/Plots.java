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
        p.addLabel(0.45, 0.9, String.format(Locale.ROOT, "image AUROC %.1f %%", 100 * r.imageAurocMax));
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

    /** Histograms of the image scores of normal and defect test images. */
    public static Plot histogram(Evaluation.Row r) {
        Plot p = new Plot(r.method + " " + r.category + ": image scores", "image score", "images");
        p.setSize(WIDTH, HEIGHT);
        double lo = Math.min(min(r.normalScores), min(r.defectScores));
        double hi = Math.max(max(r.normalScores), max(r.defectScores));
        int bins = 20;
        double w = Math.max(hi - lo, 1e-9) / bins;
        double[] x = new double[bins];
        double[] normal = new double[bins];
        double[] defect = new double[bins];
        for (int b = 0; b < bins; b++) {
            x[b] = lo + (b + 0.5) * w;
        }
        for (float v : r.normalScores) {
            normal[Math.min(bins - 1, (int) ((v - lo) / w))]++;
        }
        for (float v : r.defectScores) {
            defect[Math.min(bins - 1, (int) ((v - lo) / w))]++;
        }
        double top = 1;
        for (int b = 0; b < bins; b++) {
            top = Math.max(top, Math.max(normal[b], defect[b]));
        }
        p.setLimits(lo - w, hi + w, 0, top * 1.15);
        p.setColor(new Color(40, 100, 200));
        p.addPoints(x, normal, Plot.BAR);
        p.setColor(Color.RED);
        p.addPoints(x, defect, Plot.SEPARATED_BAR);
        p.setColor(Color.BLACK);
        p.addLabel(0.01, 0.06, "blue: " + r.normalScores.length + " normal, red: " + r.defectScores.length + " defect test images");
        return p;
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
