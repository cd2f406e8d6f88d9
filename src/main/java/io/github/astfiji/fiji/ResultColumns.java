package io.github.astfiji.fiji;

import ij.measure.ResultsTable;

/**
 * The columns of the Anomaly Detection Results table, the same for an open image, an ImageJ2
 * image and a folder, so that a macro or script reads one layout whichever it scored (the
 * folder's scores.csv has these and a few more).
 */
final class ResultColumns {

    private ResultColumns() {
    }

    /** One row: an image (or a stack's slice) and its verdict; error is empty when it was scored. */
    static void add(ResultsTable t, String image, int slice, String label, double score, double normalisedScore, String verdict,
                    double normalExceedPer100, int regions, double regionAreaPx, double maxPixelScore, String error) {
        t.incrementCounter();
        t.addValue("image", image);
        t.addValue("slice", slice);
        t.addValue("label", label == null ? "" : label);
        t.addValue("score", score);
        t.addValue("normalised_score", normalisedScore);
        t.addValue("verdict", verdict);
        t.addValue("normal_exceed_per_100", normalExceedPer100);
        t.addValue("regions", regions);
        t.addValue("region_area_px", regionAreaPx);
        t.addValue("max_pixel_score", maxPixelScore);
        t.addValue("error", error == null ? "" : error);
    }
}
