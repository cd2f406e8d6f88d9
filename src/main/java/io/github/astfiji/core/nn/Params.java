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

    /** What the initialisers return while a network is built only to be filled from a file. */
    private static final float[] NOT_INITIALISED = new float[0];
    private static final ThreadLocal<Boolean> LOADING = ThreadLocal.withInitial(() -> false);

    /**
     * Builds a network whose every tensor will be read from a file ({@link #read} refuses a
     * file that lacks one): the seeded initialisers are skipped and the tensors start as
     * zeros, which saved drawing (and holding on the Java heap) 130 million random values
     * when opening a paper-size AST model.
     */
    public static <T> T buildForLoading(java.util.function.Supplier<T> build) {
        boolean was = LOADING.get();
        LOADING.set(true);
        try {
            return build.get();
        } finally {
            LOADING.set(was);
        }
    }

    private NDArray put(String name, float[] data, boolean isTrainable, long... shape) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("Duplicate parameter " + name);
        }
        Shape dims = new Shape(shape);
        if (data != NOT_INITIALISED && dims.size() != data.length) {
            throw new IllegalArgumentException("parameter " + name + " of shape " + dims + " needs " + dims.size()
                    + " values, got " + data.length);
        }
        // memory of PyTorch's own (DJL's create(float[]) would wrap a direct buffer that only
        // the Java garbage collector frees, and that a detached handle must not outlive),
        // filled through a small reused staging buffer; zeros when a file will fill it
        NDArray a = manager.zeros(dims);
        if (data != NOT_INITIALISED) {
            fill(a, (dst, offset, n) -> dst.put(data, offset, n));
        }
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

    /**
     * Ends training of these tensors: each is replaced by a detached view of the same
     * values, and closing the old handle frees the gradient PyTorch kept beside it (there
     * is no other way to drop it through DJL). Networks look tensors up by name, so they
     * see the new handles.
     */
    public void releaseGradients(List<String> names) {
        for (String name : names) {
            NDArray old = get(name);
            NDArray fresh = old.stopGradient();
            fresh.setName(name);
            tensors.put(name, fresh);
            old.close();
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
        fill(a, (dst, offset, n) -> dst.put(data, offset, n));
    }

    /**
     * Writes names, shapes and float32 values (big-endian, as DataOutputStream writes them);
     * the layout read back by {@link #read}. Values go out through a small buffer, so a
     * model of hundreds of megabytes needs no copy of itself on the Java heap.
     */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(tensors.size());
        byte[] chunk = new byte[CHUNK_BYTES];
        java.nio.FloatBuffer bigEndian = java.nio.ByteBuffer.wrap(chunk).order(java.nio.ByteOrder.BIG_ENDIAN).asFloatBuffer();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            out.writeUTF(e.getKey());
            out.writeBoolean(trainable.get(e.getKey()));
            long[] shape = a.getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            java.nio.FloatBuffer values;
            if (a.getDataType() == DataType.FLOAT32) {
                values = a.toByteBuffer().asFloatBuffer();
            } else {
                try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                    values = f.toByteBuffer().asFloatBuffer();
                }
            }
            while (values.hasRemaining()) {
                int n = Math.min(values.remaining(), bigEndian.capacity());
                bigEndian.clear();
                bigEndian.put(values.slice().limit(n));
                values.position(values.position() + n);
                out.write(chunk, 0, n * Float.BYTES);
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
        byte[] chunk = new byte[CHUNK_BYTES];
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
            if (size < 0 || size > Integer.MAX_VALUE / Float.BYTES) {
                throw new IOException("parameter " + name + " has a damaged size");
            }
            NDArray target = tensors.get(name);
            if (target == null) {
                throw new IOException("unexpected parameter " + name + " (the file was made for another configuration)");
            }
            if (!target.getShape().equals(new Shape(shape))) {
                throw new IOException("parameter " + name + " has shape " + new Shape(shape)
                        + " but the configuration needs " + target.getShape());
            }
            try {
                readValues(in, target, chunk);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            seen.put(name, true);
        }
        for (String name : tensors.keySet()) {
            if (!seen.containsKey(name)) {
                throw new IOException("parameter " + name + " is missing from the file");
            }
        }
    }

    private static final int CHUNK_BYTES = 1 << 20;

    /** Reads the tensor's values, big-endian floats (DataOutputStream's order), through chunk. */
    private void readValues(DataInputStream in, NDArray target, byte[] chunk) throws IOException {
        java.nio.FloatBuffer bigEndian = java.nio.ByteBuffer.wrap(chunk).order(java.nio.ByteOrder.BIG_ENDIAN).asFloatBuffer();
        fill(target, (dst, offset, n) -> {
            in.readFully(chunk, 0, n * Float.BYTES);
            dst.put(bigEndian.clear().limit(n));
        });
    }

    /** Puts n values, starting at the offset-th of the tensor, into a staging buffer. */
    private interface Values {
        void put(java.nio.FloatBuffer dst, int offset, int n) throws IOException;
    }

    /** Native staging memory, one chunk per thread, reused for every tensor. */
    private static final ThreadLocal<java.nio.ByteBuffer> STAGING =
            ThreadLocal.withInitial(() -> java.nio.ByteBuffer.allocateDirect(CHUNK_BYTES).order(java.nio.ByteOrder.nativeOrder()));

    /**
     * Copies a tensor's values in a chunk at a time through the staging buffer: no copy of a
     * whole tensor outside it, and an indexed copy, not NDArray.set(Buffer) (DJL 0.35's
     * native set enters libtorch's deprecated AutoNonVariableTypeMode and prints an alarming
     * warning).
     */
    private void fill(NDArray target, Values values) {
        int size = Math.toIntExact(target.size());
        int perChunk = CHUNK_BYTES / Float.BYTES;
        java.nio.ByteBuffer staging = STAGING.get();
        try (io.github.astfiji.core.engine.Engines.GradientsOff off = io.github.astfiji.core.engine.Engines.gradientsOff();
             NDArray flat = target.reshape(size)) { // a view of the same storage
            for (int start = 0; start < size; start += perChunk) {
                int n = Math.min(perChunk, size - start);
                java.nio.ByteBuffer bytes = staging.clear().limit(n * Float.BYTES).slice().order(java.nio.ByteOrder.nativeOrder());
                values.put(bytes.asFloatBuffer(), start, n);
                try (NDArray chunk = manager.create(bytes, new Shape(n), DataType.FLOAT32)) {
                    flat.set(new ai.djl.ndarray.index.NDIndex("{}:{}", start, start + n), chunk);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- seeded initialisers (Java RNG, so results do not depend on the engine build) ----

    /** PyTorch's default conv/linear initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public static float[] uniformFanIn(SplittableRandom rng, int count, int fanIn) {
        if (LOADING.get()) {
            return NOT_INITIALISED;
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /** He-normal initialisation, keeps ReLU activations at unit scale. */
    public static float[] heNormal(SplittableRandom rng, int count, int fanIn) {
        if (LOADING.get()) {
            return NOT_INITIALISED;
        }
        double std = Math.sqrt(2.0 / fanIn);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return v;
    }

    public static float[] constant(int count, float value) {
        if (LOADING.get()) {
            return NOT_INITIALISED;
        }
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
