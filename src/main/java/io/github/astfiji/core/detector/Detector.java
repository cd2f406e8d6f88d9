package io.github.astfiji.core.detector;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.FloatImage;
import io.github.astfiji.core.InputMode;
import io.github.astfiji.core.Preprocessing;
import io.github.astfiji.core.Resample;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.ScoreStats;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.depth.DepthProcessing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained detector of any method: preprocessing, frozen backbone, the method's
 * networks and the score statistics (thresholds) of normal images. Scoring one image
 * allocates only inside a scope that is closed before returning, so thousands of images
 * do not grow native memory.
 */
public final class Detector implements AutoCloseable {

    private final Method method;
    private final DetectorConfig config;
    private final NDManager manager;
    private final Preprocessing preprocessing;
    private final Backbone backbone;
    private final MethodNetwork network;
    private final Map<String, ScoreStats> stats = new HashMap<>();

    public Detector(Method method, DetectorConfig config, NDManager manager, Preprocessing preprocessing, Backbone backbone,
                    MethodNetwork network) {
        this.method = method;
        this.config = config;
        this.manager = manager;
        this.preprocessing = preprocessing;
        this.backbone = backbone;
        this.network = network;
    }

    public Method method() {
        return method;
    }

    public DetectorConfig config() {
        return config;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public Backbone backbone() {
        return backbone;
    }

    public MethodNetwork network() {
        return network;
    }

    public NDManager manager() {
        return manager;
    }

    /** Statistics and thresholds of the primary map: what verdicts use. */
    public ScoreStats stats() {
        return stats.get(method.mapNames().get(0));
    }

    /** Statistics of a map by name (see {@link Method#mapNames()}), or null. */
    public ScoreStats stats(String mapName) {
        return stats.get(mapName);
    }

    public void setStats(String mapName, ScoreStats s) {
        stats.put(mapName, s);
    }

    /** Channels the networks see per feature scale for a backbone and input mode: image features, depth, or both. */
    public static int[] inputChannels(Method method, DetectorConfig config, Backbone backbone) {
        int depth = DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE;
        if (!config.input.usesImage()) {
            return new int[] {depth};
        }
        int[] all = backbone.scaleChannels();
        int[] c = method.multiScale() ? all.clone() : new int[] {all[all.length - 1]};
        if (config.input.usesDepth()) {
            c[c.length - 1] += depth;
        }
        return c;
    }

    public int[] inputChannels() {
        return inputChannels(method, config, backbone);
    }

    /** Side of the deepest feature grid (where masks and depth channels live). */
    public int gridSize() {
        return preprocessing.imageSize / backbone.stride();
    }

    /** One image made ready for the networks: its processed depth (if any) and the mask to score under. */
    public static final class Input {
        public final FloatImage image;
        /** Null when no depth map was given. */
        public final DepthProcessing.Result depth;
        /** Foreground at the image's resolution (> 0 counts), or null for every pixel. */
        public final float[] mask;

        Input(FloatImage image, DepthProcessing.Result depth, float[] mask) {
            this.image = image;
            this.depth = depth;
            this.mask = mask;
        }
    }

    /**
     * Checks an image and its optional depth map against this detector and derives the
     * mask: the depth foreground when the model masks by depth, else the given mask.
     */
    public Input prepare(FloatImage image, DepthMap depth, float[] mask) {
        if (depth == null && config.input.usesDepth()) {
            throw new IllegalArgumentException("this model was trained on " + config.input.label
                    + " input and needs a depth map with every image; give the depth images (or use a model trained on rgb)");
        }
        if (mask != null && mask.length != image.width() * image.height()) {
            throw new IllegalArgumentException("the mask has " + mask.length + " pixels but the image has " + image.width() * image.height());
        }
        DepthProcessing.Result d = null;
        if (depth != null) {
            if (depth.width() != image.width() || depth.height() != image.height()) {
                throw new IllegalArgumentException("the depth map is " + depth.width() + "x" + depth.height() + " but the image is "
                        + image.width() + "x" + image.height() + "; each depth map must match its image pixel for pixel");
            }
            d = DepthProcessing.process(depth.scaled(config.depthScale));
            if (config.foregroundMask) {
                float[] fg = d.mask();
                mask = mask == null ? fg : intersect(mask, fg);
            }
        }
        return new Input(image, d, mask);
    }

    private static float[] intersect(float[] a, float[] b) {
        if (b == null) {
            return a;
        }
        float[] m = new float[a.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = a[i] > 0 && b[i] > 0 ? 1f : 0f;
        }
        return m;
    }

    /** Preprocesses images and runs the backbone: one (N, C, h, w) tensor per scale the method reads, in the given scope. */
    public NDList features(NDManager scope, List<FloatImage> images) {
        int s = preprocessing.imageSize;
        float[] batch = new float[images.size() * 3 * s * s];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocessing.apply(images.get(i)), 0, batch, i * 3 * s * s, 3 * s * s);
        }
        NDList maps = backbone.extractScales(scope.create(batch, new Shape(images.size(), 3, s, s)));
        return method.multiScale() ? maps : new NDList(maps.get(maps.size() - 1));
    }

    /** The networks' input for prepared images: image features per scale, depth channels, or both (depth joins the deepest scale). */
    public NDList inputs(NDManager scope, List<Input> inputs) {
        InputMode mode = config.input;
        NDList out = new NDList();
        if (mode.usesImage()) {
            List<FloatImage> images = new ArrayList<>();
            inputs.forEach(in -> images.add(in.image));
            out = features(scope, images);
        }
        if (!mode.usesDepth()) {
            return out;
        }
        int g = gridSize();
        int per = DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE * g * g;
        float[] all = new float[inputs.size() * per];
        for (int i = 0; i < inputs.size(); i++) {
            System.arraycopy(inputs.get(i).depth.channels(g, g), 0, all, i * per, per);
        }
        NDArray depth = scope.create(all, new Shape(inputs.size(), DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE, g, g));
        if (out.isEmpty()) {
            return new NDList(depth);
        }
        out.set(out.size() - 1, out.get(out.size() - 1).concat(depth, 1));
        return out;
    }

    /** Foreground at a map's resolution from a full-resolution mask (bilinear, > 0), or null for every pixel. */
    public static boolean[] gridMask(float[] mask, int width, int height, int gridWidth, int gridHeight) {
        if (mask == null) {
            return null;
        }
        float[] small = Resample.resize(mask, width, height, gridWidth, gridHeight);
        boolean[] fg = new boolean[small.length];
        boolean any = false;
        for (int i = 0; i < small.length; i++) {
            fg[i] = small[i] > 0;
            any |= fg[i];
        }
        return any ? fg : null;
    }

    /** Foreground at the deepest feature grid, where training losses are masked. */
    public boolean[] gridMask(float[] mask, int width, int height) {
        return gridMask(mask, width, height, gridSize(), gridSize());
    }

    /** Scores one image (every map of the method, primary first). */
    public Scores score(FloatImage image, float[] mask) {
        return score(prepare(image, null, mask));
    }

    /** Scores one image and its depth map (null when the model needs none). */
    public Scores score(FloatImage image, DepthMap depth, float[] mask) {
        return score(prepare(image, depth, mask));
    }

    public Scores score(Input input) {
        return score(List.of(input)).get(0);
    }

    /** Scores a batch of prepared images in one pass through the networks. */
    public List<Scores> score(List<Input> inputs) {
        List<Scores> out = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            NDList maps = network.maps(inputs(scope, inputs));
            long h = maps.get(0).getShape().get(1);
            long w = maps.get(0).getShape().get(2);
            List<float[]> all = new ArrayList<>();
            for (NDArray m : maps) {
                all.add(m.toFloatArray());
            }
            int per = (int) (h * w);
            for (int i = 0; i < inputs.size(); i++) {
                Input in = inputs.get(i);
                boolean[] fg = gridMask(in.mask, in.image.width(), in.image.height(), (int) w, (int) h);
                List<ScoreResult> results = new ArrayList<>();
                for (float[] a : all) {
                    float[] one = new float[per];
                    System.arraycopy(a, i * per, one, 0, per);
                    results.add(new ScoreResult(one, (int) w, (int) h, fg, config.imageScore));
                }
                out.add(new Scores(results));
            }
        }
        return out;
    }

    @Override
    public void close() {
        network.close();
        backbone.close();
        manager.close();
    }
}
