package io.github.astfiji.core.score;

import java.util.List;

/** One image's results: a {@link ScoreResult} per map of the method, in {@link Method#mapNames()} order. */
public final class AnomalyMaps {

    private final List<AnomalyMap> maps;

    public AnomalyMaps(List<AnomalyMap> maps) {
        this.maps = List.copyOf(maps);
    }

    /** The method's own anomaly score: what verdicts, heat maps and regions use. */
    public AnomalyMap primary() {
        return maps.get(0);
    }

    /** The first baseline map (e.g. AST's teacher-only likelihood), or null when the method has none. */
    public AnomalyMap baseline() {
        return maps.size() > 1 ? maps.get(1) : null;
    }

    public AnomalyMap get(int index) {
        return maps.get(index);
    }

    public int size() {
        return maps.size();
    }
}
