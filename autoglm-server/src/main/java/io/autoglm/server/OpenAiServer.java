package io.autoglm.server;

import io.autoglm.LanguageModel;
import io.autoglm.server.internal.HttpApi;
import io.autoglm.server.internal.Settings;
import io.autoglm.server.openai.SchemaCompiler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * An OpenAI-compatible HTTP server for loaded models: {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings}, {@code /v1/models}, plus {@code /health},
 * {@code /ready}, {@code /metrics}, {@code /tokenize} and {@code /detokenize}. Closing it drains
 * running requests (up to {@link Builder#shutdownTimeout}); it never closes the models.
 *
 * <pre>{@code
 * try (LanguageModel model = AutoGLM.builder().model(Path.of("stories260K.gguf")).build();
 *         OpenAiServer server = OpenAiServer.builder()
 *                 .model(ServedModel.builder("stories", model).chatTemplate("chatml").build())
 *                 .apiKey("sk-local-secret")
 *                 .port(8080)
 *                 .build().start()) {
 *     System.out.println("serving on " + server.url());
 *     server.awaitShutdown();
 * }
 * }</pre>
 */
public final class OpenAiServer implements AutoCloseable {
    private final HttpApi api;
    private final String host;
    private final Object stopped = new Object();
    private volatile boolean closed;

    private OpenAiServer(Settings settings) {
        this.api = new HttpApi(settings);
        this.host = settings.host();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening.
     *
     * @return this
     * @throws IllegalStateException when already started or closed
     */
    public OpenAiServer start() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
        api.start();
        return this;
    }

    /**
     * Replaces the accepted API keys while the server runs (e.g. on a configuration reload); their request and token
     * buckets start afresh, and requests already admitted go on.
     *
     * @param keys the keys to accept from now on; empty = every request is let in
     */
    public void apiKeys(Collection<ApiKey> keys) {
        Objects.requireNonNull(keys, "keys");
        api.apiKeys(List.copyOf(keys));
    }

    /** @return the port listened on (the one picked when the builder said 0) */
    public int port() {
        return api.port();
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8080} (an OpenAI client's base URL is this plus {@code /v1}) */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            h = "127.0.0.1";
        }
        return "http://" + h + ":" + port();
    }

    /** @return true while listening */
    public boolean isRunning() {
        return api.isRunning();
    }

    /**
     * Blocks until {@link #close()} has finished (from another thread or a shutdown hook).
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitShutdown() throws InterruptedException {
        synchronized (stopped) {
            while (!closed) {
                stopped.wait();
            }
        }
    }

    /**
     * Stops accepting requests (new ones get 503), lets running ones finish until the shutdown
     * timeout, cancels the rest, and stops listening. The models stay open. Idempotent.
     */
    @Override
    public void close() {
        api.close();
        synchronized (stopped) {
            closed = true;
            stopped.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "OpenAiServer[" + (api.isRunning() ? url() : "not running") + "]";
    }

    /** Builder; setters validate at once. */
    public static final class Builder {
        private final List<ServedModel> models = new ArrayList<>();
        private ModelRegistry registry;
        private final List<ApiKey> keys = new ArrayList<>();
        private String host = "127.0.0.1";
        private int port = 8080;
        private long maxBodyBytes = 8L << 20;
        private int maxPromptTokens;
        private Duration requestTimeout = Duration.ofMinutes(10);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private long cacheBytes = 64L << 20;
        private Duration cacheTtl = Duration.ofMinutes(10);
        private boolean metricsOpen;
        private int streamBuffer = 4096;
        private SchemaCompiler schemaCompiler = SchemaCompiler.standard();
        private PrometheusMeterRegistry meters;

        private Builder() {
        }

        /**
         * @param name the name requests use
         * @param model a loaded model (not closed by the server)
         * @return this
         */
        public Builder model(String name, LanguageModel model) {
            return model(ServedModel.of(name, model));
        }

        /** @param v a model with its aliases and options @return this */
        public Builder model(ServedModel v) {
            models.add(Objects.requireNonNull(v, "model"));
            return this;
        }

        /** @param v where to find models (instead of {@link #model}); for on-demand loading and routing @return this */
        public Builder registry(ModelRegistry v) {
            registry = Objects.requireNonNull(v, "registry");
            return this;
        }

        /** @param secret a key clients send as {@code Authorization: Bearer KEY}; with no key every request is let in @return this */
        public Builder apiKey(String secret) {
            return apiKey(ApiKey.of(secret));
        }

        /** @param v a key with its limits @return this */
        public Builder apiKey(ApiKey v) {
            keys.add(Objects.requireNonNull(v, "apiKey"));
            return this;
        }

        /** @param v keys to accept (added) @return this */
        public Builder apiKeys(Collection<ApiKey> v) {
            Objects.requireNonNull(v, "apiKeys").forEach(this::apiKey);
            return this;
        }

        /** @param v address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} for every interface) @return this */
        public Builder host(String v) {
            Objects.requireNonNull(v, "host");
            if (v.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            host = v;
            return this;
        }

        /** @param v port, 0..65535; 0 picks a free one (default 8080) @return this */
        public Builder port(int v) {
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], was " + v);
            }
            port = v;
            return this;
        }

        /** @param v largest request body in bytes, 1 KiB..1 GiB (default 8 MiB); larger bodies get 413 @return this */
        public Builder maxBodyBytes(long v) {
            if (v < 1024 || v > 1L << 30) {
                throw new IllegalArgumentException("maxBodyBytes must be in [1024, 1073741824], was " + v);
            }
            maxBodyBytes = v;
            return this;
        }

        /** @param v most prompt tokens per request, &gt;= 0; 0 = only the context limits it (default) @return this */
        public Builder maxPromptTokens(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxPromptTokens must be >= 0, was " + v);
            }
            maxPromptTokens = v;
            return this;
        }

        /** @param v most time one request may take, then it is cancelled (504), 1 ms..24 h (default 10 min) @return this */
        public Builder requestTimeout(Duration v) {
            requestTimeout = checkDuration("requestTimeout", v, Duration.ofMillis(1), Duration.ofHours(24));
            return this;
        }

        /** @param v how long {@link #close()} lets running requests finish before cancelling them, 0..1 h (default 30 s) @return this */
        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = checkDuration("shutdownTimeout", v, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * @param maxBytes response cache bound in bytes, &gt;= 0; 0 turns the cache off (default 64 MiB)
         * @return this
         */
        public Builder responseCache(long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("responseCache bytes must be >= 0, was " + maxBytes);
            }
            cacheBytes = maxBytes;
            return this;
        }

        /** @param v how long a cached answer is kept, 1 s..30 days (default 10 min) @return this */
        public Builder responseCacheTtl(Duration v) {
            cacheTtl = checkDuration("responseCacheTtl", v, Duration.ofSeconds(1), Duration.ofDays(30));
            return this;
        }

        /** @param v true to serve {@code /metrics} without a key (default: behind the keys like the API) @return this */
        public Builder metricsOpen(boolean v) {
            metricsOpen = v;
            return this;
        }

        /**
         * @param v tokens buffered per stream for a slow reader, 16..1,000,000 (default 4096); a reader that falls
         *     further behind has its stream cancelled
         * @return this
         */
        public Builder streamBuffer(int v) {
            if (v < 16 || v > 1_000_000) {
                throw new IllegalArgumentException("streamBuffer must be in [16, 1000000], was " + v);
            }
            streamBuffer = v;
            return this;
        }

        /**
         * @param v compiles JSON Schemas for {@code response_format: json_schema} and forced tool calls (default:
         *     {@link SchemaCompiler#standard()}; {@link SchemaCompiler#unavailable()} turns them off)
         * @return this
         */
        public Builder schemaCompiler(SchemaCompiler v) {
            schemaCompiler = Objects.requireNonNull(v, "schemaCompiler");
            return this;
        }

        /** @param v the host application's registry to publish the server's meters in (default: a registry of its own) @return this */
        public Builder meterRegistry(PrometheusMeterRegistry v) {
            meters = Objects.requireNonNull(v, "meterRegistry");
            return this;
        }

        private static Duration checkDuration(String what, Duration v, Duration min, Duration max) {
            Objects.requireNonNull(v, what);
            if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], was " + v);
            }
            return v;
        }

        /**
         * @return the server, not yet listening ({@link OpenAiServer#start()})
         * @throws IllegalStateException when no model or registry was given, or both
         */
        public OpenAiServer build() {
            if (registry != null && !models.isEmpty()) {
                throw new IllegalStateException("give models with model(...) or a registry(...), not both");
            }
            if (registry == null && models.isEmpty()) {
                throw new IllegalStateException("no model to serve: call model(name, languageModel) or registry(...)");
            }
            ModelRegistry r = registry != null ? registry : ModelRegistry.of(models);
            return new OpenAiServer(new Settings(r, List.copyOf(keys), host, port, maxBodyBytes, maxPromptTokens,
                    requestTimeout, shutdownTimeout, cacheBytes, cacheTtl, metricsOpen, streamBuffer, schemaCompiler, meters));
        }
    }
}
