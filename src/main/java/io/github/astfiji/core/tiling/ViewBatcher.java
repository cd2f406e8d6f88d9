package io.github.astfiji.core.tiling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores images through their views (a fitted image has one, a tiled one many): the views
 * of all images go through the networks in batches, so that small images share a pass and
 * large ones stream (one batch's tensors alive at a time), and each image's view maps are
 * stitched into one map per kind (overlaps averaged by {@link MapStitcher}).
 */
public final class ViewBatcher {

    /** One view of one image, preprocessed for the networks: 3 x size x size floats. */
    public interface ViewPixels {
        float[] of(int image, Layout layout, Layout.View view);
    }

    /** The networks on n views at once: per map kind, n square view maps of side x side, one after another. */
    public interface ViewMaps {
        Result run(float[] views, int n);
    }

    /** Maps of a batch of views: one flat array per map kind, and the side of each view's map. */
    public record Result(List<float[]> maps, int side) {
    }

    private final int inputSize;
    private final int batchSize;
    private final int mapKinds;

    /** Views of inputSize x inputSize, batchSize at a time, mapKinds maps per view. */
    public ViewBatcher(int inputSize, int batchSize, int mapKinds) {
        this.inputSize = inputSize;
        this.batchSize = Math.max(1, batchSize);
        this.mapKinds = mapKinds;
    }

    /** Per image, its stitched maps (one per kind) over the layout's content cells. */
    public List<float[][]> score(List<Layout> layouts, ViewPixels pixels, ViewMaps networks) {
        int per = 3 * inputSize * inputSize;
        List<MapStitcher[]> stitchers = new ArrayList<>();
        List<int[]> batch = new ArrayList<>(); // {image, view} pairs waiting for the networks
        float[] data = new float[batchSize * per];
        for (int i = 0; i < layouts.size(); i++) {
            Layout layout = layouts.get(i);
            MapStitcher[] st = new MapStitcher[mapKinds];
            for (int k = 0; k < mapKinds; k++) {
                st[k] = new MapStitcher(layout);
            }
            stitchers.add(st);
            for (int v = 0; v < layout.views.size(); v++) {
                System.arraycopy(pixels.of(i, layout, layout.views.get(v)), 0, data, batch.size() * per, per);
                batch.add(new int[] {i, v});
                if (batch.size() == batchSize) {
                    run(batch, data, layouts, stitchers, networks);
                }
            }
        }
        if (!batch.isEmpty()) {
            run(batch, data, layouts, stitchers, networks);
        }
        List<float[][]> out = new ArrayList<>();
        for (MapStitcher[] st : stitchers) {
            float[][] maps = new float[mapKinds][];
            for (int k = 0; k < mapKinds; k++) {
                maps[k] = st[k].result();
            }
            out.add(maps);
        }
        return out;
    }

    /** One batch of views through the networks; their maps go to their images' stitchers. Empties the batch. */
    private void run(List<int[]> batch, float[] data, List<Layout> layouts, List<MapStitcher[]> stitchers, ViewMaps networks) {
        int n = batch.size();
        int per = 3 * inputSize * inputSize;
        Result r = networks.run(n * per == data.length ? data : Arrays.copyOf(data, n * per), n);
        int side = r.side();
        for (int k = 0; k < r.maps().size(); k++) {
            float[] all = r.maps().get(k);
            for (int j = 0; j < n; j++) {
                int[] iv = batch.get(j);
                stitchers.get(iv[0])[k].add(layouts.get(iv[0]).views.get(iv[1]), Arrays.copyOfRange(all, j * side * side, (j + 1) * side * side),
                        side);
            }
        }
        batch.clear();
    }
}
