package io.github.astfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.AstNetwork;
import io.github.astfiji.core.backbone.Backbone;

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

    /** Preprocesses images and runs the backbone: (N, C, g, g) in the given scope. */
    public NDArray features(NDManager scope, List<FloatImage> images) {
        int s = preprocessing.imageSize;
        float[] batch = new float[images.size() * 3 * s * s];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocessing.apply(images.get(i)), 0, batch, i * 3 * s * s, 3 * s * s);
        }
        return backbone.extract(scope.create(batch, new Shape(images.size(), 3, s, s)));
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
        Map<ScoreMode, ScoreResult> out = new EnumMap<>(ScoreMode.class);
        boolean[] fg = gridMask(mask, image.width(), image.height());
        try (NDManager scope = manager.newSubManager()) {
            NDArray f = features(scope, List.of(image));
            NDList maps = network.maps(f);
            int g = (int) maps.get(0).getShape().get(2);
            int gh = (int) maps.get(0).getShape().get(1);
            out.put(ScoreMode.AST, new ScoreResult(maps.get(0).toFloatArray(), g, gh, fg));
            out.put(ScoreMode.TEACHER_NLL, new ScoreResult(maps.get(1).toFloatArray(), g, gh, fg));
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
