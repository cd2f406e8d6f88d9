package io.github.astfiji.io;

import io.github.astfiji.core.image.DepthMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepthFilesTest {

    @Test
    void readsMvtec3dXyzWrittenByTifffile() throws Exception {
        // written by scripts/fixtures/make_metric_fixture.py with Python's tifffile: 6 x 5, float32 x, y, z
        DepthMap d = DepthFiles.read(Path.of("src/test/resources/fixtures/xyz_tifffile.tiff"));
        assertEquals(5, d.width());
        assertEquals(6, d.height());
        assertEquals(0.5f, d.z()[0], 1e-7f);
        assertEquals(0.5f + 8 * 0.0001f, d.z()[8], 1e-6f);
        assertEquals(0f, d.z()[2 * 5 + 2], 0f, "missing value kept as 0");
        assertEquals(1, d.missingCount());
    }

    @Test
    void writtenXyzReadsBack(@TempDir Path dir) throws Exception {
        int w = 7;
        int h = 4;
        float[] x = new float[w * h];
        float[] y = new float[w * h];
        float[] z = new float[w * h];
        for (int i = 0; i < z.length; i++) {
            x[i] = i * 1e-3f;
            y[i] = -i * 1e-3f;
            z[i] = 0.4f + i * 1e-4f;
        }
        Path f = dir.resolve("a.tiff");
        DepthFiles.writeXyz(f, w, h, x, y, z);
        DepthMap back = DepthFiles.read(f);
        assertEquals(w, back.width());
        for (int i = 0; i < z.length; i++) {
            assertEquals(z[i], back.z()[i], 0f);
        }
    }

    @Test
    void pairingNamesTheImageWithoutDepth(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("xyz"));
        Files.writeString(dir.resolve("xyz/001.tiff"), "x");
        List<Path> images = List.of(dir.resolve("rgb/001.png"), dir.resolve("rgb/002.png"));
        Exception e = assertThrows(java.io.IOException.class, () -> DepthFiles.pair(images, dir.resolve("xyz")));
        assertTrue(e.getMessage().contains("002.png"), e.getMessage());
        Exception notTiff = assertThrows(java.io.IOException.class, () -> DepthFiles.read(dir.resolve("xyz/001.tiff")));
        assertTrue(notTiff.getMessage().contains("001.tiff"), notTiff.getMessage());
    }
}
