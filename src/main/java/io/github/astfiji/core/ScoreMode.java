package io.github.astfiji.core;

/** Which map is the anomaly score. */
public enum ScoreMode {
    /** Student-teacher distance (AST). */
    AST,
    /** The teacher flow's own negative log-likelihood: the density-estimation baseline. */
    TEACHER_NLL
}
