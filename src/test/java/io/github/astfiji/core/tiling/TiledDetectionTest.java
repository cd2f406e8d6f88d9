package io.github.astfiji.core.tiling;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.backbone.FilterBankBackbone;
import io.github.astfiji.core.data.DefectSynthesizer;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large images with a small defect: a model that tiles at full resolution localises a
 * 10-20 px spot in a 512 px image that a whole-image model (512 px shrunk to 128) blurs
 * away; scoring reads the image one tile region at a time; tiny images are refused.
 */
class TiledDetectionTest {

    /** A 512 x 512 mosaic of 16 bundled normal crops (random picks and flips). */
    static FloatImage mosaic(List<FloatImage> crops, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[512 * 512];
        for (int ty = 0; ty < 4; ty++) {
            for (int tx = 0; tx < 4; tx++) {
                FloatImage c = crops.get(rng.nextInt(crops.size()));
                boolean flipX = rng.nextBoolean();
                boolean flipY = rng.nextBoolean();
                for (int y = 0; y < 128; y++) {
                    for (int x = 0; x < 128; x++) {
                        out[(ty * 128 + y) * 512 + tx * 128 + x] = c.get(0, flipX ? 127 - x : x, flipY ? 127 - y : y);
                    }
                }
            }
        }
        return new FloatImage(512, 512, 1, 8, out);
    }

    @Test
    void tilesLocaliseASmallDefectThatWholeImageScalingLoses() throws Exception {
        List<FloatImage> crops = new ArrayList<>();
        for (ImageSource s : TestData.trainImages(24)) {
            crops.add(s.load());
        }
        List<ImageSource> train = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            train.add(ImageSource.of("mosaic" + i, mosaic(crops, i)));
        }
        // a spot painted into one 128 px block of a new mosaic
        FloatImage normal = mosaic(crops, 99);
        float[] block = new float[128 * 128];
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                block[y * 128 + x] = normal.get(0, 256 + x, 128 + y);
            }
        }
        DefectSynthesizer.Result spot = DefectSynthesizer.paint(new FloatImage(128, 128, 1, 8, block), DefectSynthesizer.Kind.SPOT, 3);
        float[] px = normal.data().clone();
        float[] truth = new float[512 * 512];
        int area = 0;
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                px[(128 + y) * 512 + 256 + x] = spot.image.get(0, x, y);
                truth[(128 + y) * 512 + 256 + x] = spot.mask[y * 128 + x];
                area += spot.mask[y * 128 + x] > 0 ? 1 : 0;
            }
        }
        FloatImage defect = new FloatImage(512, 512, 1, 8, px);
        System.out.println("TiledDetectionTest: spot of " + area + " px in a 512 x 512 image");

        double[] auroc = new double[2];
        String[] sizings = {"tile", "fit"};
        for (int k = 0; k < 2; k++) {
            AstConfig c = (AstConfig) Methods.config(Methods.AST, "cpu", 20, 128);
            c.sizing = Sizing.parse(sizings[k]);
            c.calibrationFolds = 0;
            try (NDManager root = Engines.newManager();
                 Detector d = new Trainer(Methods.AST, c, Progress.NONE).train(train, new FilterBankBackbone(root), root)) {
                assertEquals(sizings[k], d.config().sizing.toString());
                AnomalyMap r = d.score(defect, null).primary();
                float[] map = r.upsample(512, 512);
                boolean[] gt = new boolean[map.length];
                for (int i = 0; i < gt.length; i++) {
                    gt[i] = truth[i] > 0;
                }
                auroc[k] = Auroc.of(map, gt);
                if (k == 0) {
                    assertEquals(512 / 8, r.gridWidth, "the tiled map keeps the full resolution's 8 px cells");
                    int best = 0;
                    for (int i = 1; i < map.length; i++) {
                        best = map[i] > map[best] ? i : best;
                    }
                    int bx = best % 512;
                    int by = best / 512;
                    assertTrue(bx >= 256 - 16 && bx < 384 + 16 && by >= 128 - 16 && by < 256 + 16,
                            "the map's peak (" + bx + ", " + by + ") lies on the defect's block");
                    float normalScore = d.score(normal, null).primary().score;
                    assertTrue(r.score > normalScore, "defect image scores above the same image without the spot: " + r.score + " vs " + normalScore);
                }
            }
        }
        System.out.printf("TiledDetectionTest: pixel AUROC of the spot, tiled %.3f, whole image fitted %.3f%n", auroc[0], auroc[1]);
        assertTrue(auroc[0] >= 0.95, "tiled pixel AUROC " + auroc[0]);
        assertTrue(auroc[0] > auroc[1], "tiles localise better than whole-image scaling: " + auroc[0] + " vs " + auroc[1]);
    }

    @Test
    void scoringReadsOneTileRegionAtATimeAndTinyImagesAreRefused() throws Exception {
        AstConfig c = TestData.fastConfig();
        c.sizing = Sizing.TILE;
        try (NDManager root = Engines.newManager();
             Detector d = new Trainer(Methods.AST, c, Progress.NONE).train(TestData.trainImages(8), new FilterBankBackbone(root), root)) {
            int before = root.getManagedArrays().size();
            long[] largest = {0};
            long[] total = {0};
            PixelSource big = new PixelSource() { // 900 x 700 px computed on demand, never held
                public int width() {
                    return 900;
                }

                public int height() {
                    return 700;
                }

                public int channels() {
                    return 1;
                }

                public int bitDepth() {
                    return 8;
                }

                public float[] region(int x, int y, int w, int h) {
                    largest[0] = Math.max(largest[0], (long) w * h);
                    total[0] += (long) w * h;
                    float[] v = new float[w * h];
                    for (int r = 0; r < h; r++) {
                        for (int k = 0; k < w; k++) {
                            v[r * w + k] = 128 + 60 * (float) Math.sin((x + k) * 0.3) * (float) Math.cos((y + r) * 0.2);
                        }
                    }
                    return v;
                }
            };
            AnomalyMap r = d.score(big, null).primary();
            assertEquals((900 + 7) / 8, r.gridWidth);
            assertTrue(largest[0] <= 64L * 64, "no read larger than one 64 px tile: " + largest[0]);
            assertTrue(total[0] < 4L * 900 * 700, "each pixel read a few times at most (tile overlap), not more: " + total[0]);
            assertEquals(before, root.getManagedArrays().size(), "no tensor outlives the scoring");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.score(new FloatImage(1, 1, 1, 8, new float[] {7f}), null));
            assertTrue(e.getMessage().contains("1x1") && e.getMessage().contains(d.minimumSide() + "x" + d.minimumSide()), e.getMessage());
        }
    }
}
