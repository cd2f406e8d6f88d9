package io.github.astfiji.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A named, ordered set of tensors (weights and buffers) owned by one NDManager.
 * Networks here are written functionally over these tensors, so that the parameter
 * names are stable, match a PyTorch state_dict and serialise without DJL's Block API.
 */
public final class Params implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Boolean> trainable = new LinkedHashMap<>();

    public Params(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    public NDManager manager() {
        return manager;
    }

    /** Adds a trainable tensor from Java data (the caller's seeded initialisation). */
    public NDArray add(String name, float[] data, long... shape) {
        return put(name, data, true, shape);
    }

    /** Adds a non-trainable buffer (e.g. BatchNorm running statistics). */
    public NDArray addBuffer(String name, float[] data, long... shape) {
        return put(name, data, false, shape);
    }

    private NDArray put(String name, float[] data, boolean isTrainable, long... shape) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("Duplicate parameter " + name);
        }
        NDArray a = manager.create(data, new Shape(shape));
        a.setName(name);
        tensors.put(name, a);
        trainable.put(name, isTrainable);
        return a;
    }

    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("Unknown parameter " + name);
        }
        return a;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    public List<String> trainableNames() {
        List<String> out = new ArrayList<>();
        trainable.forEach((k, v) -> {
            if (v) {
                out.add(k);
            }
        });
        return out;
    }

    /** Turns gradient recording on or off for every trainable tensor. */
    public void requireGradients(boolean on) {
        for (String n : trainableNames()) {
            tensors.get(n).setRequiresGradient(on);
        }
    }

    public long count() {
        long n = 0;
        for (NDArray a : tensors.values()) {
            n += a.size();
        }
        return n;
    }

    /** Replaces a tensor's values in place (keeps identity, so optimiser state stays valid). */
    public void set(String name, float[] data) {
        NDArray a = get(name);
        if (a.size() != data.length) {
            throw new IllegalArgumentException("Parameter " + name + " expects " + a.size()
                    + " values, got " + data.length);
        }
        // an indexed copy, not NDArray.set(float[]): DJL 0.35's native set() enters libtorch's
        // deprecated AutoNonVariableTypeMode, which prints an alarming warning on every run
        try (NDArray values = a.getManager().create(data, a.getShape())) {
            a.set(new ai.djl.ndarray.index.NDIndex("..."), values);
        }
    }

    /** Writes names, shapes and float32 values; the layout read back by {@link #read}. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            out.writeUTF(e.getKey());
            out.writeBoolean(trainable.get(e.getKey()));
            long[] shape = a.getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
            for (float f : v) {
                out.writeFloat(f);
            }
        }
    }

    /**
     * Reads tensors written by {@link #write}, checking that every expected name is
     * present with the expected shape (a file for another configuration fails clearly).
     */
    public void read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            throw new IOException("parameter table is damaged (count " + n + ")");
        }
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            in.readBoolean();
            int rank = in.readInt();
            if (rank < 0 || rank > 8) {
                throw new IOException("parameter " + name + " has a damaged shape");
            }
            long[] shape = new long[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = in.readLong();
                size *= shape[d];
            }
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IOException("parameter " + name + " has a damaged size");
            }
            float[] v = new float[(int) size];
            for (int k = 0; k < v.length; k++) {
                v[k] = in.readFloat();
            }
            NDArray target = tensors.get(name);
            if (target == null) {
                throw new IOException("unexpected parameter " + name + " (the file was made for another configuration)");
            }
            if (!target.getShape().equals(new Shape(shape))) {
                throw new IOException("parameter " + name + " has shape " + new Shape(shape)
                        + " but the configuration needs " + target.getShape());
            }
            target.set(v);
            seen.put(name, true);
        }
        for (String name : tensors.keySet()) {
            if (!seen.containsKey(name)) {
                throw new IOException("parameter " + name + " is missing from the file");
            }
        }
    }

    // ---- seeded initialisers (Java RNG, so results do not depend on the engine build) ----

    /** PyTorch's default conv/linear initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public static float[] uniformFanIn(SplittableRandom rng, int count, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /** He-normal initialisation, keeps ReLU activations at unit scale. */
    public static float[] heNormal(SplittableRandom rng, int count, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return v;
    }

    public static float[] constant(int count, float value) {
        float[] v = new float[count];
        java.util.Arrays.fill(v, value);
        return v;
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public void close() {
        manager.close();
    }
}
