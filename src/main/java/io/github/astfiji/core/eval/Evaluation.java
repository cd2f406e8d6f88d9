package io.github.astfiji.core.eval;

import io.github.astfiji.core.AnomalyModel;
import io.github.astfiji.core.FloatArrays;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.ImageSource;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.Resample;
import io.github.astfiji.core.ScoreMode;
import io.github.astfiji.core.ScoreResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores a labelled test set and reports, for AST and the teacher-only baseline, image
 * AUROC (mean and max scoring), F1-max of the model's image score, and where every defect
 * image has a ground-truth mask, pixel AUROC and AUPRO (to 30 % FPR). Maps (background
 * set to 0 where a foreground mask exists) and masks are compared at 192 x 192, as the
 * reference implementation does.
 */
public final class Evaluation {

    static final int PIXEL_GRID = 192;

    /** One evaluated category. NaN marks what could not be evaluated (see {@link #notes}). */
    public static final class Row {
        public String category;
        public int normalImages;
        public int defectImages;
        public double imageAuroc = Double.NaN;
        public double imageAurocMax = Double.NaN;
        public double nllImageAuroc = Double.NaN;
        public double nllImageAurocMax = Double.NaN;
        public double pixelAuroc = Double.NaN;
        public double nllPixelAuroc = Double.NaN;
        public double aupro = Double.NaN;
        public double nllAupro = Double.NaN;
        /** Best F1 of the model's image score over all thresholds, and that threshold. */
        public double f1Max = Double.NaN;
        public double f1Threshold = Double.NaN;
        public double nllF1Max = Double.NaN;
        /** Per defect type: image AUROC of that type against the normal images, {AST, teacher-only} (model's image score). */
        public final java.util.Map<String, double[]> byType = new java.util.TreeMap<>();
        public String notes = "";
    }

    /** Supplies the ground-truth mask (values > 0 = defect) of a test image, or null. */
    public interface MaskSource {
        float[] mask(int index, int width, int height) throws IOException;
    }

    private Evaluation() {
    }

    public static Row evaluate(String category, AnomalyModel model, List<ImageSource> test, boolean[] defect,
                               MaskSource masks, Progress progress) throws IOException {
        return evaluate(category, model, test, defect, null, masks, progress);
    }

    /** As above; with a label per image (its test sub-folder), also the AUROC per defect type. */
    public static Row evaluate(String category, AnomalyModel model, List<ImageSource> test, boolean[] defect, List<String> labels,
                               MaskSource masks, Progress progress) throws IOException {
        Row row = new Row();
        row.category = category;
        int n = test.size();
        float[][] img = new float[6][n];
        List<float[]> pixAst = new ArrayList<>();
        List<float[]> pixNll = new ArrayList<>();
        List<boolean[]> pixGt = new ArrayList<>();
        boolean allMasks = true;
        progress.stage("Evaluating " + category, n);
        for (int i = 0; i < n; i++) {
            progress.checkCancelled();
            ImageSource src = test.get(i);
            FloatImage im = src.load();
            Map<ScoreMode, ScoreResult> r;
            try {
                r = model.score(im, src.depth(), src.mask());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("test image " + src.name() + ": " + e.getMessage(), e);
            }
            img[0][i] = r.get(ScoreMode.AST).meanScore;
            img[1][i] = r.get(ScoreMode.AST).maxScore;
            img[2][i] = r.get(ScoreMode.TEACHER_NLL).meanScore;
            img[3][i] = r.get(ScoreMode.TEACHER_NLL).maxScore;
            img[4][i] = r.get(ScoreMode.AST).score;
            img[5][i] = r.get(ScoreMode.TEACHER_NLL).score;
            if (defect[i]) {
                row.defectImages++;
            } else {
                row.normalImages++;
            }
            float[] gt = defect[i] ? (masks == null ? null : masks.mask(i, im.width(), im.height())) : new float[im.width() * im.height()];
            if (gt == null) {
                allMasks = false;
            } else if (allMasks) {
                pixAst.add(r.get(ScoreMode.AST).upsample(PIXEL_GRID, PIXEL_GRID));
                pixNll.add(r.get(ScoreMode.TEACHER_NLL).upsample(PIXEL_GRID, PIXEL_GRID));
                pixGt.add(binary(Resample.resize(gt, im.width(), im.height(), PIXEL_GRID, PIXEL_GRID)));
            }
            progress.step(i + 1, null);
        }
        if (row.normalImages == 0 || row.defectImages == 0) {
            row.notes = row.defectImages == 0 ? "no defect images: image AUROC undefined" : "no normal test images: image AUROC undefined";
            return row;
        }
        row.imageAuroc = Auroc.of(img[0], defect);
        row.imageAurocMax = Auroc.of(img[1], defect);
        row.nllImageAuroc = Auroc.of(img[2], defect);
        row.nllImageAurocMax = Auroc.of(img[3], defect);
        F1Max f1 = F1Max.of(img[4], defect);
        row.f1Max = f1.f1;
        row.f1Threshold = f1.threshold;
        row.nllF1Max = F1Max.of(img[5], defect).f1;
        if (labels != null) {
            for (String type : new java.util.TreeSet<>(labels)) {
                if (type.equals("good")) {
                    continue;
                }
                java.util.List<Integer> keep = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (!defect[i] || labels.get(i).equals(type)) {
                        keep.add(i);
                    }
                }
                float[] a = new float[keep.size()];
                float[] b = new float[keep.size()];
                boolean[] d = new boolean[keep.size()];
                for (int k = 0; k < a.length; k++) {
                    a[k] = img[4][keep.get(k)];
                    b[k] = img[5][keep.get(k)];
                    d[k] = defect[keep.get(k)];
                }
                row.byType.put(type, new double[] {Auroc.of(a, d), Auroc.of(b, d)});
            }
        }
        if (allMasks) {
            boolean[] truth = concat(pixGt);
            row.pixelAuroc = Auroc.of(FloatArrays.concat(pixAst), truth);
            row.nllPixelAuroc = Auroc.of(FloatArrays.concat(pixNll), truth);
            int[] sizes = new int[pixGt.size()];
            java.util.Arrays.fill(sizes, PIXEL_GRID);
            row.aupro = Aupro.of(pixAst, pixGt, sizes, sizes, Aupro.DEFAULT_FPR_LIMIT);
            row.nllAupro = Aupro.of(pixNll, pixGt, sizes, sizes, Aupro.DEFAULT_FPR_LIMIT);
        } else {
            row.notes = "some defect images have no ground-truth mask: pixel AUROC not computed";
        }
        return row;
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
