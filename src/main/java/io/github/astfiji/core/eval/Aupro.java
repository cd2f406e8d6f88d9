package io.github.astfiji.core.eval;

import java.util.List;

/**
 * Area under the per-region-overlap curve (Bergmann et al.): every connected defect region
 * (8-connected) counts equally, however large, so small defects weigh as much as big ones.
 * PRO(t) = mean over regions of the share of the region's pixels scoring >= t; FPR(t) =
 * share of all defect-free pixels scoring >= t. The curve is integrated over FPR from 0 to
 * the limit (0.3 in the field) and divided by the limit, so a perfect map scores 1.
 */
public final class Aupro {

    public static final double DEFAULT_FPR_LIMIT = 0.3;

    private Aupro() {
    }

    /**
     * @param maps   per image, anomaly scores (row-major, width x height of that image)
     * @param truths per image, ground truth of the same size (true = defect)
     */
    public static double of(List<float[]> maps, List<boolean[]> truths, int[] widths, int[] heights, double fprLimit) {
        return sweep(maps, truths, widths, heights, fprLimit, null);
    }

    /** The per-region-overlap curve up to the FPR limit: points {false-positive rate, mean region overlap}, for plots. */
    public static List<double[]> curve(List<float[]> maps, List<boolean[]> truths, int[] widths, int[] heights, double fprLimit) {
        List<double[]> points = new java.util.ArrayList<>();
        points.add(new double[] {0, 0});
        sweep(maps, truths, widths, heights, fprLimit, points);
        return points;
    }

    private static double sweep(List<float[]> maps, List<boolean[]> truths, int[] widths, int[] heights, double fprLimit,
                                List<double[]> points) {
        int total = 0;
        for (float[] m : maps) {
            total += m.length;
        }
        float[] scores = new float[total];
        int[] region = new int[total]; // -1 = defect-free, else global region id
        int regions = 0;
        int offset = 0;
        for (int i = 0; i < maps.size(); i++) {
            float[] m = maps.get(i);
            boolean[] gt = truths.get(i);
            if (gt.length != m.length || m.length != widths[i] * heights[i]) {
                throw new IllegalArgumentException("image " + i + ": map, mask and size disagree");
            }
            int[] labels = Regions.label(gt, widths[i], heights[i]);
            int most = 0;
            for (int k = 0; k < m.length; k++) {
                scores[offset + k] = m[k];
                region[offset + k] = labels[k] == 0 ? -1 : regions + labels[k] - 1;
                most = Math.max(most, labels[k]);
            }
            regions += most;
            offset += m.length;
        }
        long negatives = 0;
        int[] regionSize = new int[regions];
        for (int r : region) {
            if (r < 0) {
                negatives++;
            } else {
                regionSize[r]++;
            }
        }
        if (regions == 0 || negatives == 0) {
            return Double.NaN;
        }
        int[] order = Ranking.descending(scores);
        double fpr = 0;
        double pro = 0;
        double area = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            float t = scores[order[i]];
            double proNext = pro;
            long fpNext = fp;
            while (i < order.length && scores[order[i]] == t) {
                int r = region[order[i]];
                if (r < 0) {
                    fpNext++;
                } else {
                    proNext += 1.0 / ((double) regionSize[r] * regions);
                }
                i++;
            }
            double fprNext = (double) fpNext / negatives;
            if (fprNext >= fprLimit) {
                // linear interpolation to the limit, as between any two thresholds
                double frac = fprNext > fpr ? (fprLimit - fpr) / (fprNext - fpr) : 0;
                double proAtLimit = pro + frac * (proNext - pro);
                area += (fprLimit - fpr) * (pro + proAtLimit) / 2;
                if (points != null) {
                    points.add(new double[] {fprLimit, proAtLimit});
                }
                return area / fprLimit;
            }
            area += (fprNext - fpr) * (pro + proNext) / 2;
            if (points != null) {
                points.add(new double[] {fprNext, proNext});
            }
            fpr = fprNext;
            pro = proNext;
            fp = fpNext;
        }
        return area / fprLimit;
    }
}
