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
public final class TorchScriptBackbone extends FileBackbone {

    public static final String ID = "torchscript";
    private final Model model;

    /** The loaded program and what one run on a blank image measured. */
    private record Loaded(Model model, String checksum, int[] channels, int[] strides) {
    }

    public TorchScriptBackbone(NDManager manager, Path file, int imageSize) throws IOException {
        this(file, load(manager, file, imageSize));
    }

    private TorchScriptBackbone(Path file, Loaded loaded) {
        super(ID, loaded.checksum(), file, loaded.channels(), loaded.strides());
        this.model = loaded.model();
    }

    private static Loaded load(NDManager manager, Path file, int imageSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("backbone file " + file + " does not exist; export one with scripts/export_backbone.py or leave the backbone option out to use the built-in one");
        }
        String checksum = Checksums.sha256(file);
        Model model = Model.newInstance("backbone", io.github.astfiji.core.engine.Engines.device(), "PyTorch");
        try {
            model.load(file);
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new IOException("backbone file " + file + " is not a TorchScript model that PyTorch "
                    + "can load (" + e.getMessage() + "); re-export it with scripts/export_backbone.py", e);
        }
        try (NDManager probe = manager.newSubManager()) {
            NDList out = forward(model, probe.zeros(new Shape(1, 3, imageSize, imageSize)));
            int[] channels = new int[out.size()];
            int[] strides = new int[out.size()];
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
            return new Loaded(model, checksum, channels, strides);
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
    public NDList extractScales(NDArray images) {
        return forward(model, images);
    }

    private static NDList forward(Model model, NDArray images) {
        NDList out = model.getBlock().forward(new ParameterStore(images.getManager(), false), new NDList(images), false);
        out.attach(images.getManager());
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
