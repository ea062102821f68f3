package io.autoglm.engine;

import io.autoglm.ModelStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * The counters behind {@link io.autoglm.LanguageModel#stats()}. The decode thread writes them
 * (plain volatile writes, one writer), callers on any thread read a {@link #snapshot()}.
 */
final class EngineStats {
    private final int parallel;
    private final IntSupplier queued;
    volatile int busy;
    volatile long kvUsed;
    volatile long kvTotal;
    volatile long prefixCells;
    volatile long prefixHits;
    volatile long prefixLookups;
    volatile long cachedPromptTokens;
    volatile long promptTokens;
    volatile long generatedTokens;
    volatile long preemptions;
    volatile long decodeCalls;
    private final AtomicLongArray outcomes = new AtomicLongArray(ModelStats.Outcome.values().length);

    // rate window, decode thread only, published through the volatile rates
    private static final long WINDOW_NANOS = 5_000_000_000L;
    private long windowStart = System.nanoTime();
    private long windowPrompt;
    private long windowGenerated;
    private volatile double promptRate;
    private volatile double generatedRate;

    EngineStats(int parallel, long kvTotal, IntSupplier queued) {
        this.parallel = parallel;
        this.kvTotal = kvTotal;
        this.queued = queued;
    }

    void outcome(ModelStats.Outcome o) {
        outcomes.incrementAndGet(o.ordinal());
    }

    /** Decode thread: counts tokens and refreshes the rates every few seconds. */
    void tokens(int prompt, int generated, long nowNanos) {
        if (prompt > 0) {
            promptTokens += prompt;
        }
        if (generated > 0) {
            generatedTokens += generated;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            promptRate = (promptTokens - windowPrompt) * 1e9 / elapsed;
            generatedRate = (generatedTokens - windowGenerated) * 1e9 / elapsed;
            windowStart = nowNanos;
            windowPrompt = promptTokens;
            windowGenerated = generatedTokens;
        }
    }

    /** Decode thread, when idle: rates fall to zero rather than freezing at the last busy value. */
    void idle(long nowNanos) {
        tokens(0, 0, nowNanos);
    }

    ModelStats snapshot() {
        Map<ModelStats.Outcome, Long> byOutcome = new EnumMap<>(ModelStats.Outcome.class);
        for (ModelStats.Outcome o : ModelStats.Outcome.values()) {
            byOutcome.put(o, outcomes.get(o.ordinal()));
        }
        return new Snapshot(queued.getAsInt(), busy, parallel, kvUsed, kvTotal, prefixCells, prefixHits, prefixLookups,
                cachedPromptTokens, promptTokens, generatedTokens, promptRate, generatedRate, preemptions, decodeCalls,
                byOutcome);
    }

    /** An immutable {@link ModelStats}. */
    private record Snapshot(int queuedRequests, int busySequences, int parallel, long kvCellsUsed, long kvCellsTotal,
            long prefixCacheCells, long prefixCacheHits, long prefixCacheLookups, long cachedPromptTokens, long promptTokens,
            long generatedTokens, double promptTokensPerSecond, double generatedTokensPerSecond, long preemptions,
            long decodeCalls, Map<ModelStats.Outcome, Long> byOutcome) implements ModelStats {
        @Override
        public long requests(Outcome outcome) {
            return byOutcome.get(java.util.Objects.requireNonNull(outcome, "outcome"));
        }
    }
}
