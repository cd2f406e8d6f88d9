package io.github.astfiji.core.rd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.astfiji.core.image.Resample;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.NDArrays;
import io.github.astfiji.core.nn.Params;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Reverse Distillation's trainable part: the one-class bottleneck (OCBE) that fuses the
 * frozen encoder's three scales into one compact code, and the decoder ("student") that
 * restores the three scales from it. Shapes follow the authors' code for an encoder with
 * channels (c1, c2, c3) at strides (s, 2s, 4s) (WideResNet-50-2: 256, 512, 1024):
 * <ul>
 * <li>OCBE: scale 1 through two 3x3 stride-2 conv-BN-ReLU (c1 -> c2 -> c3), scale 2 through
 * one (c2 -> c3), concatenated with scale 3 (3 c3 channels at stride 4s), then residual
 * bottleneck blocks (planes c3/2, the first with stride 2 and a projection) -> 2 c3 at 8s;</li>
 * <li>decoder: three stages mirroring the encoder's layers 3, 2, 1 (planes c3/4, c2/4,
 * c1/4), each opened by a block that upsamples with 2x2 stride-2 transposed convolutions.</li>
 * </ul>
 * Parameter names are the PyTorch state_dict's ("bn.*" for the OCBE, "decoder.*").
 */
public final class RdNetwork implements MethodNetwork {

    private static final int EXPANSION = 4;
    private final RdConfig config;
    private final Params params;
    private final int[] channels;

    public RdNetwork(NDManager manager, RdConfig config, int[] inputChannels) {
        config.validate();
        if (inputChannels.length < 3) {
            throw new IllegalArgumentException("Reverse Distillation needs three encoder scales, got " + inputChannels.length);
        }
        this.config = config;
        this.params = new Params(manager);
        this.channels = java.util.Arrays.copyOfRange(inputChannels, inputChannels.length - 3, inputChannels.length);
        int c1 = channels[0];
        int c2 = channels[1];
        int c3 = channels[2];
        SplittableRandom rng = new SplittableRandom(config.seed ^ 0x2D5A_11F3L);
        Layers.addConvNoBias(params, "bn.conv1", c1, c2, 3, rng);
        Layers.addBatchNorm(params, "bn.bn1", c2);
        Layers.addConvNoBias(params, "bn.conv2", c2, c3, 3, rng);
        Layers.addBatchNorm(params, "bn.bn2", c3);
        Layers.addConvNoBias(params, "bn.conv3", c2, c3, 3, rng);
        Layers.addBatchNorm(params, "bn.bn3", c3);
        int in = 3 * c3;
        for (int b = 0; b < config.bottleneckBlocks; b++) {
            addBlock("bn.bn_layer." + b, in, c3 / 2, b == 0, false, rng);
            in = c3 / 2 * EXPANSION;
        }
        int[] outs = {c3, c2, c1};
        for (int stage = 0; stage < 3; stage++) {
            for (int b = 0; b < config.decoderBlocks[stage]; b++) {
                addBlock("decoder.layer" + (stage + 1) + "." + b, in, outs[stage] / EXPANSION, b == 0, true, rng);
                in = outs[stage];
            }
        }
    }

    /**
     * A residual bottleneck: 1x1 conv, 3x3 conv (or, where it resamples, a stride-2 conv in
     * the encoder / a 2x2 stride-2 transposed conv in the decoder), 1x1 conv, each with
     * BatchNorm; the first block of a stage also resamples its shortcut.
     */
    private void addBlock(String name, int in, int planes, boolean resample, boolean decoder, SplittableRandom rng) {
        int width = planes * config.widthFactor;
        int out = planes * EXPANSION;
        Layers.addConvNoBias(params, name + ".conv1", in, width, 1, rng);
        Layers.addBatchNorm(params, name + ".bn1", width);
        if (resample && decoder) {
            Layers.addConvTranspose2x2(params, name + ".conv2", width, width, rng);
        } else {
            Layers.addConvNoBias(params, name + ".conv2", width, width, 3, rng);
        }
        Layers.addBatchNorm(params, name + ".bn2", width);
        Layers.addConvNoBias(params, name + ".conv3", width, out, 1, rng);
        Layers.addBatchNorm(params, name + ".bn3", out);
        if (resample) {
            String shortcut = name + (decoder ? ".upsample" : ".downsample");
            if (decoder) {
                Layers.addConvTranspose2x2(params, shortcut + ".0", in, out, rng);
            } else {
                Layers.addConvNoBias(params, shortcut + ".0", in, out, 1, rng);
            }
            Layers.addBatchNorm(params, shortcut + ".1", out);
        }
    }

    private NDArray block(String name, NDArray x, boolean resample, boolean decoder, boolean training) {
        NDArray h = Activation.relu(bn(name + ".bn1", Layers.conv(params, name + ".conv1", x, 1), training));
        NDArray mid = resample && decoder ? Layers.convTranspose2x2(params, name + ".conv2", h)
                : Layers.conv(params, name + ".conv2", h, resample ? 2 : 1);
        h = Activation.relu(bn(name + ".bn2", mid, training));
        h = bn(name + ".bn3", Layers.conv(params, name + ".conv3", h, 1), training);
        NDArray shortcut = x;
        if (resample) {
            String s = name + (decoder ? ".upsample" : ".downsample");
            NDArray r = decoder ? Layers.convTranspose2x2(params, s + ".0", x) : Layers.conv(params, s + ".0", x, 2);
            shortcut = bn(s + ".1", r, training);
        }
        return Activation.relu(h.add(shortcut));
    }

    private NDArray bn(String name, NDArray x, boolean training) {
        return Layers.batchNorm(params, name, x, training);
    }

    /** OCBE: the encoder's three scales -> the compact code at stride 8s. */
    public NDArray bottleneck(NDList encoder, boolean training) {
        NDList e = lastThree(encoder);
        NDArray l1 = Activation.relu(bn("bn.bn1", Layers.conv(params, "bn.conv1", e.get(0), 2), training));
        l1 = Activation.relu(bn("bn.bn2", Layers.conv(params, "bn.conv2", l1, 2), training));
        NDArray l2 = Activation.relu(bn("bn.bn3", Layers.conv(params, "bn.conv3", e.get(1), 2), training));
        NDArray f = NDArrays.concat(new NDList(l1, l2, e.get(2)), 1);
        for (int b = 0; b < config.bottleneckBlocks; b++) {
            f = block("bn.bn_layer." + b, f, b == 0, false, training);
        }
        return f;
    }

    /** Decoder: the code -> restored maps in the encoder's order (scale 1 first). */
    public NDList decode(NDArray code, boolean training) {
        NDArray[] out = new NDArray[3];
        NDArray h = code;
        for (int stage = 0; stage < 3; stage++) {
            for (int b = 0; b < config.decoderBlocks[stage]; b++) {
                h = block("decoder.layer" + (stage + 1) + "." + b, h, b == 0, true, training);
            }
            out[2 - stage] = h;
        }
        return new NDList(out);
    }

    private static NDList lastThree(NDList inputs) {
        return new NDList(inputs.subList(inputs.size() - 3, inputs.size()));
    }

    /** Cosine similarity along one axis, with PyTorch's guard: dot / sqrt(max(|a|^2 |b|^2, 1e-16)). */
    static NDArray cosine(NDArray a, NDArray b, int axis) {
        NDArray dot = a.mul(b).sum(new int[] {axis});
        NDArray norms = a.square().sum(new int[] {axis}).mul(b.square().sum(new int[] {axis}));
        return dot.div(norms.maximum(1e-16f).sqrt());
    }

    /** The training loss: per scale, the batch mean of 1 - cos between each sample's whole flattened maps; summed over scales. */
    public static NDArray loss(NDList encoder, NDList decoder) {
        NDList e = lastThree(encoder);
        NDArray total = null;
        for (int s = 0; s < 3; s++) {
            long n = e.get(s).getShape().get(0);
            NDArray cos = cosine(e.get(s).reshape(n, -1), decoder.get(s).reshape(n, -1), 1);
            NDArray term = cos.neg().add(1f).mean();
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    @Override
    public Params params() {
        return params;
    }

    @Override
    public List<TrainingPhase> phases() {
        return List.of(new TrainingPhase() {
            @Override
            public String name() {
                return "bottleneck and decoder";
            }

            @Override
            public int epochs() {
                return config.epochs;
            }

            @Override
            public List<String> parameters() {
                return params.trainableNames();
            }

            @Override
            public NDArray loss(TrainingSet.Batch batch) {
                NDList enc = batch.inputs();
                return RdNetwork.loss(enc, decode(bottleneck(enc, true), true));
            }
        });
    }

    /**
     * The anomaly map at the network input's size: per scale and pixel 1 - cos over
     * channels, each bilinearly upsampled (corners aligned), summed over scales, then
     * Gaussian-smoothed; (N, S, S).
     */
    @Override
    public NDList maps(NDList inputs) {
        NDList enc = lastThree(inputs);
        NDList dec = decode(bottleneck(enc, false), false);
        int size = config.imageSize;
        long n = enc.get(0).getShape().get(0);
        float[] sum = new float[(int) (n * size * size)];
        for (int s = 0; s < 3; s++) {
            NDArray d = cosine(enc.get(s), dec.get(s), 1).neg().add(1f);
            int h = (int) d.getShape().get(1);
            int w = (int) d.getShape().get(2);
            float[] all = d.toFloatArray();
            for (int i = 0; i < n; i++) {
                float[] one = java.util.Arrays.copyOfRange(all, i * h * w, (i + 1) * h * w);
                float[] up = Resample.resizeAlignCorners(one, w, h, size, size);
                for (int k = 0; k < up.length; k++) {
                    sum[i * size * size + k] += up[k];
                }
            }
        }
        if (config.mapSigma > 0) {
            for (int i = 0; i < n; i++) {
                float[] one = java.util.Arrays.copyOfRange(sum, i * size * size, (i + 1) * size * size);
                System.arraycopy(Resample.gaussianBlur(one, size, size, config.mapSigma), 0, sum, i * size * size, size * size);
            }
        }
        NDManager m = enc.get(0).getManager();
        return new NDList(m.create(sum, new Shape(n, size, size)));
    }

    @Override
    public void close() {
        params.close();
    }
}
