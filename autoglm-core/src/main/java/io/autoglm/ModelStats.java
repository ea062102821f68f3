package io.autoglm;

/**
 * A snapshot of how a model is serving: queue, sequences, KV cache, prefix cache, token counts and
 * rates, requests by outcome. Cheap to take from any thread ({@link LanguageModel#stats()}); the
 * counters are totals since the model was loaded, the rates cover the last few seconds.
 */
public interface ModelStats {
    /** How a finished request ended, for {@link #requests(Outcome)}. */
    enum Outcome {
        /** Ended normally: end-of-generation, stop string or length limit (and every embedding or evaluation). */
        COMPLETED,
        /** Cancelled by its caller (cancel, stream close, listener, interrupt). */
        CANCELLED,
        /** Failed with an exception (bad grammar, prompt too long, model closed while running, ...). */
        FAILED,
        /** Rejected at once because the request queue was full. */
        REJECTED
    }

    /** @return requests waiting to be admitted */
    int queuedRequests();

    /** @return sequences currently being prefilled or generating */
    int busySequences();

    /** @return how many sequences are decoded together at most ({@code AutoGLM.Builder.parallel}) */
    int parallel();

    /** @return KV cache cells in use (by running sequences and the prefix cache) */
    long kvCellsUsed();

    /** @return KV cache cells in all */
    long kvCellsTotal();

    /** @return KV cells held only by cached prefixes (reclaimable when space is needed) */
    long prefixCacheCells();

    /** @return requests that reused a cached prefix of at least one token */
    long prefixCacheHits();

    /** @return requests that looked for a cached prefix (hits plus misses) */
    long prefixCacheLookups();

    /** @return prompt tokens reused from the prefix cache instead of evaluated, in all */
    long cachedPromptTokens();

    /** @return prompt tokens evaluated, in all (cached ones not counted) */
    long promptTokens();

    /** @return tokens generated, in all */
    long generatedTokens();

    /** @return prompt tokens evaluated per second, recently */
    double promptTokensPerSecond();

    /** @return tokens generated per second, recently */
    double generatedTokensPerSecond();

    /** @return sequences pre-empted (their cells freed and recomputed later) because the KV cache was full */
    long preemptions();

    /** @return native decode calls made */
    long decodeCalls();

    /**
     * @param outcome an outcome
     * @return requests that ended that way
     */
    long requests(Outcome outcome);
}
