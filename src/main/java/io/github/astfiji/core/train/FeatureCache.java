package io.github.astfiji.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.FloatArrays;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.TrainingSet;
import io.github.astfiji.core.tiling.Layout;
import io.github.astfiji.core.tiling.Sizing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Features extracted once: a built-in backbone's statistics calibrated on the training
 * images, then every image (or each of its training views: the fitted image, or tiles side
 * by side) through preprocessing and the backbone into one cached training set with
 * foreground masks at the feature grid. Training never runs the backbone again.
 */
final class FeatureCache {

    private static final int CALIBRATION_IMAGES = 32;
    private final DetectorConfig config;
    private final Progress progress;

    FeatureCache(DetectorConfig config, Progress progress) {
        this.config = config;
        this.progress = progress;
    }

    void calibrateBackbone(List<ImageSource> images, Detector detector, NDManager cache) throws IOException {
        int n = Math.min(CALIBRATION_IMAGES, images.size());
        progress.stage("Calibrating backbone", n);
        List<NDArray> batches = new ArrayList<>();
        int s = config.imageSize;
        try (NDManager scope = cache.newSubManager()) {
            List<float[]> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                progress.checkCancelled();
                int idx = (int) ((long) i * images.size() / n);
                FloatImage im = TrainingImages.load(images.get(idx));
                if (detector.sizing() == Sizing.RESIZE) {
                    pending.add(detector.preprocessing().apply(im));
                } else {
                    // one view per image is enough for feature statistics
                    List<float[][]> views = trainingViews(detector.input(im, null, null), detector);
                    pending.add(views.get(views.size() / 2)[0]);
                }
                if (pending.size() == config.batchSize || i == n - 1) {
                    batches.add(scope.create(concatenated(pending), new Shape(pending.size(), 3, s, s)));
                    pending.clear();
                }
                progress.step(i + 1, null);
            }
            detector.backbone().calibrate(batches);
        }
    }

    /**
     * Clears the cells of a view's loss mask that lie outside the user's mask (given at the
     * view's pixels); false when no cell is left.
     */
    private static boolean keepInside(float[] learned, FloatImage maskView) {
        int n = (int) Math.round(Math.sqrt(learned.length));
        float[] small = io.github.astfiji.core.image.Resample.resize(maskView.data(), maskView.width(), maskView.height(), n, n);
        boolean any = false;
        for (int k = 0; k < learned.length; k++) {
            if (small[k] <= 0.5f) {
                learned[k] = 0f;
            }
            any |= learned[k] > 0;
        }
        return any;
    }

    private static float[] concatenated(List<float[]> parts) {
        return FloatArrays.concat(parts);
    }

    /**
     * The training views of a fitted or tiled image: its preprocessed network inputs and
     * the content mask of each at the deepest feature grid (mirrored padding excluded from
     * the losses). Tiles lie side by side; at most maxTilesPerImage, evenly spread.
     */
    private List<float[][]> trainingViews(Detector.Input in, Detector detector) {
        Layout layout = detector.layout(in.image.width(), in.image.height(), true);
        List<Layout.View> all = layout.views;
        int k = Math.min(all.size(), config.maxTilesPerImage);
        List<float[][]> out = new ArrayList<>();
        int cell = detector.backbone().stride();
        FloatImage userMask = in.mask == null ? null : new FloatImage(in.image.width(), in.image.height(), 1, 32, in.mask);
        for (int i = 0; i < k; i++) {
            Layout.View v = all.get((int) ((long) i * all.size() / k));
            float[] learned = layout.contentMask(v, cell);
            if (userMask != null && !keepInside(learned, layout.pixels(userMask, v))) {
                continue; // the view lies outside the region to inspect
            }
            out.add(new float[][] {detector.preprocessing().apply(layout.pixels(in.image, v)), learned});
        }
        return out;
    }

    /**
     * Runs every image (and depth map) through preprocessing and the backbone once: the
     * network inputs per scale (one row per image, or per view when fitting or tiling) and
     * (N, g, g) foreground masks (1/0, all ones where an image has no mask).
     */
    TrainingSet extract(List<ImageSource> images, Detector detector, NDManager cache) throws IOException {
        progress.stage("Extracting features", images.size());
        boolean resize = detector.sizing() == Sizing.RESIZE;
        List<List<NDArray>> parts = new ArrayList<>();
        int g = detector.gridSize();
        List<float[]> masks = new ArrayList<>();
        List<Integer> imageOf = new ArrayList<>();
        List<Detector.Input> pendingImages = new ArrayList<>();
        List<float[]> pendingViews = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            progress.checkCancelled();
            Detector.Input in = TrainingImages.input(images.get(i), detector);
            if (resize) {
                boolean[] fg = detector.gridMask(in.mask, in.image.width(), in.image.height());
                float[] m = new float[g * g];
                for (int k = 0; k < m.length; k++) {
                    m[k] = fg == null || fg[k] ? 1f : 0f;
                }
                masks.add(m);
                imageOf.add(i);
                pendingImages.add(in);
            } else {
                for (float[][] v : trainingViews(in, detector)) {
                    pendingViews.add(v[0]);
                    masks.add(v[1]);
                    imageOf.add(i);
                }
            }
            boolean last = i == images.size() - 1;
            while (pendingImages.size() >= config.batchSize || pendingViews.size() >= config.batchSize
                    || (last && (!pendingImages.isEmpty() || !pendingViews.isEmpty()))) {
                try (NDManager scope = cache.newSubManager()) {
                    NDList f;
                    if (resize) {
                        List<Detector.Input> batch = new ArrayList<>(pendingImages.subList(0, Math.min(config.batchSize, pendingImages.size())));
                        pendingImages.subList(0, batch.size()).clear();
                        f = detector.inputs(scope, batch);
                    } else {
                        List<float[]> batch = new ArrayList<>(pendingViews.subList(0, Math.min(config.batchSize, pendingViews.size())));
                        pendingViews.subList(0, batch.size()).clear();
                        f = detector.features(scope, concatenated(batch), batch.size());
                    }
                    for (int sc = 0; sc < f.size(); sc++) {
                        if (parts.size() <= sc) {
                            parts.add(new ArrayList<>());
                        }
                        f.get(sc).attach(cache);
                        parts.get(sc).add(f.get(sc));
                    }
                }
            }
            progress.step(i + 1, null);
        }
        NDList inputs = new NDList();
        for (List<NDArray> scale : parts) {
            inputs.add(NDArrays.concat(new NDList(scale.toArray(new NDArray[0])), 0));
            scale.forEach(NDArray::close);
        }
        return new TrainingSet(cache, inputs, cache.create(FloatArrays.concat(masks), new Shape(masks.size(), g, g)),
                imageOf.stream().mapToInt(Integer::intValue).toArray());
    }
}
