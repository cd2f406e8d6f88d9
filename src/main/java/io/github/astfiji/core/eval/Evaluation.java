package io.github.astfiji.core.eval;

import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatArrays;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.Resample;
import io.github.astfiji.core.score.AnomalyMaps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores a labelled test set and reports, for every map of the detector (the method's
 * score and any baseline, e.g. AST's teacher-only likelihood), image AUROC (mean and max
 * scoring), F1-max of the model's image score, and where every defect image has a
 * ground-truth mask, pixel AUROC and AUPRO (to 30 % FPR). Maps (background set to 0 where
 * a foreground mask exists) and masks are compared at 192 x 192, as the reference
 * implementation does for MVTec's images; larger images at a quarter of their size (at
 * most 512 x 512), so that their small defects keep a few pixels.
 */
public final class Evaluation {

    static final int PIXEL_GRID = 192;
    static final int MAX_PIXEL_GRID = 512;

    /** The side pixel metrics compare maps and masks at, for an image of this size. */
    static int pixelGrid(int width, int height) {
        return Math.max(PIXEL_GRID, Math.min(MAX_PIXEL_GRID, Math.max(width, height) / 4));
    }

    /** One evaluated map of one category. NaN marks what could not be evaluated (see {@link #notes}). */
    public static final class Row {
        public String category;
        /** The map's label, e.g. "AST", "teacher-only", "RD". */
        public String method = "";
        public int normalImages;
        public int defectImages;
        public double imageAuroc = Double.NaN;
        public double imageAurocMax = Double.NaN;
        /** Image AUROC with the model's own image score (its rule: max, mean or top 5 %), which its verdicts use. */
        public double imageAurocScore = Double.NaN;
        public double pixelAuroc = Double.NaN;
        public double aupro = Double.NaN;
        /** Best F1 of the model's image score over all thresholds, and that threshold. */
        public double f1Max = Double.NaN;
        public double f1Threshold = Double.NaN;
        /** Per defect type: image AUROC of that type against the normal images (model's image score). */
        public final Map<String, Double> byType = new TreeMap<>();
        /** Training time (features and all phases), scoring time per test image and peak resident memory; NaN when not measured. */
        public double trainSeconds = Double.NaN;
        public double msPerImage = Double.NaN;
        public double peakMemoryMb = Double.NaN;
        public String notes = "";
        /** The model could not be trained or cannot judge images (see notes): no metric stands for it. */
        public boolean failed;
        /** At the model's own image threshold (its default operating point): normal test images flagged, defect images passed. */
        public double falseAlarms = Double.NaN;
        /** The model's image threshold those verdicts used. */
        public double imageThreshold = Double.NaN;
        public double misses = Double.NaN;
        /**
         * Fraction of defect images missed at the best threshold that flags at most 5 % of the
         * normal test images: a point of the ROC curve, independent of the model's own threshold.
         */
        public double missedAtFivePercent = Double.NaN;
        /** Per defect type: defect images passed at the model's threshold. */
        public final Map<String, Integer> missesByType = new TreeMap<>();
        /** Divergences the training recovered from (NaN when the model was loaded, not trained). */
        public double recoveries = Double.NaN;
        /** The training's loss per epoch, by phase (empty when the model was loaded, not trained). */
        public final Map<String, double[]> losses = new java.util.LinkedHashMap<>();
        /** For plots: image scores (model's rule) of the normal and the defect test images, and the curves. */
        public float[] normalScores = new float[0];
        public float[] defectScores = new float[0];
        public List<double[]> rocCurve = List.of();
        public List<double[]> proCurve = List.of();
    }

    /** Supplies the ground-truth mask (values > 0 = defect) of a test image, or null. */
    public interface MaskSource {
        float[] mask(int index, int width, int height) throws IOException;
    }

    private Evaluation() {
    }

    public static List<Row> evaluate(String category, Detector model, List<ImageSource> test, boolean[] defect,
                                     MaskSource masks, Progress progress) throws IOException {
        return evaluate(category, model, test, defect, null, masks, progress);
    }

    /** As above; with a label per image (its test sub-folder), also the AUROC per defect type. One row per map. */
    public static List<Row> evaluate(String category, Detector model, List<ImageSource> test, boolean[] defect, List<String> labels,
                                     MaskSource masks, Progress progress) throws IOException {
        int maps = model.method().mapNames().size();
        int n = test.size();
        float[][] mean = new float[maps][n];
        float[][] max = new float[maps][n];
        float[][] score = new float[maps][n];
        List<List<float[]>> pix = new ArrayList<>();
        for (int k = 0; k < maps; k++) {
            pix.add(new ArrayList<>());
        }
        List<boolean[]> pixGt = new ArrayList<>();
        List<Integer> sides = new ArrayList<>();
        boolean allMasks = true;
        int normal = 0;
        long nanos = 0;
        progress.stage("Evaluating " + category, n);
        for (int i = 0; i < n; i++) {
            progress.checkCancelled();
            ImageSource src = test.get(i);
            FloatImage im = src.load();
            AnomalyMaps r;
            try {
                DepthMap depth = src.depth();
                float[] fg = src.mask();
                long t0 = System.nanoTime();
                r = model.score(im, depth, fg);
                nanos += System.nanoTime() - t0;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("test image " + src.name() + ": " + e.getMessage(), e);
            }
            for (int k = 0; k < maps; k++) {
                mean[k][i] = r.get(k).meanScore;
                max[k][i] = r.get(k).maxScore;
                score[k][i] = r.get(k).score;
            }
            normal += defect[i] ? 0 : 1;
            float[] gt = defect[i] ? (masks == null ? null : masks.mask(i, im.width(), im.height())) : new float[im.width() * im.height()];
            int side = pixelGrid(im.width(), im.height());
            if (gt == null) {
                allMasks = false;
            } else if (allMasks) {
                for (int k = 0; k < maps; k++) {
                    pix.get(k).add(r.get(k).upsample(side, side));
                }
                pixGt.add(binary(Resample.resize(gt, im.width(), im.height(), side, side)));
                sides.add(side);
            }
            progress.step(i + 1, null);
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < maps; k++) {
            Row row = new Row();
            row.category = category;
            row.method = model.method().mapLabel(k);
            row.normalImages = normal;
            row.defectImages = n - normal;
            row.msPerImage = n == 0 ? Double.NaN : nanos / 1e6 / n;
            rows.add(row);
            if (row.normalImages == 0 || row.defectImages == 0) {
                row.notes = row.defectImages == 0 ? "no defect images: image AUROC undefined" : "no normal test images: image AUROC undefined";
                continue;
            }
            row.normalScores = pick(score[k], defect, false);
            row.defectScores = pick(score[k], defect, true);
            row.rocCurve = Auroc.curve(score[k], defect);
            row.imageAuroc = Auroc.of(mean[k], defect);
            row.imageAurocMax = Auroc.of(max[k], defect);
            row.imageAurocScore = Auroc.of(score[k], defect);
            F1Max f1 = F1Max.of(score[k], defect);
            row.f1Max = f1.f1;
            row.f1Threshold = f1.threshold;
            row.missedAtFivePercent = missedAt(row.normalScores, row.defectScores, 0.05);
            verdicts(row, score[k], defect, labels, model.stats(model.method().mapNames().get(k)).imageThreshold);
            if (labels != null) {
                byType(row, score[k], defect, labels);
            }
            if (allMasks) {
                boolean[] truth = concat(pixGt);
                row.pixelAuroc = Auroc.of(FloatArrays.concat(pix.get(k)), truth);
                int[] sizes = sides.stream().mapToInt(Integer::intValue).toArray();
                row.aupro = Aupro.of(pix.get(k), pixGt, sizes, sizes, Aupro.DEFAULT_FPR_LIMIT);
                row.proCurve = Aupro.curve(pix.get(k), pixGt, sizes, sizes, Aupro.DEFAULT_FPR_LIMIT);
            } else {
                row.notes = "some defect images have no ground-truth mask: pixel AUROC not computed";
            }
        }
        return rows;
    }

    private static float[] pick(float[] v, boolean[] defect, boolean which) {
        int n = 0;
        for (boolean d : defect) {
            n += d == which ? 1 : 0;
        }
        float[] out = new float[n];
        for (int i = 0, j = 0; i < v.length; i++) {
            if (defect[i] == which) {
                out[j++] = v[i];
            }
        }
        return out;
    }

    /**
     * Fraction of defect scores at or below the lowest threshold that leaves at most
     * falseAlarmRate of the normal scores above it (scores above a threshold are flagged).
     */
    static double missedAt(float[] normal, float[] defects, double falseAlarmRate) {
        float[] sorted = normal.clone();
        java.util.Arrays.sort(sorted);
        int allowed = (int) Math.floor(falseAlarmRate * sorted.length + 1e-9);
        float threshold = sorted[sorted.length - 1 - allowed];
        int missed = 0;
        for (float d : defects) {
            missed += d > threshold ? 0 : 1;
        }
        return (double) missed / defects.length;
    }

    /** False alarms and misses at the model's threshold (the verdict rule of detection: above it is anomalous). */
    private static void verdicts(Row row, float[] scores, boolean[] defect, List<String> labels, float threshold) {
        int fa = 0;
        int missed = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean anomalous = io.github.astfiji.core.score.ScoreStats.isAnomalous(scores[i], threshold);
            if (!defect[i] && anomalous) {
                fa++;
            } else if (defect[i] && !anomalous) {
                missed++;
                if (labels != null) {
                    row.missesByType.merge(labels.get(i), 1, Integer::sum);
                }
            }
        }
        row.falseAlarms = fa;
        row.misses = missed;
        row.imageThreshold = threshold;
    }

    /** Image AUROC of each defect type against all normal images. */
    private static void byType(Row row, float[] scores, boolean[] defect, List<String> labels) {
        for (String type : new TreeSet<>(labels)) {
            if (type.equals("good")) {
                continue;
            }
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                if (!defect[i] || labels.get(i).equals(type)) {
                    keep.add(i);
                }
            }
            float[] a = new float[keep.size()];
            boolean[] d = new boolean[keep.size()];
            for (int k = 0; k < a.length; k++) {
                a[k] = scores[keep.get(k)];
                d[k] = defect[keep.get(k)];
            }
            row.byType.put(type, Auroc.of(a, d));
        }
    }

    /** A resized 0/1 (or 0/255) mask back to binary: defect where at least half covered. */
    private static boolean[] binary(float[] resized) {
        float max = 0;
        for (float v : resized) {
            max = Math.max(max, v);
        }
        boolean[] b = new boolean[resized.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = max > 0 && resized[i] >= 0.5f * (max > 1.5f ? 255f : 1f);
        }
        return b;
    }

    private static boolean[] concat(List<boolean[]> parts) {
        int n = 0;
        for (boolean[] p : parts) {
            n += p.length;
        }
        boolean[] out = new boolean[n];
        int o = 0;
        for (boolean[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
