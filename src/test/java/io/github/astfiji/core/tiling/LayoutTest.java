package io.github.astfiji.core.tiling;

import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.PixelSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tiles cover the image at the working scale, overlaps average, padding mirrors, big maps are pooled under a cap. */
class LayoutTest {

    @Test
    void tilesCoverTheImageWithTheLastOneFlushAtTheEnd() {
        assertEquals(List.of(0, 96, 192, 208), Layout.starts(400, 192, 96));
        assertEquals(List.of(0), Layout.starts(192, 192, 96), "an image of one tile is one tile");
        Layout l = Layout.of(Sizing.TILE, 1000, 700, 192, 8, 1.0, 0.25, false);
        // working image padded to whole cells: 1000 -> 1000 (125 cells), 700 -> 704 (88 cells)
        assertEquals(125, l.contentCellsX);
        assertEquals(88, l.contentCellsY);
        boolean[] covered = new boolean[l.mapWidth * l.mapHeight];
        for (Layout.View v : l.views) {
            assertEquals(0, v.mapX * 8 % 8);
            for (int y = 0; y < l.viewCells; y++) {
                for (int x = 0; x < l.viewCells; x++) {
                    covered[(v.mapY + y) * l.mapWidth + v.mapX + x] = true;
                }
            }
        }
        for (boolean c : covered) {
            assertTrue(c, "every cell of the map is covered by some tile");
        }
        Layout training = Layout.of(Sizing.TILE, 1000, 700, 192, 8, 1.0, 0.25, true);
        assertTrue(training.views.size() < l.views.size(), "training tiles do not overlap (but the last ones)");
        Layout half = Layout.of(Sizing.TILE, 1000, 700, 192, 8, 0.5, 0.25, false);
        assertEquals(63, half.contentCellsX, "at scale 0.5 the image is 500 working pixels: 63 cells of 8");
        assertEquals(384.0, half.views.get(0).width, 1e-9, "a tile reads 384 image pixels at scale 0.5");
    }

    @Test
    void hugeImagesPoolTheirMapsUnderTheCap() {
        Layout l = Layout.of(Sizing.TILE, 20000, 20000, 192, 1, 1.0, 0.25, false);
        assertTrue((long) l.mapWidth * l.mapHeight <= Layout.MAX_MAP_CELLS, "stitched map " + l.mapWidth + "x" + l.mapHeight);
        assertTrue(l.pool > 1 && 192 % l.pool == 0, "pooling " + l.pool + " divides the tile");
        assertEquals(192 / l.pool, l.viewCells);
        Layout grid = Layout.of(Sizing.TILE, 20000, 20000, 192, 8, 1.0, 0.25, false);
        assertEquals(1, grid.pool, "a grid map (8 px cells) of 20000 px fits without pooling");
    }

    @Test
    void overlapsAreAveragedAndTheResultCroppedToTheImage() {
        Layout l = Layout.of(Sizing.TILE, 300, 200, 128, 8, 1.0, 0.5, false);
        MapStitcher st = new MapStitcher(l);
        int side = l.viewCells;
        for (Layout.View v : l.views) {
            float[] map = new float[side * side];
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    map[y * side + x] = v.mapX + x + 1000f * (v.mapY + y); // a function of the global cell: overlaps agree
                }
            }
            st.add(v, map, side);
        }
        float[] out = st.result();
        assertEquals(l.contentCellsX * l.contentCellsY, out.length);
        for (int y = 0; y < l.contentCellsY; y++) {
            for (int x = 0; x < l.contentCellsX; x++) {
                assertEquals(x + 1000f * y, out[y * l.contentCellsX + x], 1e-3f);
            }
        }
        // two views disagreeing on a cell give their mean
        Layout two = Layout.of(Sizing.TILE, 24, 16, 16, 8, 1.0, 0.5, false);
        MapStitcher mean = new MapStitcher(two);
        float value = 1;
        for (Layout.View v : two.views) {
            float[] map = new float[4];
            java.util.Arrays.fill(map, value);
            value += 2;
            mean.add(v, map, 2);
        }
        assertEquals(2f, mean.result()[1], 1e-6f, "the middle cell column is seen by both tiles: (1 + 3) / 2");
    }

    @Test
    void paddingMirrorsAndFitKeepsTheAspectRatio() {
        float[] ramp = new float[6 * 4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                ramp[y * 6 + x] = 10 * y + x;
            }
        }
        PixelSource img = new FloatImage(6, 4, 1, 32, ramp);
        Layout tile = Layout.of(Sizing.TILE, 6, 4, 8, 1, 1.0, 0.25, false);
        FloatImage t = tile.pixels(img, tile.views.get(0));
        assertEquals(8, t.width());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 5, 4}, java.util.Arrays.copyOfRange(t.data(), 0, 8), "row 0 mirrored at the right edge");
        assertEquals(35f, t.get(0, 5, 4), "row 4 mirrors row 3");
        assertArrayEquals(new int[] {1, 0, 0, 1, 2, 2, 1}, Layout.mirrored(-2, 5, 3));

        Layout fit = Layout.of(Sizing.FIT, 200, 100, 64, 8, 1.0, 0.25, false);
        assertEquals(64, fit.views.get(0).contentWidth);
        assertEquals(32, fit.views.get(0).contentHeight, "the aspect ratio is kept");
        assertEquals(8, fit.contentCellsX);
        assertEquals(4, fit.contentCellsY, "the map is cropped to the image's cells");
        float[] mask = fit.contentMask(fit.views.get(0), 8);
        assertEquals(1f, mask[3 * 8 + 7]);
        assertEquals(0f, mask[4 * 8]);
    }
}
