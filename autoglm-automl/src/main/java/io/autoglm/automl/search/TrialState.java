package io.autoglm.automl.search;

/** Life-cycle state of a trial. */
public enum TrialState {
    /** Enqueued with fixed parameters, not yet claimed by a worker. */
    WAITING,
    /** Being evaluated by a worker. */
    RUNNING,
    /** Finished with objective value(s). */
    COMPLETE,
    /** Stopped early by a pruner. */
    PRUNED,
    /** The objective threw, returned NaN/Inf, or its worker died. */
    FAIL;

    /** @return true for COMPLETE, PRUNED and FAIL */
    public boolean isFinished() {
        return this == COMPLETE || this == PRUNED || this == FAIL;
    }
}
