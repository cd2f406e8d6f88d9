package io.github.astfiji.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.method.TrainingPhase;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.nn.Layers;
import io.github.astfiji.core.nn.Params;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A method small enough for tests: a 1x1 convolutional autoencoder over the backbone's
 * deepest features, the map its per-pixel reconstruction error. {@link #poisonEpoch} makes
 * one epoch's loss NaN the first time it runs, as a divergence would.
 */
public final class TinyMethod implements Method {

    /** The settings: the shared ones plus an epoch count and the bottleneck width. */
    public static final class TinyConfig extends DetectorConfig {
        public int epochs = 4;
        public int bottleneck = 4;

        @Override
        public void setEpochs(int epochs) {
            this.epochs = epochs;
        }
    }

    /** Epoch (0-based) whose every batch loss is NaN on its first run; -1 = none. */
    public static volatile int poisonEpoch = -1;

    @Override
    public String id() {
        return "tiny";
    }

    @Override
    public String displayName() {
        return "Tiny autoencoder";
    }

    @Override
    public Class<? extends DetectorConfig> configType() {
        return TinyConfig.class;
    }

    @Override
    public List<String> presets() {
        return List.of("cpu");
    }

    @Override
    public DetectorConfig preset(String name) {
        if (!name.equals("cpu")) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; use cpu");
        }
        TinyConfig c = new TinyConfig();
        c.imageSize = 64;
        c.learningRate = 1e-2f;
        return c;
    }

    @Override
    public String defaultBackbone() {
        return Backbones.DEFAULT_BUILTIN;
    }

    @Override
    public List<String> mapNames() {
        return List.of("TINY");
    }

    @Override
    public String mapLabel(int index) {
        return "tiny";
    }

    @Override
    public void check(DetectorConfig config, Backbone backbone) {
    }

    @Override
    public MethodNetwork build(NDManager manager, DetectorConfig config, int[] inputChannels) {
        return new Network(manager, (TinyConfig) config, inputChannels[inputChannels.length - 1]);
    }

    private static final class Network implements MethodNetwork {
        private final Params params;
        private final TinyConfig config;
        private int steps;

        Network(NDManager manager, TinyConfig config, int channels) {
            this.config = config;
            this.params = new Params(manager);
            SplittableRandom rng = new SplittableRandom(config.seed);
            Layers.addConv(params, "enc", channels, config.bottleneck, 1, rng);
            Layers.addConv(params, "dec", config.bottleneck, channels, 1, rng);
        }

        private NDArray error(NDArray x) {
            NDArray y = Layers.conv(params, "dec", ai.djl.nn.Activation.relu(Layers.conv(params, "enc", x, 1)), 1);
            return y.sub(x).square().mean(new int[] {1});
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
                    return "autoencoder";
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
                    NDArray x = batch.inputs().get(batch.inputs().size() - 1);
                    NDArray e = error(x);
                    int step = steps++;
                    // the poisoned epoch's steps, counted from the start: a rerun after a recovery is clean
                    if (poisonEpoch >= 0 && step >= poisonEpoch * batchesPerEpoch && step < (poisonEpoch + 1) * batchesPerEpoch) {
                        return e.mean().mul(Float.NaN);
                    }
                    return e.mul(batch.masks()).sum().div(batch.masks().sum().maximum(1f));
                }

                private int batchesPerEpoch;

                @Override
                public void begin(TrainingSet data) {
                    batchesPerEpoch = (int) ((data.size() + config.batchSize - 1) / config.batchSize);
                }
            });
        }

        @Override
        public NDList maps(NDList inputs) {
            return new NDList(error(inputs.get(inputs.size() - 1)));
        }

        @Override
        public void close() {
            params.close();
        }
    }
}
