package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;

import java.util.ArrayList;
import java.util.List;

/**
 * Built-in candidate 2: a hand-designed multi-scale filter bank. On a 3-level image
 * pyramid, 7x7 Gaussian-derivative filters (sigma 1: G, Gx, Gy, Gxx, Gyy, Gxy) on the
 * luminance and Gaussian smoothing of two colour-opponent channels; each response and
 * its magnitude are average-pooled to stride 8 and standardised.
 */
public final class FilterBankBackbone extends CalibratedBackbone {

    public static final String ID = "builtin:filter-bank";
    private static final int LEVELS = 3;
    private static final int FILTERS = 8;

    public FilterBankBackbone(NDManager manager) {
        super(manager, LEVELS * FILTERS * 2);
        params.addBuffer("bank.weight", bank(), FILTERS, 3, 7, 7);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int stride() {
        return 8;
    }

    @Override
    protected NDArray raw(NDArray images) {
        List<NDArray> parts = new ArrayList<>();
        NDArray level = images;
        for (int l = 0; l < LEVELS; l++) {
            NDArray r = Conv2d.conv2d(level, params.get("bank.weight"), null, new Shape(1, 1), new Shape(3, 3)).head();
            int pool = 8 >> l;
            parts.add(Layers.avgPool(r, pool));
            parts.add(Layers.avgPool(r.abs(), pool));
            level = Layers.avgPool(level, 2);
        }
        return NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 1);
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
