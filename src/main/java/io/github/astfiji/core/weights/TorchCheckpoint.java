package io.github.astfiji.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch state dict saved with {@code torch.save} (the weights files torchvision
 * publishes) without Python: the zip format of PyTorch 1.6 and later, and the older
 * "legacy" stream of pickles followed by raw storages. Floating-point tensors (float32,
 * float16, bfloat16, float64) come back as float32 NDArrays under their state-dict names;
 * integer tensors (BatchNorm's num_batches_tracked) are left out.
 */
public final class TorchCheckpoint {

    private record Storage(String key, String type, long numel) {
    }

    private record TensorRef(Storage storage, long offset, long[] shape, long[] stride) {
    }

    private static final long LEGACY_MAGIC = 0xa86a20f9469cfc6cL; // low 64 bits of torch's magic number 0x1950a86a20f9469cfc6c

    private TorchCheckpoint() {
    }

    /** Every floating-point tensor of the file, as float32 arrays owned by {@code manager}. */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("weights file " + file + " does not exist");
        }
        try {
            if (isZip(file)) {
                return readZip(file, manager);
            }
            return readLegacy(file, manager);
        } catch (IOException | RuntimeException e) {
            throw new IOException("weights file " + file + " is not a PyTorch state dict this plugin can read: " + e.getMessage()
                    + ". Use the file as published (a .pth saved with torch.save), or check that it was downloaded completely.", e);
        }
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        }
    }

    private static Map<String, NDArray> readZip(Path file, NDManager manager) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = zip.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst()
                    .orElseThrow(() -> new IOException("the zip archive has no data.pkl"));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && new String(readAll(zip, order), java.nio.charset.StandardCharsets.US_ASCII).trim().equals("big")) {
                throw new IOException("it was saved on a big-endian machine");
            }
            Map<String, TensorRef> refs = parse(ByteBuffer.wrap(readAll(zip, pickle)));
            Map<String, NDArray> out = new LinkedHashMap<>();
            Buffers buffers = new Buffers();
            String loaded = null;
            ByteBuffer data = null;
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                Storage s = e.getValue().storage();
                if (!s.key().equals(loaded)) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
                    if (entry == null) {
                        throw new IOException("storage " + s.key() + " of tensor " + e.getKey() + " is missing");
                    }
                    data = readStorage(zip, entry, buffers);
                    loaded = s.key();
                }
                NDArray a = tensor(e.getKey(), e.getValue(), data, manager, buffers);
                if (a != null) {
                    out.put(e.getKey(), a);
                }
            }
            return out;
        }
    }


    /**
     * A storage's bytes in one reused direct buffer, not in a new array per storage: a large
     * network's arrays left hundreds of megabytes of garbage on the Java heap while loading.
     */
    private static ByteBuffer readStorage(ZipFile zip, ZipEntry entry, Buffers buffers) throws IOException {
        long size = entry.getSize();
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IOException("storage " + entry.getName() + " has no usable size");
        }
        ByteBuffer b = buffers.raw;
        if (b == null || b.capacity() < size) {
            b = ByteBuffer.allocateDirect((int) Math.max(size, 1 << 20));
            buffers.raw = b;
        }
        b.clear().limit((int) size);
        try (java.nio.channels.ReadableByteChannel in = java.nio.channels.Channels.newChannel(zip.getInputStream(entry))) {
            while (b.hasRemaining() && in.read(b) >= 0) {
                // fills the buffer
            }
        }
        if (b.hasRemaining()) {
            throw new IOException("storage " + entry.getName() + " ends early");
        }
        b.flip();
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] readAll(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    /** Legacy format: magic, protocol, system info, the object, the storage keys, then each storage's length and bytes. */
    private static Map<String, NDArray> readLegacy(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            if (!buf.hasRemaining() || (buf.get(0) & 0xff) != 0x80) {
                throw new IOException("it is neither a zip archive nor a legacy torch.save stream");
            }
            Object magic = plain(buf);
            if (!(magic instanceof Long) || (Long) magic != LEGACY_MAGIC) {
                throw new IOException("it is neither a zip archive nor a legacy torch.save stream");
            }
            plain(buf); // protocol version
            Object sysInfo = plain(buf);
            if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
                throw new IOException("it was saved on a big-endian machine");
            }
            Map<String, TensorRef> refs = parse(buf);
            Object keys = plain(buf);
            Map<String, Storage> byKey = new java.util.HashMap<>();
            refs.values().forEach(t -> byKey.putIfAbsent(t.storage().key(), t.storage()));
            Map<String, ByteBuffer> storages = new LinkedHashMap<>();
            for (Object k : (List<?>) keys) {
                long numel = buf.order(ByteOrder.LITTLE_ENDIAN).getLong();
                Storage s = byKey.get(String.valueOf(k));
                int bytes = Math.toIntExact(numel * (s == null ? 4 : elementSize(s.type())));
                ByteBuffer slice = buf.slice(buf.position(), bytes).order(ByteOrder.LITTLE_ENDIAN);
                buf.position(buf.position() + bytes);
                storages.put(String.valueOf(k), slice);
            }
            Map<String, NDArray> out = new LinkedHashMap<>();
            Buffers buffers = new Buffers();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                ByteBuffer data = storages.get(e.getValue().storage().key());
                if (data == null) {
                    throw new IOException("storage of tensor " + e.getKey() + " is missing");
                }
                NDArray a = tensor(e.getKey(), e.getValue(), data, manager, buffers);
                if (a != null) {
                    out.put(e.getKey(), a);
                }
            }
            return out;
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
            throw new IOException("the file ends early or is damaged", e);
        }
    }

    private static Object plain(ByteBuffer buf) throws IOException {
        return new Unpickler(buf, id -> {
            throw new IllegalStateException("unexpected persistent id");
        }, (g, a) -> null).load();
    }

    /** Unpickles the state dict, keeping for each tensor where its numbers are. */
    private static Map<String, TensorRef> parse(ByteBuffer pickle) throws IOException {
        Object root = new Unpickler(pickle, TorchCheckpoint::storage, TorchCheckpoint::rebuild).load();
        if (root instanceof Map && !((Map<?, ?>) root).values().stream().allMatch(v -> v instanceof TensorRef)) {
            // training checkpoints often wrap the weights: {"state_dict": {...}} or {"model": {...}}
            for (String wrapper : List.of("state_dict", "model", "teacher")) {
                Object inner = ((Map<?, ?>) root).get(wrapper);
                if (inner instanceof Map) {
                    root = inner;
                    break;
                }
            }
        }
        if (!(root instanceof Map)) {
            throw new IOException("it holds a " + describe(root) + ", not a state dict (a dictionary of tensors)");
        }
        Map<String, TensorRef> refs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            if (!(e.getValue() instanceof TensorRef)) {
                throw new IOException("entry '" + e.getKey() + "' is a " + describe(e.getValue()) + ", not a tensor");
            }
            refs.put(String.valueOf(e.getKey()), (TensorRef) e.getValue());
        }
        return refs;
    }

    private static String describe(Object o) {
        if (o instanceof Unpickler.Call) {
            return ((Unpickler.Call) o).function().qualified() + "(...)";
        }
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private static Object storage(Object pid) {
        List<?> t = (List<?>) pid;
        if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Unpickler.Global)) {
            throw new IllegalArgumentException("unexpected persistent id " + t);
        }
        return new Storage(String.valueOf(t.get(2)), ((Unpickler.Global) t.get(1)).name(), ((Number) t.get(4)).longValue());
    }

    private static Object rebuild(Unpickler.Global g, List<Object> args) {
        switch (g.qualified()) {
            case "collections.OrderedDict":
                return new LinkedHashMap<>();
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return new TensorRef((Storage) args.get(0), ((Number) args.get(1)).longValue(), longs(args.get(2)), longs(args.get(3)));
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return args.get(0);
            default:
                return null;
        }
    }

    private static long[] longs(Object tuple) {
        List<?> t = (List<?>) tuple;
        long[] v = new long[t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((Number) t.get(i)).longValue();
        }
        return v;
    }

    private static int elementSize(String storageType) {
        switch (storageType) {
            case "DoubleStorage":
            case "LongStorage":
                return 8;
            case "FloatStorage":
            case "IntStorage":
                return 4;
            case "HalfStorage":
            case "BFloat16Storage":
            case "ShortStorage":
                return 2;
            default:
                return 1;
        }
    }

    private static DataType floatType(String storageType) {
        switch (storageType) {
            case "FloatStorage":
                return DataType.FLOAT32;
            case "HalfStorage":
                return DataType.FLOAT16;
            case "BFloat16Storage":
                return DataType.BFLOAT16;
            case "DoubleStorage":
                return DataType.FLOAT64;
            default:
                return null; // integers and booleans: not weights
        }
    }

    /** The tensor's numbers as a float32 array; null for integer tensors. */
    private static NDArray tensor(String name, TensorRef t, ByteBuffer storage, NDManager manager, Buffers buffers) throws IOException {
        DataType type = floatType(t.storage().type());
        if (type == null) {
            return null;
        }
        int size = elementSize(t.storage().type());
        long count = 1;
        for (long d : t.shape()) {
            count *= d;
        }
        long[] contiguous = new long[t.shape().length];
        long step = 1;
        for (int i = contiguous.length - 1; i >= 0; i--) {
            contiguous[i] = step;
            step *= t.shape()[i];
        }
        boolean dense = java.util.Arrays.equals(contiguous, t.stride()) || count <= 1;
        long last = t.offset();
        for (int i = 0; i < t.shape().length; i++) {
            last += (t.shape()[i] - 1) * t.stride()[i];
        }
        if (count > 0 && (t.offset() < 0 || last >= t.storage().numel() || (long) storage.capacity() < t.storage().numel() * size)) {
            throw new IOException("tensor " + name + " reaches past the end of its storage");
        }
        // converted here rather than by the engine: PyTorch's JNI aborts the JVM on some dtypes it is handed directly.
        // One direct buffer stages every tensor: the engine's array is made over it and cloned into memory the
        // engine owns (freed at close), because direct buffers are freed only by the garbage collector and one
        // per tensor doubled the peak memory of loading a large network.
        ByteBuffer staging = buffers.staging(count);
        java.nio.FloatBuffer floats = staging.asFloatBuffer();
        ByteBuffer src = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dense) {
            for (long i = 0; i < count; i++) {
                floats.put(element(src, Math.toIntExact((t.offset() + i) * size), type));
            }
        } else {
            // a strided view (rare in state dicts): gathered element by element
            long[] idx = new long[t.shape().length];
            for (long n = 0; n < count; n++) {
                long at = t.offset();
                for (int i = 0; i < idx.length; i++) {
                    at += idx[i] * t.stride()[i];
                }
                floats.put(element(src, Math.toIntExact(at * size), type));
                for (int i = idx.length - 1; i >= 0 && ++idx[i] == t.shape()[i]; i--) {
                    idx[i] = 0;
                }
            }
        }
        staging.limit(Math.toIntExact(count * 4));
        try (NDArray staged = manager.create(staging, new Shape(t.shape()), DataType.FLOAT32)) {
            return staged.duplicate();
        }
    }

    /** The two direct buffers one file is read through (grown to its largest storage and tensor, dropped after). */
    private static final class Buffers {
        ByteBuffer raw;
        ByteBuffer staging;

        ByteBuffer staging(long count) {
            if (staging == null || staging.capacity() < count * 4) {
                staging = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(count * 4, 1 << 20))).order(ByteOrder.nativeOrder());
            }
            staging.clear();
            return staging;
        }
    }

    private static float element(ByteBuffer src, int byteIndex, DataType type) {
        switch (type) {
            case FLOAT16:
                return halfToFloat(src.getShort(byteIndex));
            case BFLOAT16:
                return Float.intBitsToFloat((src.getShort(byteIndex) & 0xffff) << 16);
            case FLOAT64:
                return (float) src.getDouble(byteIndex);
            default:
                return src.getFloat(byteIndex);
        }
    }

    /** IEEE 754 half precision to single (normal, subnormal, zero, infinity, NaN). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float v = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
