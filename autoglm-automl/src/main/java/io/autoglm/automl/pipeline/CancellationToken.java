package io.autoglm.automl.pipeline;

/** A flag one thread sets to cancel a pipeline run on another. Thread-safe. */
public final class CancellationToken {
    private volatile boolean cancelled;

    /** Creates a token that is not cancelled. */
    public CancellationToken() {
    }

    /** Requests cancellation; idempotent. */
    public void cancel() {
        cancelled = true;
    }

    /** @return whether {@link #cancel()} was called */
    public boolean isCancelled() {
        return cancelled;
    }
}
