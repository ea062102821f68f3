package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import io.autoglm.ModelStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters read from {@link LanguageModel#stats()}, tagged {@code model=<name>}: gauges
 * {@code autoglm.requests.queued}, {@code autoglm.sequences.busy}, {@code autoglm.sequences.parallel},
 * {@code autoglm.kv.cells.used}, {@code autoglm.kv.cells.total}, {@code autoglm.prefix.cache.cells},
 * {@code autoglm.tokens.prompt.rate} and {@code autoglm.tokens.generated.rate} (tokens per second, recently); counters
 * {@code autoglm.tokens.prompt}, {@code autoglm.tokens.cached}, {@code autoglm.tokens.generated},
 * {@code autoglm.prefix.cache.hits}, {@code autoglm.prefix.cache.lookups}, {@code autoglm.preemptions},
 * {@code autoglm.decode.calls} and {@code autoglm.requests} (tagged {@code outcome}).
 */
public class AutoGlmMetrics implements MeterBinder {
    private final LanguageModel model;

    /** @param model the model to measure */
    public AutoGlmMetrics(LanguageModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("model", model.info().name());
        gauge(registry, tags, "autoglm.requests.queued", "requests waiting to be admitted", "requests", ModelStats::queuedRequests);
        gauge(registry, tags, "autoglm.sequences.busy", "sequences being prefilled or generating", "sequences", ModelStats::busySequences);
        gauge(registry, tags, "autoglm.sequences.parallel", "sequences decoded together at most", "sequences", ModelStats::parallel);
        gauge(registry, tags, "autoglm.kv.cells.used", "KV cache cells in use", "cells", ModelStats::kvCellsUsed);
        gauge(registry, tags, "autoglm.kv.cells.total", "KV cache cells in all", "cells", ModelStats::kvCellsTotal);
        gauge(registry, tags, "autoglm.prefix.cache.cells", "KV cells held only by cached prefixes", "cells", ModelStats::prefixCacheCells);
        gauge(registry, tags, "autoglm.tokens.prompt.rate", "prompt tokens evaluated per second, recently", "tokens/s",
                ModelStats::promptTokensPerSecond);
        gauge(registry, tags, "autoglm.tokens.generated.rate", "tokens generated per second, recently", "tokens/s",
                ModelStats::generatedTokensPerSecond);
        counter(registry, tags, "autoglm.tokens.prompt", "prompt tokens evaluated", "tokens", ModelStats::promptTokens);
        counter(registry, tags, "autoglm.tokens.cached", "prompt tokens reused from the prefix cache", "tokens",
                ModelStats::cachedPromptTokens);
        counter(registry, tags, "autoglm.tokens.generated", "tokens generated", "tokens", ModelStats::generatedTokens);
        counter(registry, tags, "autoglm.prefix.cache.hits", "requests that reused a cached prefix", "requests",
                ModelStats::prefixCacheHits);
        counter(registry, tags, "autoglm.prefix.cache.lookups", "requests that looked for a cached prefix", "requests",
                ModelStats::prefixCacheLookups);
        counter(registry, tags, "autoglm.preemptions", "sequences pre-empted because the KV cache was full", "sequences",
                ModelStats::preemptions);
        counter(registry, tags, "autoglm.decode.calls", "native decode calls", "calls", ModelStats::decodeCalls);
        for (ModelStats.Outcome outcome : ModelStats.Outcome.values()) {
            counter(registry, tags.and("outcome", outcome.name().toLowerCase(Locale.ROOT)), "autoglm.requests",
                    "finished requests by outcome", "requests", s -> s.requests(outcome));
        }
    }

    private void gauge(MeterRegistry registry, Tags tags, String name, String description, String unit, ToDoubleFunction<ModelStats> f) {
        Gauge.builder(name, model, m -> read(m, f)).tags(tags).description(description).baseUnit(unit).register(registry);
    }

    private void counter(MeterRegistry registry, Tags tags, String name, String description, String unit, ToDoubleFunction<ModelStats> f) {
        FunctionCounter.builder(name, model, m -> read(m, f)).tags(tags).description(description).baseUnit(unit).register(registry);
    }

    /** A closed model reports NaN rather than failing the registry's scrape. */
    private static double read(LanguageModel m, ToDoubleFunction<ModelStats> f) {
        try {
            return f.applyAsDouble(m.stats());
        } catch (IllegalStateException closed) {
            return Double.NaN;
        }
    }
}
