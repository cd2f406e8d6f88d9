package io.github.astfiji.core;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: reads every tensor of a file in Params' layout (e.g. the PyTorch fixture). */
public final class TensorFile {

    public static final class Tensor {
        public final long[] shape;
        public final float[] data;

        Tensor(long[] shape, float[] data) {
            this.shape = shape;
            this.data = data;
        }
    }

    private TensorFile() {
    }

    /**
     * Sets every parameter of a Java network from the fixture (same name, same shape) and
     * checks that each PyTorch parameter (every name not starting with "fixture.") found one.
     */
    public static void loadAll(io.github.astfiji.core.nn.Params params, Map<String, Tensor> fixture) {
        int loaded = 0;
        for (String name : params.names()) {
            Tensor v = fixture.get(name);
            org.junit.jupiter.api.Assertions.assertTrue(v != null, "fixture lacks " + name);
            org.junit.jupiter.api.Assertions.assertArrayEquals(v.shape, params.get(name).getShape().getShape(), "shape of " + name);
            params.set(name, v.data);
            loaded++;
        }
        org.junit.jupiter.api.Assertions.assertEquals(fixture.keySet().stream().filter(k -> !k.startsWith("fixture.")).count(), loaded,
                "every PyTorch parameter has a Java counterpart");
    }

    public static Map<String, Tensor> read(InputStream stream) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(stream)) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                in.readBoolean();
                long[] shape = new long[in.readInt()];
                long size = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                    size *= shape[d];
                }
                float[] v = new float[(int) size];
                for (int k = 0; k < v.length; k++) {
                    v[k] = in.readFloat();
                }
                out.put(name, new Tensor(shape, v));
            }
        }
        return out;
    }
}
