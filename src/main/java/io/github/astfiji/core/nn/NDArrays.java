package io.github.astfiji.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Small NDArray helpers missing from DJL's NDArray interface. */
public final class NDArrays {

    private NDArrays() {
    }

    public static NDArray concat(NDList parts, int axis) {
        return ai.djl.ndarray.NDArrays.concat(parts, axis);
    }

    /** Channel slice [from, to) of an NCHW tensor. */
    public static NDArray channels(NDArray x, long from, long to) {
        return x.get(new ai.djl.ndarray.index.NDIndex(":, {}:{}", from, to));
    }
}
