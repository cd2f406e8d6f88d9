package io.github.astfiji.core.backbone;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.astfiji.core.storage.Checksums;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A user's pretrained ImageNet CNN exported once with TorchScript (see
 * scripts/export_backbone.py), truncated so that it returns one feature map, or a tuple
 * of maps at growing strides (e.g. WideResNet-50-2's layers 1-3 for Reverse Distillation).
 * Channels and strides are measured by running it once on a blank image.
 */
public final class TorchScriptBackbone implements Backbone {

    public static final String ID = "torchscript";
    private final Path file;
    private final Model model;
    private final String checksum;
    private final int[] channels;
    private final int[] strides;

    public TorchScriptBackbone(NDManager manager, Path file, int imageSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("backbone file " + file + " does not exist; export one with scripts/export_backbone.py or leave the backbone option out to use the built-in one");
        }
        this.file = file;
        this.checksum = Checksums.sha256(file);
        this.model = Model.newInstance("backbone", io.github.astfiji.core.engine.Engines.device(), "PyTorch");
        try {
            model.load(file);
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new IOException("backbone file " + file + " is not a TorchScript model that PyTorch "
                    + "can load (" + e.getMessage() + "); re-export it with scripts/export_backbone.py", e);
        }
        try (NDManager probe = manager.newSubManager()) {
            NDList out = extractScales(probe.zeros(new Shape(1, 3, imageSize, imageSize)));
            channels = new int[out.size()];
            strides = new int[out.size()];
            for (int i = 0; i < out.size(); i++) {
                Shape shape = out.get(i).getShape();
                if (shape.dimension() != 4) {
                    throw new IOException("backbone file " + file + " returns shape " + shape
                            + "; it must return feature maps (N, C, H, W)");
                }
                channels[i] = (int) shape.get(1);
                strides[i] = Math.max(1, Math.round((float) imageSize / shape.get(3)));
                if (i > 0 && strides[i] < strides[i - 1]) {
                    throw new IOException("backbone file " + file + " returns maps at strides " + java.util.Arrays.toString(strides)
                            + "; they must come shallowest first");
                }
            }
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof IOException) {
                throw (IOException) e;
            }
            throw new IOException("backbone file " + file + " failed on a " + imageSize + "x" + imageSize
                    + " RGB image (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String checksum() {
        return checksum;
    }

    @Override
    public int channels() {
        return channels[channels.length - 1];
    }

    @Override
    public int stride() {
        return strides[strides.length - 1];
    }

    @Override
    public int[] scaleChannels() {
        return channels.clone();
    }

    @Override
    public int[] scaleStrides() {
        return strides.clone();
    }

    @Override
    public NDArray extract(NDArray images) {
        NDList all = extractScales(images);
        return all.get(all.size() - 1);
    }

    @Override
    public NDList extractScales(NDArray images) {
        NDList out = model.getBlock().forward(new ParameterStore(images.getManager(), false), new NDList(images), false);
        out.attach(images.getManager());
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
