package io.autoglm.engine;

import io.autoglm.backend.BackendModel;

/**
 * One unit of work for the model's worker. A job is run at most once, or aborted when the model
 * closes before it starts; either way its caller is always answered.
 */
abstract class Job {
    /** True on a thread that is running a caller's callback (token listener, logits consumer). */
    static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

    final long enqueuedNanos = System.nanoTime();
    volatile boolean cancelled;

    /** Runs on the worker thread, with exclusive use of the backend. Must answer the caller. */
    abstract void run(BackendModel backend);

    /** @param reason why the job will never run; must answer the caller */
    abstract void abort(RuntimeException reason);

    /** Asks a running generation to stop at its next token; a queued job will not start. */
    void cancel() {
        cancelled = true;
    }

    double queueMillis(long startNanos) {
        return (startNanos - enqueuedNanos) / 1e6;
    }
}
