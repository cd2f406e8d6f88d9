package io.github.astfiji.core.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.nio.file.Path;

/**
 * A backbone whose network comes from a file (a TorchScript export, or a weights file of a
 * network built in Java): its identity (id, the file's SHA-256, the file, recorded in models)
 * and the maps it returns, shallowest first, with their channels and strides.
 */
public abstract class FileBackbone implements Backbone {

    private final String id;
    private final String checksum;
    private final Path file;
    private final int[] channels;
    private final int[] strides;

    protected FileBackbone(String id, String checksum, Path file, int[] channels, int[] strides) {
        this.id = id;
        this.checksum = checksum;
        this.file = file.toAbsolutePath();
        this.channels = channels.clone();
        this.strides = strides.clone();
    }

    @Override
    public abstract NDList extractScales(NDArray images);

    @Override
    public String id() {
        return id;
    }

    @Override
    public String checksum() {
        return checksum;
    }

    @Override
    public Path file() {
        return file;
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

    /** The deepest map; the shallower ones are freed at once. */
    @Override
    public NDArray extract(NDArray images) {
        NDList maps = extractScales(images);
        for (int i = 0; i < maps.size() - 1; i++) {
            maps.get(i).close();
        }
        return maps.get(maps.size() - 1);
    }
}
