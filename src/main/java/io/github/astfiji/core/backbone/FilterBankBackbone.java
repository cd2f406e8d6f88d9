package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;

import java.util.ArrayList;
import java.util.List;

/**
 * Built-in candidate 2: a hand-designed multi-scale filter bank. On an image pyramid,
 * 7x7 Gaussian-derivative filters (sigma 1: G, Gx, Gy, Gxx, Gyy, Gxy) on the luminance
 * and Gaussian smoothing of two colour-opponent channels; each response and its
 * magnitude are average-pooled to the output stride and standardised.
 * <p>
 * {@link #ID}: one map at stride 8 from pyramid levels 0-2 (AST's default before the
 * sharpness channels below).
 * {@link #PYRAMID_ID}: three maps at strides 4, 8, 16, each from the three pyramid levels
 * nearest its stride (0-2, 1-3, 2-4), so deeper maps describe coarser structure, as a
 * CNN's deeper layers do (Reverse Distillation's default encoder). Its responses are
 * rectified (the positive and the negative part of each filter as two channels) and only
 * scaled, not centred: Reverse Distillation compares features by cosine, which needs
 * them sparse and non-negative like a ReLU network's, or a flat defect on a textured part
 * points the same way as the texture.
 * <p>
 * {@link #SHARPNESS_ID}: the single-scale bank plus, per input colour (a composite's
 * channel), the log of the pooled Laplacian magnitude and that per unit of pooled
 * intensity. Defocus keeps a region's intensity and only takes its fine structure away;
 * the luminance derivatives above mix that with how much signal there is and with the
 * other channels, so a blurred spot field looked like a normal sparse one. AST's default
 * on grey and RGB images.
 * <p>
 * {@link #CHANNEL_SHARPNESS_ID}: no luminance bank, only per input colour the log of the
 * pooled gradient energy (RMS of the sigma-1 gradient), the log of the pooled Laplacian
 * magnitude, and that per unit of intensity: 9 channels. A fluorescence composite's
 * channels are separate stains, not colours; mixed into a luminance, a cell's blurred
 * spots hide behind its sharp nucleus, and the bank's 48 luminance channels outweigh the
 * few that see focus. AST's default on composites (BENCHMARKS.md, issue 22).
 */
public final class FilterBankBackbone extends CalibratedBackbone {

    public static final String ID = "builtin:filter-bank";
    public static final String PYRAMID_ID = "builtin:filter-pyramid";
    public static final String SHARPNESS_ID = "builtin:filter-bank-sharpness";
    public static final String CHANNEL_SHARPNESS_ID = "builtin:channel-sharpness";
    private static final int LEVELS = 3;
    private static final int FILTERS = 8;
    private static final int CHANNELS = LEVELS * FILTERS * 2;
    /** Sharpness channels: fine structure, and fine structure per unit of intensity, per input colour. */
    private static final int SHARPNESS = 6;
    /** Channel sharpness: gradient energy, fine structure and fine structure per unit of intensity, per input colour. */
    private static final int CHANNEL_MEASURES = 9;
    /** Floor of the pooled Laplacian magnitudes (network input units), below any camera's noise: flat regions stay finite. */
    private static final float FINE_FLOOR = 1e-3f;
    /** Floor of the pooled intensity (in [0, 1]): a dark background is not divided by zero. */
    private static final float INTENSITY_FLOOR = 0.02f;
    private final String id;
    private final int[] strides;
    /** First pyramid level of each output map. */
    private final int[] firstLevel;
    private final boolean rectified;
    private final boolean sharpness;
    /** False: the per-colour measures only, no luminance bank. */
    private final boolean luminanceBank;

    /** The single-scale bank (stride 8). */
    public FilterBankBackbone(NDManager manager) {
        this(manager, ID, new int[] {8}, new int[] {0}, false, false, true);
    }

    /** The three-scale pyramid (strides 4, 8, 16). */
    public static FilterBankBackbone pyramid(NDManager manager) {
        return new FilterBankBackbone(manager, PYRAMID_ID, new int[] {4, 8, 16}, new int[] {0, 1, 2}, true, false, true);
    }

    /** The single-scale bank with sharpness channels (see the class comment). */
    public static FilterBankBackbone withSharpness(NDManager manager) {
        return new FilterBankBackbone(manager, SHARPNESS_ID, new int[] {8}, new int[] {0}, false, true, true);
    }

    /** The per-colour sharpness measures alone (see the class comment). */
    public static FilterBankBackbone channelSharpness(NDManager manager) {
        return new FilterBankBackbone(manager, CHANNEL_SHARPNESS_ID, new int[] {8}, new int[] {0}, false, true, false);
    }

    private FilterBankBackbone(NDManager manager, String id, int[] strides, int[] firstLevel, boolean rectified,
            boolean sharpness, boolean luminanceBank) {
        super(manager, channels(strides.length, sharpness, luminanceBank));
        this.id = id;
        this.strides = strides;
        this.firstLevel = firstLevel;
        this.rectified = rectified;
        this.sharpness = sharpness;
        this.luminanceBank = luminanceBank;
        if (luminanceBank) {
            params.addBuffer("bank.weight", bank(), FILTERS, 3, 7, 7);
        } else {
            params.addBuffer("gradient.weight", gradients(), 6, 3, 7, 7);
        }
        if (sharpness) {
            params.addBuffer("sharpness.weight", laplacians(), 3, 3, 7, 7);
        }
    }

    private static int[] channels(int scales, boolean sharpness, boolean luminanceBank) {
        int[] c = new int[scales];
        java.util.Arrays.fill(c, luminanceBank ? CHANNELS + (sharpness ? SHARPNESS : 0) : CHANNEL_MEASURES);
        return c;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int stride() {
        return strides[strides.length - 1];
    }

    @Override
    protected boolean centred() {
        return !rectified;
    }

    @Override
    public int[] scaleStrides() {
        return strides.clone();
    }

    @Override
    protected NDList rawScales(NDArray images) {
        if (!luminanceBank) {
            return new NDList(channelSharpness(images, strides[0]));
        }
        int levels = firstLevel[firstLevel.length - 1] + LEVELS;
        NDArray[] responses = new NDArray[levels];
        NDArray level = images;
        for (int l = 0; l < levels; l++) {
            responses[l] = Conv2d.conv2d(level, params.get("bank.weight"), null, new Shape(1, 1), new Shape(3, 3)).head();
            if (l + 1 < levels) {
                level = Layers.avgPool(level, 2);
            }
        }
        NDList out = new NDList();
        for (int s = 0; s < strides.length; s++) {
            List<NDArray> parts = new ArrayList<>();
            for (int l = firstLevel[s]; l < firstLevel[s] + LEVELS; l++) {
                int pool = strides[s] >> l;
                if (rectified) {
                    parts.add(Layers.avgPool(ai.djl.nn.Activation.relu(responses[l]), pool));
                    parts.add(Layers.avgPool(ai.djl.nn.Activation.relu(responses[l].neg()), pool));
                } else {
                    parts.add(Layers.avgPool(responses[l], pool));
                    parts.add(Layers.avgPool(responses[l].abs(), pool));
                }
            }
            if (sharpness) {
                parts.add(sharpness(images, strides[s]));
            }
            out.add(NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 1));
        }
        return out;
    }

    /**
     * Per input colour: log of the pooled Laplacian magnitude (sigma 1), and that minus the log
     * of the pooled intensity in [0, 1] units (the network input with its normalisation undone).
     */
    private NDArray sharpness(NDArray images, int stride) {
        NDArray fine = logFineStructure(images, stride);
        return NDArrays.concat(new NDList(fine, fine.sub(logIntensity(images, stride))), 1);
    }

    /**
     * Per input colour: log of the pooled gradient energy (root of the mean squared sigma-1
     * gradient, which sees soft edges the Laplacian misses), then the two sharpness measures.
     */
    private NDArray channelSharpness(NDArray images, int stride) {
        NDArray d = Conv2d.conv2d(images, params.get("gradient.weight"), null, new Shape(1, 1), new Shape(3, 3)).head();
        Shape s = d.getShape();
        // (x, y) derivative pairs per colour: squared, summed, pooled, then the root
        NDArray energy = d.square().reshape(s.get(0), 3, 2, s.get(2), s.get(3)).sum(new int[] {2});
        NDArray gradient = Layers.avgPool(energy, stride).sqrt().add(FINE_FLOOR).log();
        NDArray fine = logFineStructure(images, stride);
        return NDArrays.concat(new NDList(gradient, fine, fine.sub(logIntensity(images, stride))), 1);
    }

    /** Per input colour, the log of the pooled Laplacian-of-Gaussian magnitude (sigma 1). */
    private NDArray logFineStructure(NDArray images, int stride) {
        NDArray w = params.get("sharpness.weight");
        return Layers.avgPool(Conv2d.conv2d(images, w, null, new Shape(1, 1), new Shape(3, 3)).head().abs(), stride)
                .add(FINE_FLOOR).log();
    }

    /** Per input colour, the log of the pooled intensity in [0, 1] units (the network input with its normalisation undone). */
    private static NDArray logIntensity(NDArray images, int stride) {
        NDManager m = images.getManager();
        NDArray std = m.create(Preprocessing.STD, new Shape(1, 3, 1, 1));
        NDArray mean = m.create(Preprocessing.MEAN, new Shape(1, 3, 1, 1));
        return Layers.avgPool(images.mul(std).add(mean), stride).maximum(0f).add(INTENSITY_FLOOR).log();
    }

    /** Gaussian-derivative filters (6, 3, 7, 7), sigma 1: d/dx then d/dy of each input colour (the bank's filters 1 and 2). */
    private static float[] gradients() {
        return perColour(new int[] {1}, new int[] {2});
    }

    /** Laplacian-of-Gaussian filters (3, 3, 7, 7), sigma 1, one per input colour: Gxx + Gyy (the bank's filters 3 and 4). */
    private static float[] laplacians() {
        return perColour(new int[] {3, 4});
    }

    /**
     * Per input colour, one filter per entry of {@code sums}: the sum of those luminance filters
     * of the bank, divided back by their luminance weight, reading that colour only. Output
     * channel c * sums.length + j is colour c's filter j.
     */
    private static float[] perColour(int[]... sums) {
        float[] all = bank();
        int k = 7;
        int n = sums.length;
        float[] w = new float[3 * n * 3 * k * k];
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < k * k; i++) {
                    float v = 0;
                    for (int f : sums[j]) {
                        v += all[(f * 3 + c) * k * k + i];
                    }
                    w[((c * n + j) * 3 + c) * k * k + i] = v * 3;
                }
            }
        }
        return w;
    }

    /** Filter weights (8, 3, 7, 7): luminance derivatives then two opponent-colour blurs. */
    private static float[] bank() {
        double sigma = 1.0;
        int k = 7;
        int r = k / 2;
        float[] w = new float[FILTERS * 3 * k * k];
        double[] lum = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        double[] rg = {0.5, -0.5, 0};
        double[] by = {0.25, 0.25, -0.5};
        for (int f = 0; f < FILTERS; f++) {
            double[] mix = f < 6 ? lum : (f == 6 ? rg : by);
            for (int y = -r; y <= r; y++) {
                for (int x = -r; x <= r; x++) {
                    double g = Math.exp(-(x * x + y * y) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);
                    double v;
                    switch (f) {
                        case 1: v = -x / (sigma * sigma) * g; break;
                        case 2: v = -y / (sigma * sigma) * g; break;
                        case 3: v = (x * x / Math.pow(sigma, 4) - 1 / (sigma * sigma)) * g; break;
                        case 4: v = (y * y / Math.pow(sigma, 4) - 1 / (sigma * sigma)) * g; break;
                        case 5: v = x * y / Math.pow(sigma, 4) * g; break;
                        default: v = g; break;
                    }
                    for (int c = 0; c < 3; c++) {
                        w[((f * 3 + c) * k + (y + r)) * k + (x + r)] = (float) (v * mix[c]);
                    }
                }
            }
        }
        return w;
    }
}
