package io.autoglm.engine;

/**
 * One unit of work handed from a caller's thread to the engine's decode thread. Every request is
 * answered exactly once: completed, failed, or aborted because the model closed.
 */
abstract class Request {
    final long enqueuedNanos = System.nanoTime();
    /** Set by the caller (cancel, stream close, interrupt); read by the decode thread every step. */
    volatile boolean cancelled;

    /** @param reason why the request will never run or cannot go on; must answer the caller */
    abstract void fail(Throwable reason);

    /** @return true once the caller has been answered */
    abstract boolean isDone();

    /** Asks the request to stop: a waiting one is not started, a running one ends at the next step. */
    void cancel() {
        cancelled = true;
    }

    double millisSince(long startNanos, long nowNanos) {
        return (nowNanos - startNanos) / 1e6;
    }
}
