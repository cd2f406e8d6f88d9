package io.github.astfiji.core.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The training images after the frozen part of the pipeline: network inputs per feature
 * scale (N first) and foreground masks at the deepest scale's grid, computed once and kept
 * for every epoch, so no phase reruns the backbone.
 */
public final class TrainingSet {

    private final NDManager manager;
    private final NDList inputs;
    private final NDArray masks;
    /** The training image each row comes from (rows are views when images are fitted or tiled). */
    private final int[] imageOf;

    public TrainingSet(NDManager manager, NDList inputs, NDArray masks, int[] imageOf) {
        this.manager = manager;
        this.inputs = inputs;
        this.masks = masks;
        this.imageOf = imageOf;
    }

    /** The rows whose image is not in the excluded set, as a set of its own in the given manager (for a calibration fold). */
    public TrainingSet without(java.util.Set<Integer> excludedImages, NDManager into) {
        List<Integer> keep = new ArrayList<>();
        for (int r = 0; r < imageOf.length; r++) {
            if (!excludedImages.contains(imageOf[r])) {
                keep.add(r);
            }
        }
        NDArray idx = into.create(keep.stream().mapToInt(Integer::intValue).toArray());
        NDList sub = new NDList();
        for (NDArray a : inputs) {
            NDArray rows = a.get(idx);
            rows.attach(into);
            sub.add(rows);
        }
        NDArray m = masks.get(idx);
        m.attach(into);
        int[] of = new int[keep.size()];
        for (int i = 0; i < of.length; i++) {
            of[i] = imageOf[keep.get(i)];
        }
        return new TrainingSet(into, sub, m, of);
    }

    /** Where phases keep what they cache for the whole training (freed with the set). */
    public NDManager manager() {
        return manager;
    }

    public NDList inputs() {
        return inputs;
    }

    /** (N, g, g): 1 where a grid cell counts, 0 for background. */
    public NDArray masks() {
        return masks;
    }

    public long size() {
        return masks.getShape().get(0);
    }

    /** What {@link #forEachBatch} hands over: one batch's inputs and foreground masks, in a scope freed after the call. */
    public interface BatchConsumer {
        void accept(NDList inputs, NDArray masks, NDManager scope);
    }

    /** Visits the rows in order, batchSize at a time, each batch's slices in a scope of its own. */
    public void forEachBatch(int batchSize, BatchConsumer consumer) {
        long n = size();
        for (long start = 0; start < n; start += batchSize) {
            long end = Math.min(n, start + batchSize);
            try (NDManager scope = manager.newSubManager()) {
                NDList rows = new NDList();
                for (NDArray a : inputs) {
                    rows.add(Batch.slice(a, start, end, scope));
                }
                consumer.accept(rows, Batch.slice(masks, start, end, scope), scope);
            }
        }
    }

    /**
     * Applies f to the inputs in batches without gradients and concatenates the results
     * (e.g. a frozen teacher's outputs), kept in this set's manager.
     */
    public NDArray mapInBatches(int batchSize, Function<NDList, NDArray> f) {
        List<NDArray> parts = new ArrayList<>();
        forEachBatch(batchSize, (rows, batchMasks, scope) -> {
            NDArray out = f.apply(rows);
            out.attach(manager);
            parts.add(out);
        });
        NDArray all = NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
        parts.forEach(NDArray::close);
        return all;
    }

    /** The rows of one mini-batch, all in the step's scope (freed after the step). */
    public static final class Batch {
        private final NDArray index;
        private final NDManager scope;
        private final NDList inputs;
        private final NDArray masks;

        public Batch(TrainingSet set, NDArray index, NDManager scope) {
            this.index = index;
            this.scope = scope;
            this.inputs = new NDList();
            for (NDArray a : set.inputs) {
                inputs.add(rows(a));
            }
            this.masks = rows(set.masks);
        }

        public NDList inputs() {
            return inputs;
        }

        public NDArray masks() {
            return masks;
        }

        public NDManager scope() {
            return scope;
        }

        /** This batch's rows of any tensor cached for the whole set (N first). */
        public NDArray rows(NDArray cached) {
            NDArray r = cached.get(index);
            // DJL attaches an op's result to its input's manager: without this every
            // intermediate of the step would pile up in the long-lived cache.
            r.attach(scope);
            return r;
        }

        static NDArray slice(NDArray source, long start, long end, NDManager scope) {
            NDArray r = source.get(start + ":" + end);
            r.attach(scope);
            return r;
        }
    }
}
