package io.autoglm.engine;

import io.autoglm.ModelStats;

/**
 * Serves requests on the engine's decode thread, which runs {@link #run()} from load to close and
 * owns the backend model (it closes it when the loop ends). {@link BatchScheduler} decodes many
 * sequences together; {@link SerialScheduler} serves backends that run one whole generation at a time.
 */
interface Scheduler extends Runnable {
    /**
     * @param r a request
     * @throws IllegalStateException when closed
     * @throws io.autoglm.RequestRejectedException when the queue is full
     */
    void submit(Request r);

    /** Wakes the decode thread (after a request was cancelled). */
    void wake();

    /** @return a snapshot of the counters */
    ModelStats stats();

    boolean isClosed();

    /** Fails waiting requests, ends running ones, waits for the loop to free the model. Idempotent. */
    void close();

    /** @return the context window of one sequence */
    int contextSize();

    /** @return sequences decoded together */
    int parallel();
}
