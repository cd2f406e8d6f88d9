package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.storage.Checksums;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Base of the built-in backbones: fixed (seeded or hand-designed) filters whose raw
 * responses are standardised per channel with statistics measured on the training
 * images, so the flow sees unit-scale features whatever the data.
 */
abstract class CalibratedBackbone implements Backbone {

    protected final Params params;
    private final int[] channels;

    /** One standardised output per entry of channels (shallowest first). */
    CalibratedBackbone(NDManager manager, int... channels) {
        this.params = new Params(manager);
        this.channels = channels.clone();
        for (int i = 0; i < channels.length; i++) {
            params.addBuffer(statName(i, "mean"), Params.constant(channels[i], 0f), 1, channels[i], 1, 1);
            params.addBuffer(statName(i, "std"), Params.constant(channels[i], 1f), 1, channels[i], 1, 1);
        }
    }

    /** Single-scale backbones keep format 1's names ("features.mean"). */
    private String statName(int scale, String what) {
        return channels.length == 1 ? "features." + what : "features." + scale + "." + what;
    }

    /** Raw responses before standardisation, one per scale, shallowest first. */
    protected abstract NDList rawScales(NDArray images);

    /**
     * True (the default): features are centred and scaled to unit variance per channel.
     * False: only scaled to unit root-mean-square, so non-negative (rectified) features stay
     * non-negative, as a ReLU network's activations are.
     */
    protected boolean centred() {
        return true;
    }

    /** Hook for per-layer calibration that must run before the output statistics. */
    protected void calibrateLayers(List<NDArray> batches) {
    }

    @Override
    public final NDList extractScales(NDArray images) {
        NDList raw = rawScales(images);
        NDList out = new NDList();
        for (int i = 0; i < raw.size(); i++) {
            out.add(raw.get(i).sub(params.get(statName(i, "mean"))).div(params.get(statName(i, "std"))));
        }
        return out;
    }

    @Override
    public final NDArray extract(NDArray images) {
        NDList all = extractScales(images);
        return all.get(all.size() - 1);
    }

    @Override
    public int channels() {
        return channels[channels.length - 1];
    }

    @Override
    public int[] scaleChannels() {
        return channels.clone();
    }

    @Override
    public boolean needsCalibration() {
        return true;
    }

    @Override
    public void calibrate(List<NDArray> batches) {
        calibrateLayers(batches);
        for (int i = 0; i < channels.length; i++) {
            final int scale = i;
            float[][] moments = channelMoments(batches, x -> rawScales(x).get(scale), channels[i]);
            float[] std = moments[1];
            for (int c = 0; c < std.length; c++) {
                double second = centred() ? std[c] : std[c] + (double) moments[0][c] * moments[0][c];
                std[c] = (float) Math.sqrt(second + 1e-6);
                if (!centred()) {
                    moments[0][c] = 0f;
                }
            }
            params.set(statName(i, "mean"), moments[0]);
            params.set(statName(i, "std"), std);
        }
    }

    /** Per-channel mean and variance (over N, H, W) of f applied to every batch. */
    static float[][] channelMoments(List<NDArray> batches, java.util.function.Function<NDArray, NDArray> f, int channels) {
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        double count = 0;
        for (NDArray batch : batches) {
            try (NDManager scope = batch.getManager().newSubManager()) {
                NDArray in = batch.duplicate();
                in.attach(scope);
                NDArray out = f.apply(in);
                long perChannel = out.getShape().get(0) * out.getShape().get(2) * out.getShape().get(3);
                float[] s = out.sum(new int[] {0, 2, 3}).toFloatArray();
                float[] s2 = out.square().sum(new int[] {0, 2, 3}).toFloatArray();
                for (int c = 0; c < channels; c++) {
                    sum[c] += s[c];
                    sumSq[c] += s2[c];
                }
                count += perChannel;
            }
        }
        float[] mean = new float[channels];
        float[] var = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            mean[c] = (float) m;
            var[c] = (float) Math.max(sumSq[c] / count - m * m, 0);
        }
        return new float[][] {mean, var};
    }

    @Override
    public Params state() {
        return params;
    }

    @Override
    public String checksum() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            params.write(new DataOutputStream(bytes));
            return Checksums.sha256(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    @Override
    public void close() {
        params.close();
    }
}
