package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tensors of a weights file, taken one by one by the network that is built from them;
 * a missing or misshapen tensor names the file and what the network expected, and
 * {@link #requireAllUsed} catches a file made for a different network.
 */
final class StateDict {

    private final Path file;
    private final String network;
    private final Map<String, NDArray> tensors;
    private final TreeSet<String> unused;

    StateDict(Path file, String network, Map<String, NDArray> tensors) {
        this.file = file;
        this.network = network;
        this.tensors = tensors;
        this.unused = new TreeSet<>(tensors.keySet());
    }

    Path file() {
        return file;
    }

    NDArray take(String name) throws IOException {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IOException(file.getFileName() + " has no tensor '" + name + "': it does not hold the weights of " + network
                    + ". Use the file published for " + network + ".");
        }
        unused.remove(name);
        return a;
    }

    void requireShape(String name, NDArray a, long... shape) throws IOException {
        if (!a.getShape().equals(new Shape(shape))) {
            throw new IOException(file.getFileName() + ": tensor '" + name + "' has shape " + a.getShape() + " where " + network
                    + " has " + new Shape(shape) + ". Use the file published for " + network + ".");
        }
    }

    /** Fails when tensors of the network's part that we build were left over (another architecture's file). */
    void requireAllUsed(String... partsNotBuilt) throws IOException {
        for (String part : partsNotBuilt) {
            unused.removeIf(n -> n.startsWith(part));
        }
        if (!unused.isEmpty()) {
            throw new IOException(file.getFileName() + " has tensors that " + network + " does not have (e.g. '" + unused.first()
                    + "'): it was made for another network. Use the file published for " + network + ".");
        }
    }
}
