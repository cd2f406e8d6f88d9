package io.github.astfiji.core.detector;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthProcessing;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.InputMode;
import io.github.astfiji.core.image.PixelSource;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.image.Resample;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.score.ImageScoreRule;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.score.PositionNormalisation;
import io.github.astfiji.core.score.ScoreStats;
import io.github.astfiji.core.tiling.Layout;
import io.github.astfiji.core.tiling.Sizing;
import io.github.astfiji.core.tiling.ViewBatcher;

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
    private PositionNormalisation positions;

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

    /** How images become network inputs (a model saved with "auto" unresolved fits). */
    public Sizing sizing() {
        return config.sizing == Sizing.AUTO ? Sizing.FIT : config.sizing;
    }

    /** Working pixels per map cell: 1 for pixel maps, else the deepest backbone stride. */
    public int mapCell() {
        return method.pixelMaps() ? 1 : backbone.stride();
    }

    /** The views of an image of this size (training: tiles side by side). */
    public Layout layout(int width, int height, boolean training) {
        return Layout.of(sizing(), width, height, preprocessing.imageSize, mapCell(), config.tileScale, config.tileOverlap, training);
    }

    /** The smallest image side this model takes: a few feature cells, at its working scale when tiling. */
    public int minimumSide() {
        int cells = Math.max(16, 2 * backbone.stride());
        return sizing() == Sizing.TILE ? (int) Math.ceil(Math.max(cells, preprocessing.imageSize / 4.0) / config.tileScale) : cells;
    }

    /**
     * Why an image of this size may be scored unlike the training images (once per batch is
     * enough to say so), or null. Tiles see every image at the same pixel scale, so only
     * whole-image sizing warns.
     */
    public String sizeWarning(int width, int height) {
        if (sizing() == Sizing.TILE || config.trainingWidth <= 0 || config.trainingHeight <= 0) {
            return null;
        }
        double tw = config.trainingWidth;
        double th = config.trainingHeight;
        double size = Math.max(Math.max(width / tw, tw / width), Math.max(height / th, th / height));
        double aspect = Math.abs(Math.log((width / (double) height) / (tw / th)));
        if (size > 2 || aspect > Math.log(1.25)) {
            return String.format(java.util.Locale.ROOT, "%dx%d px, while the model was trained on images of about %dx%d px: "
                    + "each image is scaled to %d px, so defects appear at another size than in training. Use images like the "
                    + "training images, or train with --sizing tile for images of mixed sizes", width, height,
                    config.trainingWidth, config.trainingHeight, preprocessing.imageSize);
        }
        return null;
    }

    /** One image made ready for the networks: its processed depth (if any) and the mask to score under. */
    public static final class Input {
        public final PixelSource image;
        /** Null when no depth map was given. */
        public final DepthProcessing.Result depth;
        /** Foreground at the image's resolution (> 0 counts), or null for every pixel. */
        public final float[] mask;

        Input(PixelSource image, DepthProcessing.Result depth, float[] mask) {
            this.image = image;
            this.depth = depth;
            this.mask = mask;
        }
    }

    /**
     * Checks an image and its optional depth map against this detector and derives the
     * mask: the depth foreground when the model masks by depth, else the given mask.
     */
    public Input input(PixelSource image, DepthMap depth, float[] mask) {
        int min = minimumSide();
        if (image.width() < min || image.height() < min) {
            throw new IllegalArgumentException("the image is " + image.width() + "x" + image.height() + " px, smaller than the "
                    + min + "x" + min + " px this model needs" + (sizing() == Sizing.TILE
                    ? " (its tiles are " + preprocessing.imageSize + " px at a scale of " + config.tileScale + ")" : "")
                    + "; use larger images");
        }
        String problem = preprocessing.incompatibility(image);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
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
        return features(scope, batch, images.size());
    }

    /**
     * The backbone on n preprocessed inputs (n x 3 x S x S floats), in the given scope. On
     * the CPU it runs one image at a time: a CNN's large early maps then stay in the cache
     * (measured with EfficientNet-B5 at 384 px: 102 ms per image alone, 181 ms per image in
     * fours; BENCHMARKS.md, Speed and memory), while the methods' networks, whose maps are
     * small, run faster in batches.
     */
    public NDList features(NDManager scope, float[] preprocessed, int n) {
        int s = preprocessing.imageSize;
        int per = 3 * s * s;
        int step = scope.getDevice().isGpu() ? n : 1;
        List<NDList> parts = new ArrayList<>();
        for (int start = 0; start < n; start += step) {
            int count = Math.min(step, n - start);
            float[] slice = count == n ? preprocessed : java.util.Arrays.copyOfRange(preprocessed, start * per, (start + count) * per);
            NDList maps = backbone.extractScales(scope.create(slice, new Shape(count, 3, s, s)));
            parts.add(method.multiScale() ? maps : new NDList(maps.get(maps.size() - 1)));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDList joined = new NDList();
        for (int k = 0; k < parts.get(0).size(); k++) {
            NDList scale = new NDList();
            for (NDList p : parts) {
                scale.add(p.get(k));
            }
            joined.add(ai.djl.ndarray.NDArrays.concat(scale, 0));
        }
        return joined;
    }

    /** The networks' input for prepared images: image features per scale, depth channels, or both (depth joins the deepest scale). */
    public NDList inputs(NDManager scope, List<Input> inputs) {
        InputMode mode = config.input;
        NDList out = new NDList();
        if (mode.usesImage()) {
            List<FloatImage> images = new ArrayList<>();
            inputs.forEach(in -> images.add(in.image.toFloatImage()));
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

    /**
     * The image score rule in force: "auto" takes the maximum where the model masks by its
     * depth foreground (the reference's rule, as in training) and the mean otherwise, so a
     * region the user limits scoring to changes where the score comes from, not its scale.
     */
    ImageScoreRule imageScoreRule() {
        ImageScoreRule rule = config.imageScore.settle(preprocessing.isComposite()); // training settles it; a hand-edited file may not
        if (rule != ImageScoreRule.AUTO) {
            return rule;
        }
        return config.input.usesDepth() && config.foregroundMask ? ImageScoreRule.MAX : ImageScoreRule.MEAN;
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
    public AnomalyMaps score(PixelSource image, float[] mask) {
        return score(input(image, null, mask));
    }

    /** Scores one image and its depth map (null when the model needs none). */
    public AnomalyMaps score(PixelSource image, DepthMap depth, float[] mask) {
        return score(input(image, depth, mask));
    }

    public AnomalyMaps score(Input input) {
        return score(List.of(input)).get(0);
    }

    /**
     * Scores a batch of prepared images: resized images in one pass through the networks;
     * fitted or tiled ones view by view, in batches, with the view maps stitched.
     */
    public List<AnomalyMaps> score(List<Input> inputs) {
        try (Engines.GradientsOff off = Engines.gradientsOff()) {
            return scoreWithoutGradients(inputs);
        }
    }

    private List<AnomalyMaps> scoreWithoutGradients(List<Input> inputs) {
        if (sizing() != Sizing.RESIZE) {
            return scoreViews(inputs);
        }
        List<AnomalyMaps> out = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            NDList maps = network.maps(inputs(scope, inputs));
            long h = maps.get(0).getShape().get(1);
            long w = maps.get(0).getShape().get(2);
            List<float[]> all = flatten(maps);
            int per = (int) (h * w);
            for (int i = 0; i < inputs.size(); i++) {
                Input in = inputs.get(i);
                boolean[] fg = gridMask(in.mask, in.image.width(), in.image.height(), (int) w, (int) h);
                List<AnomalyMap> results = new ArrayList<>();
                for (float[] a : all) {
                    float[] one = new float[per];
                    System.arraycopy(a, i * per, one, 0, per);
                    results.add(new AnomalyMap(one, (int) w, (int) h, fg, imageScoreRule()));
                }
                out.add(new AnomalyMaps(results));
            }
        }
        return out;
    }

    /** Fitted or tiled images view by view (batched and stitched in core.tiling), then their maps at the content cells. */
    private List<AnomalyMaps> scoreViews(List<Input> inputs) {
        List<Layout> layouts = new ArrayList<>();
        for (Input in : inputs) {
            layouts.add(layout(in.image.width(), in.image.height(), false));
        }
        ViewBatcher batcher = new ViewBatcher(preprocessing.imageSize, inferenceBatch(), method.mapNames().size());
        List<float[][]> stitched = batcher.score(layouts,
                (i, layout, view) -> preprocessing.apply(layout.pixels(inputs.get(i).image, view)),
                (views, n) -> {
                    try (NDManager scope = manager.newSubManager()) {
                        NDList m = network.maps(features(scope, views, n));
                        return new ViewBatcher.Result(flatten(m), (int) m.get(0).getShape().get(1));
                    }
                });
        List<AnomalyMaps> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Layout layout = layouts.get(i);
            boolean[] fg = gridMask(in.mask, in.image.width(), in.image.height(), layout.contentCellsX, layout.contentCellsY);
            List<AnomalyMap> results = new ArrayList<>();
            for (float[] map : stitched.get(i)) {
                results.add(new AnomalyMap(map, layout.contentCellsX, layout.contentCellsY, fg, imageScoreRule()));
            }
            out.add(new AnomalyMaps(results));
        }
        return out;
    }

    /** The network's maps of a batch of views as flat arrays, each view's cells standardised for their position when the model has the statistics. */
    private List<float[]> flatten(NDList maps) {
        List<float[]> flat = new ArrayList<>();
        for (int k = 0; k < maps.size(); k++) {
            float[] a = maps.get(k).toFloatArray();
            if (positions != null) {
                positions.apply(k, a, (int) maps.get(k).getShape().get(1), (int) maps.get(k).getShape().get(2));
            }
            flat.add(a);
        }
        return flat;
    }

    /** Per-position statistics of the maps (null: maps used as the network gives them, as in models made before they existed). */
    public PositionNormalisation positionNormalisation() {
        return positions;
    }

    public void setPositionNormalisation(PositionNormalisation positions) {
        this.positions = positions;
    }

    /**
     * Views per pass through the networks when scoring: the training batch on a GPU, at most
     * 4 on the CPU. Measured at the paper's AST setting (384 px, 2 cores): teacher and student
     * took 250, 176, 140 and 123 ms per image in batches of 1, 2, 4 and 8, for 0, 70, 180 and
     * 400 MB more peak memory (PyTorch's convolution workspace grows with the batch).
     */
    int inferenceBatch() {
        return manager.getDevice().isGpu() ? config.batchSize : Math.max(1, Math.min(config.batchSize, 4));
    }

    @Override
    public void close() {
        network.close();
        backbone.close();
        manager.close();
    }
}
