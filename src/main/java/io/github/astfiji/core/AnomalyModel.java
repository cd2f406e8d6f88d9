package io.github.astfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstNetwork;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.depth.DepthMap;
import io.github.astfiji.core.depth.DepthProcessing;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A trained detector: preprocessing, frozen backbone, AST networks and the training-set
 * score statistics. Scoring one image allocates only inside a scope that is closed before
 * returning, so thousands of images do not grow native memory.
 */
public final class AnomalyModel implements AutoCloseable {

    public static final String METHOD_AST = "ast";

    private final NDManager manager;
    private final Preprocessing preprocessing;
    private final Backbone backbone;
    private final AstNetwork network;
    private final Map<ScoreMode, ScoreStats> stats = new EnumMap<>(ScoreMode.class);

    public AnomalyModel(NDManager manager, Preprocessing preprocessing, Backbone backbone, AstNetwork network) {
        this.manager = manager;
        this.preprocessing = preprocessing;
        this.backbone = backbone;
        this.network = network;
    }

    public String method() {
        return METHOD_AST;
    }

    public AstConfig config() {
        return network.config();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public Backbone backbone() {
        return backbone;
    }

    public AstNetwork network() {
        return network;
    }

    public NDManager manager() {
        return manager;
    }

    public ScoreStats stats(ScoreMode mode) {
        return stats.get(mode);
    }

    public void setStats(ScoreMode mode, ScoreStats s) {
        stats.put(mode, s);
    }

    /** Feature-grid side length for this model's image size. */
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
     * Checks an image and its optional depth map against this model and derives the mask:
     * the depth foreground when the model masks by depth, else the given mask.
     */
    public Input prepare(FloatImage image, DepthMap depth, float[] mask) {
        AstConfig c = config();
        if (depth == null && c.input.usesDepth()) {
            throw new IllegalArgumentException("this model was trained on " + c.input.label
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
            d = DepthProcessing.process(depth.scaled(c.depthScale));
            if (c.foregroundMask) {
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

    /** Preprocesses images and runs the backbone: (N, C, g, g) in the given scope. */
    public NDArray features(NDManager scope, List<FloatImage> images) {
        int s = preprocessing.imageSize;
        float[] batch = new float[images.size() * 3 * s * s];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocessing.apply(images.get(i)), 0, batch, i * 3 * s * s, 3 * s * s);
        }
        return backbone.extract(scope.create(batch, new Shape(images.size(), 3, s, s)));
    }

    /** The networks' input for prepared images: image features, depth channels, or both concatenated. */
    public NDArray networkInput(NDManager scope, List<Input> inputs) {
        InputMode mode = config().input;
        NDArray rgb = null;
        if (mode.usesImage()) {
            List<FloatImage> images = new ArrayList<>();
            inputs.forEach(in -> images.add(in.image));
            rgb = features(scope, images);
        }
        if (!mode.usesDepth()) {
            return rgb;
        }
        int g = gridSize();
        int per = DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE * g * g;
        float[] all = new float[inputs.size() * per];
        for (int i = 0; i < inputs.size(); i++) {
            System.arraycopy(inputs.get(i).depth.channels(g, g), 0, all, i * per, per);
        }
        NDArray depth = scope.create(all, new Shape(inputs.size(), DepthProcessing.UNSHUFFLE * DepthProcessing.UNSHUFFLE, g, g));
        return rgb == null ? depth : rgb.concat(depth, 1);
    }

    /** Foreground at grid resolution from a full-resolution mask (bilinear, > 0), or null. */
    public boolean[] gridMask(float[] mask, int width, int height) {
        if (mask == null) {
            return null;
        }
        int g = gridSize();
        float[] small = Resample.resize(mask, width, height, g, g);
        boolean[] fg = new boolean[small.length];
        boolean any = false;
        for (int i = 0; i < small.length; i++) {
            fg[i] = small[i] > 0;
            any |= fg[i];
        }
        return any ? fg : null;
    }

    /** Scores one image with both maps (AST and the teacher-only baseline). */
    public Map<ScoreMode, ScoreResult> score(FloatImage image, float[] mask) {
        return score(prepare(image, null, mask));
    }

    /** Scores one image and its depth map (null when the model needs none). */
    public Map<ScoreMode, ScoreResult> score(FloatImage image, DepthMap depth, float[] mask) {
        return score(prepare(image, depth, mask));
    }

    public Map<ScoreMode, ScoreResult> score(Input input) {
        Map<ScoreMode, ScoreResult> out = new EnumMap<>(ScoreMode.class);
        boolean[] fg = gridMask(input.mask, input.image.width(), input.image.height());
        try (NDManager scope = manager.newSubManager()) {
            NDArray f = networkInput(scope, List.of(input));
            NDList maps = network.maps(f);
            int g = (int) maps.get(0).getShape().get(2);
            int gh = (int) maps.get(0).getShape().get(1);
            out.put(ScoreMode.AST, new ScoreResult(maps.get(0).toFloatArray(), g, gh, fg, config().imageScore));
            out.put(ScoreMode.TEACHER_NLL, new ScoreResult(maps.get(1).toFloatArray(), g, gh, fg, config().imageScore));
        }
        return out;
    }

    public ScoreResult score(FloatImage image, float[] mask, ScoreMode mode) {
        return score(image, mask).get(mode);
    }

    @Override
    public void close() {
        network.close();
        backbone.close();
        manager.close();
    }
}
