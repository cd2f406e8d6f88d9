package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.nn.Params;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Base of the built-in backbones: fixed (seeded or hand-designed) filters whose raw
 * responses are standardised per channel with statistics measured on the training
 * images, so the flow sees unit-scale features whatever the data.
 */
abstract class CalibratedBackbone implements Backbone {

    protected final Params params;
    private final int channels;

    CalibratedBackbone(NDManager manager, int channels) {
        this.params = new Params(manager);
        this.channels = channels;
        params.addBuffer("features.mean", Params.constant(channels, 0f), 1, channels, 1, 1);
        params.addBuffer("features.std", Params.constant(channels, 1f), 1, channels, 1, 1);
    }

    /** Raw responses before standardisation. */
    protected abstract NDArray raw(NDArray images);

    /** Hook for per-layer calibration that must run before the output statistics. */
    protected void calibrateLayers(List<NDArray> batches) {
    }

    @Override
    public final NDArray extract(NDArray images) {
        return raw(images).sub(params.get("features.mean")).div(params.get("features.std"));
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public boolean needsCalibration() {
        return true;
    }

    @Override
    public void calibrate(List<NDArray> batches) {
        calibrateLayers(batches);
        float[][] moments = channelMoments(batches, this::raw, channels);
        float[] std = moments[1];
        for (int i = 0; i < std.length; i++) {
            std[i] = (float) Math.sqrt(std[i] + 1e-6);
        }
        params.set("features.mean", moments[0]);
        params.set("features.std", std);
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
            return sha256(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        params.close();
    }
}
