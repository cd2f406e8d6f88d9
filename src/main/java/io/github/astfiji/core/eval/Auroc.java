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
}
