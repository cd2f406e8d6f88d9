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
 * Scores a labelled test set and reports image AUROC (mean and max scoring) for AST and
 * the teacher-only baseline, and pixel AUROC where ground-truth masks exist. Maps and
 * masks are compared at 192 x 192, as the reference implementation does.
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
        Row row = new Row();
        row.category = category;
        int n = test.size();
        float[][] img = new float[4][n];
        List<float[]> pixAst = new ArrayList<>();
        List<float[]> pixNll = new ArrayList<>();
        List<float[]> pixGt = new ArrayList<>();
        boolean allMasks = true;
        progress.stage("Evaluating " + category, n);
        for (int i = 0; i < n; i++) {
            progress.checkCancelled();
            FloatImage im = test.get(i).load();
            Map<ScoreMode, ScoreResult> r = model.score(im, null);
            img[0][i] = r.get(ScoreMode.AST).meanScore;
            img[1][i] = r.get(ScoreMode.AST).maxScore;
            img[2][i] = r.get(ScoreMode.TEACHER_NLL).meanScore;
            img[3][i] = r.get(ScoreMode.TEACHER_NLL).maxScore;
            if (defect[i]) {
                row.defectImages++;
            } else {
                row.normalImages++;
            }
            float[] gt = defect[i] ? (masks == null ? null : masks.mask(i, im.width(), im.height())) : new float[im.width() * im.height()];
            if (gt == null) {
                allMasks = false;
            } else if (allMasks) {
                pixAst.add(gridMap(r.get(ScoreMode.AST)));
                pixNll.add(gridMap(r.get(ScoreMode.TEACHER_NLL)));
                pixGt.add(Resample.resize(gt, im.width(), im.height(), PIXEL_GRID, PIXEL_GRID));
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
        if (allMasks) {
            boolean[] truth = flattenMask(pixGt);
            row.pixelAuroc = Auroc.of(FloatArrays.concat(pixAst), truth);
            row.nllPixelAuroc = Auroc.of(FloatArrays.concat(pixNll), truth);
        } else {
            row.notes = "some defect images have no ground-truth mask: pixel AUROC not computed";
        }
        return row;
    }

    private static float[] gridMap(ScoreResult r) {
        return Resample.resize(r.grid, r.gridWidth, r.gridHeight, PIXEL_GRID, PIXEL_GRID);
    }

    private static boolean[] flattenMask(List<float[]> parts) {
        float[] f = FloatArrays.concat(parts);
        boolean[] b = new boolean[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = f[i] > 0.5f;
        }
        return b;
    }
}
