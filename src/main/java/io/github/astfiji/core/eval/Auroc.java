package io.github.astfiji.core.eval;

/** Area under the ROC curve via the rank-sum statistic; ties count one half. */
public final class Auroc {

    private Auroc() {
    }

    /** @param scores higher = more anomalous; @param anomalous ground truth per score */
    public static double of(float[] scores, boolean[] anomalous) {
        int n = scores.length;
        if (anomalous.length != n) {
            throw new IllegalArgumentException(n + " scores but " + anomalous.length + " labels");
        }
        int[] order = Ranking.ascending(scores);
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1; // 1-based average rank of the tie group
            for (int k = i; k <= j; k++) {
                if (anomalous[order[k]]) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** The ROC curve: points {false-positive rate, true-positive rate} from the highest threshold down, for plots. */
    public static java.util.List<double[]> curve(float[] scores, boolean[] anomalous) {
        int[] order = Ranking.descending(scores);
        long pos = 0;
        for (boolean a : anomalous) {
            pos += a ? 1 : 0;
        }
        long neg = scores.length - pos;
        java.util.List<double[]> out = new java.util.ArrayList<>();
        out.add(new double[] {0, 0});
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            float t = scores[order[i]];
            while (i < order.length && scores[order[i]] == t) {
                if (anomalous[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            out.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
        }
        return out;
    }
}
