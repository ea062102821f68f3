package io.autoglm.server.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The server's Micrometer meters (Prometheus names in docs/server.md). */
final class ServerMetrics {
    final PrometheusMeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> ttft = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> itl = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> promptTokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> generatedTokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    final AtomicInteger activeStreams = new AtomicInteger();
    final AtomicInteger activeRequests = new AtomicInteger();

    ServerMetrics(PrometheusMeterRegistry registry, ResponseCache cache) {
        this.registry = registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder("autoglm.server.active.streams", activeStreams, AtomicInteger::get)
                .description("SSE streams being written").register(this.registry);
        Gauge.builder("autoglm.server.active.requests", activeRequests, AtomicInteger::get)
                .description("requests being served").register(this.registry);
        if (cache.enabled()) {
            io.micrometer.core.instrument.FunctionCounter.builder("autoglm.server.response.cache.requests", cache,
                    c -> c.hits.sum()).tag("result", "hit").description("response cache lookups").register(this.registry);
            io.micrometer.core.instrument.FunctionCounter.builder("autoglm.server.response.cache.requests", cache,
                    c -> c.misses.sum()).tag("result", "miss").description("response cache lookups").register(this.registry);
            Gauge.builder("autoglm.server.response.cache.hit.ratio", cache, c -> {
                double h = c.hits.sum();
                double all = h + c.misses.sum();
                return all == 0 ? 0 : h / all;
            }).description("response cache hits / lookups").register(this.registry);
            Gauge.builder("autoglm.server.response.cache.bytes", cache, c -> c.weightedBytes())
                    .description("approximate bytes held by the response cache").register(this.registry);
            Gauge.builder("autoglm.server.response.cache.entries", cache, c -> c.size()).register(this.registry);
        }
    }

    private final java.util.Set<String> modelGauges = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicReference<io.autoglm.LanguageModel>> current =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> routed = new ConcurrentHashMap<>();

    /** The model now served under an id; a closed one reads as NaN until the next is published. */
    private record LiveModel(java.util.concurrent.atomic.AtomicReference<io.autoglm.LanguageModel> ref) {
        double read(java.util.function.ToDoubleFunction<io.autoglm.ModelStats> f) {
            try {
                return f.applyAsDouble(ref.get().stats());
            } catch (IllegalStateException closed) {
                return Double.NaN;
            }
        }
    }

    /** Counts a request that {@code model: "auto"} (or another routing name) sent to a model for a task. */
    void routed(String model, String task) {
        routed.computeIfAbsent(model + '\0' + task, x -> Counter.builder("autoglm.server.routed.requests")
                .tags("model", model, "task", task).description("requests routed to a model by task recognition")
                .register(registry)).increment();
    }

    /** Publishes the engine's own statistics ({@code LanguageModel.stats()}) of a model, once per model id. */
    void model(String id, io.autoglm.LanguageModel model) {
        java.util.concurrent.atomic.AtomicReference<io.autoglm.LanguageModel> ref =
                current.computeIfAbsent(id, x -> new java.util.concurrent.atomic.AtomicReference<>());
        ref.set(model); // a reloaded registry may serve another model under the same id: the meters follow it
        if (!modelGauges.add(id)) {
            return;
        }
        LiveModel m = new LiveModel(ref);
        gauge("autoglm.model.queued.requests", id, m, s -> s.queuedRequests(), "requests waiting to be admitted");
        gauge("autoglm.model.busy.sequences", id, m, s -> s.busySequences(), "sequences being prefilled or generating");
        gauge("autoglm.model.parallel", id, m, s -> s.parallel(), "sequences decoded together at most");
        gauge("autoglm.model.kv.cells.used", id, m, s -> s.kvCellsUsed(), "KV cache cells in use");
        gauge("autoglm.model.kv.cells.capacity", id, m, s -> s.kvCellsTotal(), "KV cache cells in all");
        gauge("autoglm.model.kv.usage.ratio", id, m, s -> s.kvCellsTotal() == 0 ? 0 : (double) s.kvCellsUsed() / s.kvCellsTotal(),
                "KV cache cells used / total");
        gauge("autoglm.model.prefix.cache.hit.ratio", id, m,
                s -> s.prefixCacheLookups() == 0 ? 0 : (double) s.prefixCacheHits() / s.prefixCacheLookups(),
                "requests that reused a cached prompt prefix / lookups");
        gauge("autoglm.model.prompt.tokens.per.second", id, m, s -> s.promptTokensPerSecond(), "prompt tokens evaluated per second, recently");
        gauge("autoglm.model.generated.tokens.per.second", id, m, s -> s.generatedTokensPerSecond(), "tokens generated per second, recently");
        counter("autoglm.model.prefix.cache.hits", id, m, s -> s.prefixCacheHits(), "requests that reused a cached prompt prefix");
        counter("autoglm.model.prefix.cache.lookups", id, m, s -> s.prefixCacheLookups(), "prefix cache lookups");
        counter("autoglm.model.cached.prompt.tokens", id, m, s -> s.cachedPromptTokens(), "prompt tokens reused from the prefix cache");
        counter("autoglm.model.preemptions", id, m, s -> s.preemptions(), "sequences pre-empted because the KV cache was full");
        for (io.autoglm.ModelStats.Outcome o : io.autoglm.ModelStats.Outcome.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("autoglm.model.requests", m, x -> x.read(s -> s.requests(o)))
                    .tags("model", id, "outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                    .description("engine requests by outcome (rejected = queue full)").register(registry);
        }
    }

    private void gauge(String name, String id, LiveModel m, java.util.function.ToDoubleFunction<io.autoglm.ModelStats> f,
            String description) {
        Gauge.builder(name, m, x -> x.read(f)).tag("model", id).description(description).register(registry);
    }

    private void counter(String name, String id, LiveModel m, java.util.function.ToDoubleFunction<io.autoglm.ModelStats> f,
            String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, m, x -> x.read(f)).tag("model", id)
                .description(description).register(registry);
    }

    void request(String route, String model, int status, long nanos) {
        String k = route + '|' + model + '|' + status;
        requests.computeIfAbsent(k, x -> Counter.builder("autoglm.server.requests").description("HTTP requests served")
                .tags("route", route, "model", model, "status", Integer.toString(status)).register(registry)).increment();
        latency.computeIfAbsent(route + '|' + model, x -> Timer.builder("autoglm.server.request.duration")
                .description("time from request to the end of the response").tags("route", route, "model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void timeToFirstToken(String model, long nanos) {
        ttft.computeIfAbsent(model, x -> Timer.builder("autoglm.server.time.to.first.token").tags("model", model)
                .description("time from request to the first generated token of a stream")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void interTokenLatency(String model, long nanos) {
        itl.computeIfAbsent(model, x -> Timer.builder("autoglm.server.inter.token.latency").tags("model", model)
                .description("time between successive tokens of a stream")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void tokens(String model, int prompt, int generated) {
        promptTokens.computeIfAbsent(model, x -> Counter.builder("autoglm.server.prompt.tokens").tags("model", model)
                .description("prompt tokens of answered requests").register(registry)).increment(prompt);
        generatedTokens.computeIfAbsent(model, x -> Counter.builder("autoglm.server.generated.tokens").tags("model", model)
                .description("tokens generated for answered requests").register(registry)).increment(generated);
    }

    void rejected(String reason) {
        rejected.computeIfAbsent(reason, x -> Counter.builder("autoglm.server.rejected.requests").tags("reason", reason)
                .description("requests refused for limits (rate, queue, streams, size, shutdown)").register(registry)).increment();
    }


    String scrape() {
        return registry.scrape();
    }
}
