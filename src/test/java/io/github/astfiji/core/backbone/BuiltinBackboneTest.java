package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.TestData;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.Preprocessing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Built-in backbones after calibration give unit-scale, non-denormal, image-dependent
 * features (the random-CNN trap: without recalibration activations collapse).
 */
class BuiltinBackboneTest {

    @ParameterizedTest
    @ValueSource(strings = {RandomCnnBackbone.ID, FilterBankBackbone.ID, FilterBankBackbone.SHARPNESS_ID, FilterBankBackbone.CHANNEL_SHARPNESS_ID})
    void calibratedFeaturesAreStandardised(String id) throws Exception {
        List<ImageSource> imgs = TestData.trainImages(8);
        List<FloatImage> loaded = new ArrayList<>();
        for (ImageSource s : imgs) {
            loaded.add(s.load());
        }
        Preprocessing pre = Preprocessing.fit(loaded, 96);
        float[] batch = new float[loaded.size() * 3 * 96 * 96];
        for (int i = 0; i < loaded.size(); i++) {
            System.arraycopy(pre.apply(loaded.get(i)), 0, batch, i * 3 * 96 * 96, 3 * 96 * 96);
        }
        try (NDManager m = Engines.newManager(); Backbone bb = Backbones.builtin(id, m, 0)) {
            NDArray images = m.create(batch, new Shape(loaded.size(), 3, 96, 96));
            bb.calibrate(List.of(images));
            NDArray f = bb.extract(images);
            assertEquals(new Shape(loaded.size(), bb.channels(), 12, 12), f.getShape());
            float count = f.getShape().get(0) * 12 * 12;
            float[] mean = f.sum(new int[] {0, 2, 3}).div(count).toFloatArray();
            float[] var = f.square().sum(new int[] {0, 2, 3}).div(count).toFloatArray();
            for (int c = 0; c < mean.length; c++) {
                assertEquals(0, mean[c], 1e-3, id + " channel " + c + " mean");
                assertTrue(var[c] > 0.9 || var[c] < 1e-6, id + " channel " + c + " second moment " + var[c]);
            }
            float[] v = f.toFloatArray();
            for (float x : v) {
                assertTrue(x == 0 || Math.abs(x) > 1e-30, "denormal feature value " + x);
            }
            // two different images give different features
            NDArray diff = f.get(0).sub(f.get(1)).abs().mean();
            assertTrue(diff.getFloat() > 0.1, "features of different images must differ");
        }
    }

    /**
     * Defocus keeps a region's intensity and only takes its fine structure away: the
     * sharpness channels (fine structure per unit of signal, last three) must fall inside a
     * blurred disc of a fluorescence image, in every colour by more than the smoothed
     * intensity moves (6 cells here: 0.28-0.74 std against 0.15), and every feature must stay as it was in cells
     * the blur (and the pyramid filters' 16 px reach) cannot touch.
     */
    @org.junit.jupiter.api.Test
    void sharpnessChannelsFallUnderDefocusAndNowhereElse() throws Exception {
        int size = 128;
        int stride = 8;
        int grid = size / stride;
        io.github.astfiji.core.data.DefectSynthesizer.Result sharp = fluorescence(size, false);
        io.github.astfiji.core.data.DefectSynthesizer.Result blurred = fluorescence(size, true);
        Preprocessing pre = Preprocessing.fit(List.of(sharp.image), size);
        try (NDManager m = Engines.newManager(); Backbone bb = FilterBankBackbone.withSharpness(m)) {
            NDArray images = m.create(io.github.astfiji.core.image.FloatArrays.concat(List.of(pre.apply(sharp.image), pre.apply(blurred.image))), new Shape(2, 3, size, size));
            bb.calibrate(List.of(images.get("0:1")));
            int channels = bb.channels();
            float[] f = bb.extract(images).toFloatArray();
            int cells = grid * grid;
            double[] inside = new double[3];
            double intensityChange = 0;
            int insideCells = 0;
            double farChange = 0;
            for (int cell = 0; cell < cells; cell++) {
                double covered = 0;
                boolean near = false;
                int cx = cell % grid;
                int cy = cell / grid;
                for (int y = cy * stride - 16; y < (cy + 1) * stride + 16; y++) {
                    for (int x = cx * stride - 16; x < (cx + 1) * stride + 16; x++) {
                        if (x >= 0 && y >= 0 && x < size && y < size && blurred.mask[y * size + x] > 0) {
                            near = true;
                            boolean own = x >= cx * stride && x < (cx + 1) * stride && y >= cy * stride && y < (cy + 1) * stride;
                            covered += own ? 1.0 / (stride * stride) : 0;
                        }
                    }
                }
                if (covered == 1) {
                    insideCells++;
                    intensityChange += Math.abs(f[channels * cells + cell] - f[cell]); // channel 0: smoothed luminance
                    for (int c = 0; c < 3; c++) {
                        int k = channels - 3 + c;
                        inside[c] += f[(channels + k) * cells + cell] - f[k * cells + cell];
                    }
                } else if (!near) {
                    for (int c = 0; c < channels; c++) {
                        farChange = Math.max(farChange, Math.abs(f[(channels + c) * cells + cell] - f[c * cells + cell]));
                    }
                }
            }
            assertTrue(insideCells >= 4, "the blurred disc covers " + insideCells + " cells");
            // every colour's fine structure per unit of signal falls; the spots (channel 3, blue) most
            double[] drop = new double[3];
            for (int c = 0; c < 3; c++) {
                drop[c] = -inside[c] / insideCells;
            }
            double intensity = intensityChange / insideCells;
            double largest = 0;
            for (int c = 0; c < 3; c++) {
                assertTrue(drop[c] > Math.max(0.1, intensity), "colour " + c + ": fine structure per unit of signal must fall under the "
                        + "blur by more than the intensity moves (" + intensity + " std), fell by " + drop[c]);
                largest = Math.max(largest, drop[c]);
            }
            assertTrue(largest > 3 * intensity, "the largest fall " + largest + " must be well above the intensity's " + intensity);
            assertEquals(0, farChange, 1e-4, "features far from the blur must not change");
        }
    }

    /**
     * The per-channel backbone describes each stain apart: a composite whose third channel
     * (the spots) is defocused in a disc and whose other two are untouched must keep every
     * feature of the other two exactly, while the third's three measures change inside the
     * disc. The luminance bank mixes the channels: its luminance features move there too, one
     * stain's loss of focus blended with the others' (why composites get the per-channel one).
     */
    @org.junit.jupiter.api.Test
    void channelSharpnessDescribesEachStainApart() throws Exception {
        int size = 128;
        int stride = 8;
        int grid = size / stride;
        io.github.astfiji.core.data.DefectSynthesizer.Result sharp = fluorescence(size, false);
        io.github.astfiji.core.data.DefectSynthesizer.Result blurred = fluorescence(size, true);
        int n = size * size;
        float[] mixed = sharp.image.data().clone();
        System.arraycopy(blurred.image.data(), 2 * n, mixed, 2 * n, n); // only the spots' channel defocused
        FloatImage oneStainBlurred = new FloatImage(size, size, 3, 16, mixed);
        Preprocessing pre = Preprocessing.fit(List.of(sharp.image), size);
        List<Integer> inside = new ArrayList<>();
        for (int cell = 0; cell < grid * grid; cell++) {
            int covered = 0;
            for (int y = (cell / grid) * stride; y < (cell / grid + 1) * stride; y++) {
                for (int x = (cell % grid) * stride; x < (cell % grid + 1) * stride; x++) {
                    covered += blurred.mask[y * size + x] > 0 ? 1 : 0;
                }
            }
            if (covered == stride * stride) {
                inside.add(cell);
            }
        }
        assertTrue(inside.size() >= 4, "the blurred disc covers " + inside.size() + " cells");
        int cells = grid * grid;
        try (NDManager m = Engines.newManager(); Backbone bb = FilterBankBackbone.channelSharpness(m);
             Backbone bank = FilterBankBackbone.withSharpness(m)) {
            NDArray images = m.create(io.github.astfiji.core.image.FloatArrays.concat(List.of(pre.apply(sharp.image), pre.apply(oneStainBlurred))),
                    new Shape(2, 3, size, size));
            bb.calibrate(List.of(images.get("0:1")));
            assertEquals(9, bb.channels());
            float[] f = bb.extract(images).toFloatArray();
            // channels: gradient energy of colours 0-2, fine structure of 0-2, fine structure per unit of intensity of 0-2
            for (int k = 0; k < 9; k++) {
                boolean spots = k % 3 == 2;
                double moved = 0;
                for (int cell = 0; cell < cells; cell++) {
                    double change = f[(9 + k) * cells + cell] - f[k * cells + cell];
                    if (!spots) {
                        assertEquals(0, change, 1e-4, "channel " + k + " (an untouched stain) moved in cell " + cell);
                    } else if (inside.contains(cell)) {
                        moved += Math.abs(change) / inside.size();
                    }
                }
                if (spots) {
                    // 0.27-0.38 std per cell on average here
                    assertTrue(moved > 0.2, "channel " + k + ": the defocused stain's measures must change inside the disc, moved by "
                            + moved + " std per cell");
                }
            }
            bank.calibrate(List.of(images.get("0:1")));
            float[] g = bank.extract(images).toFloatArray();
            double luminanceMoved = 0;
            for (int k = 0; k < 48; k++) {
                for (int cell : inside) {
                    luminanceMoved = Math.max(luminanceMoved, Math.abs(g[(bank.channels() + k) * cells + cell] - g[k * cells + cell]));
                }
            }
            assertTrue(luminanceMoved > 0.1, "the luminance bank mixes the stains: its features move too (" + luminanceMoved + ")");
        }
    }

    /** A 3-channel fluorescence field, sharp or with a defocused disc (same cells, same noise). */
    private static io.github.astfiji.core.data.DefectSynthesizer.Result fluorescence(int size, boolean blurred) {
        return io.github.astfiji.core.data.SyntheticFluorescence.make(size, 3, blurred ? io.github.astfiji.core.data.SyntheticFluorescence.Defect.BLUR
                : io.github.astfiji.core.data.SyntheticFluorescence.Defect.NONE, 3);
    }
}
