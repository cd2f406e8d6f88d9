package io.github.astfiji.core.score;

/**
 * Each cell of a method's view grid standardised against the normal training views at that
 * cell, before views are stitched. A network scores the cells near a view's border
 * systematically higher than its middle (zero padding, less context): measured on the
 * tissue set, 18 of 20 normal images had their highest AST score in a corner, above most
 * local blur defects. Mapping each cell's normal mean and deviation onto the map's overall
 * ones removes that bias, so an image's score comes from what is unusual for its position.
 * <p>
 * Cell statistics come from the training views (the same views the networks learnt from;
 * the held-out images stay unseen for the thresholds) and are shrunk toward the overall
 * ones by {@link #PRIOR_VIEWS} pseudo-views, so a few training images give no wild cells.
 * Only foreground cells count when the training set has a mask at the map's grid.
 */
public final class PositionNormalisation {

    /** Pseudo-views of the overall statistics each cell's own are blended with. */
    public static final double PRIOR_VIEWS = 4;

    public int gridWidth;
    public int gridHeight;
    /** Per map: each cell's normal mean (gridHeight x gridWidth, row-major). */
    public float[][] cellMean;
    /** Per map: each cell's normal deviation. */
    public float[][] cellStd;
    /** Per map: mean and deviation of all normal cells, what each cell is mapped onto. */
    public float[] mean;
    public float[] std;
    /** Training views the statistics come from. */
    public int views;

    /** Gathers normal maps cell by cell (what core.train feeds it from the training views); {@link #finish} gives the statistics. */
    public static final class Collector {
        private final int height;
        private final int width;
        private final double[][] sum;
        private final double[][] sumSq;
        private final double[][] weight;
        private int views;

        public Collector(int maps, int height, int width) {
            this.height = height;
            this.width = width;
            int cells = height * width;
            sum = new double[maps][cells];
            sumSq = new double[maps][cells];
            weight = new double[maps][cells];
        }

        /**
         * One map of a batch of views (height x width values each); weights: 1 where a cell
         * is foreground, 0 where it is not, or null when every cell counts.
         */
        public void add(int map, float[] values, float[] weights) {
            int cells = height * width;
            for (int i = 0; i < values.length; i++) {
                double w = weights == null ? 1 : weights[i];
                int c = i % cells;
                sum[map][c] += w * values[i];
                sumSq[map][c] += w * values[i] * (double) values[i];
                weight[map][c] += w;
            }
            if (map == 0) {
                views += values.length / cells;
            }
        }

        public PositionNormalisation finish() {
            PositionNormalisation p = new PositionNormalisation();
            int maps = sum.length;
            p.gridHeight = height;
            p.gridWidth = width;
            p.views = views;
            p.cellMean = new float[maps][p.cells()];
            p.cellStd = new float[maps][p.cells()];
            p.mean = new float[maps];
            p.std = new float[maps];
            for (int m = 0; m < maps; m++) {
                double total = 0;
                double totalSq = 0;
                double count = 0;
                for (int c = 0; c < p.cells(); c++) {
                    total += sum[m][c];
                    totalSq += sumSq[m][c];
                    count += weight[m][c];
                }
                double mu = total / Math.max(count, 1e-12);
                double var = Math.max(totalSq / Math.max(count, 1e-12) - mu * mu, 0);
                p.mean[m] = (float) mu;
                p.std[m] = (float) Math.sqrt(var);
                for (int c = 0; c < p.cells(); c++) {
                    double k = PRIOR_VIEWS;
                    double cellMu = (sum[m][c] + k * mu) / (weight[m][c] + k);
                    double cellSecond = (sumSq[m][c] + k * (var + mu * mu)) / (weight[m][c] + k);
                    p.cellMean[m][c] = (float) cellMu;
                    p.cellStd[m][c] = (float) Math.sqrt(Math.max(cellSecond - cellMu * cellMu, 0));
                }
            }
            return p;
        }
    }

    int cells() {
        return gridWidth * gridHeight;
    }

    /**
     * Standardises map {@code mapIndex} of a batch of views in place: flat holds views of
     * height x width values each. Values below 0 (far below normal) are clipped to 0, as
     * every method's maps are non-negative.
     */
    public void apply(int mapIndex, float[] flat, int height, int width) {
        if (height != gridHeight || width != gridWidth) {
            throw new IllegalStateException("the model's position statistics are for a " + gridWidth + " x " + gridHeight
                    + " grid but the network gave a " + width + " x " + height + " map; train the model again");
        }
        float[] mu = cellMean[mapIndex];
        float[] sd = cellStd[mapIndex];
        float target = mean[mapIndex];
        float spread = std[mapIndex];
        int cells = cells();
        for (int i = 0; i < flat.length; i++) {
            int c = i % cells;
            float z = sd[c] > 0 ? (flat[i] - mu[c]) / sd[c] : 0f;
            flat[i] = Math.max(0f, target + spread * z);
        }
    }

    /** Why these statistics cannot be used, or null. */
    public String problem(int maps) {
        if (cellMean == null || cellStd == null || mean == null || std == null || cellMean.length != maps || cellStd.length != maps
                || mean.length != maps || std.length != maps) {
            return "it has position statistics for another number of maps";
        }
        for (int m = 0; m < maps; m++) {
            if (cellMean[m].length != cells() || cellStd[m].length != cells()) {
                return "its position statistics do not match their grid";
            }
            if (!Float.isFinite(mean[m]) || !Float.isFinite(std[m])) {
                return "its position statistics are not finite numbers";
            }
            for (int c = 0; c < cells(); c++) {
                if (!Float.isFinite(cellMean[m][c]) || !Float.isFinite(cellStd[m][c])) {
                    return "its position statistics are not finite numbers";
                }
            }
        }
        return null;
    }
}
