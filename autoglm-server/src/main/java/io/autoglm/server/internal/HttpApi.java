package io.autoglm.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.Completion;
import io.autoglm.server.ModelUnavailableException;
import io.autoglm.server.ServedModel;
import io.autoglm.server.openai.ChatCompletion;
import io.autoglm.server.openai.ChatCompletionChunk;
import io.autoglm.server.openai.ChatCompletionRequest;
import io.autoglm.server.openai.CompletionsRequest;
import io.autoglm.server.openai.EmbeddingList;
import io.autoglm.server.openai.EmbeddingsRequest;
import io.autoglm.server.openai.Generation;
import io.autoglm.server.openai.ModelList;
import io.autoglm.server.openai.OpenAiException;
import io.autoglm.server.openai.OpenAiJson;
import io.autoglm.server.openai.OpenAiService;
import io.autoglm.server.openai.RequestParser;
import io.autoglm.server.openai.TextCompletion;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer: Helidon routes for every endpoint, each wrapped with authentication, limits, error
 * mapping and metrics; the response cache; SSE writing from a {@link Generation}'s bounded buffer;
 * and the graceful shutdown that drains running requests.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final HeaderName CACHE_HEADER = HeaderNames.create("X-AutoGLM-Cache");
    private static final HeaderName ROUTE_HEADER = HeaderNames.create("X-AutoGLM-Route");
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");
    private static final String JSON = "application/json";
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Settings settings;
    private volatile Gate gate;
    private final ResponseCache cache;
    private final ServerMetrics metrics;
    private final OpenAiService service;
    private final Set<Generation> running = ConcurrentHashMap.newKeySet();
    private final long timeoutMillis;
    private volatile boolean draining;
    private WebServer server;

    /** @param settings the configuration */
    public HttpApi(Settings settings) {
        this.settings = settings;
        this.gate = new Gate(settings.keys());
        this.cache = new ResponseCache(settings.cacheBytes(), settings.cacheTtl());
        this.metrics = new ServerMetrics(settings.meters(), cache);
        this.service = OpenAiService.builder().schemaCompiler(settings.schemaCompiler())
                .maxPromptTokens(settings.maxPromptTokens()).build();
        this.timeoutMillis = settings.requestTimeout().toMillis();
        settings.registry().models().forEach(m -> metrics.model(m.id(), m.model()));
    }

    /**
     * Replaces the accepted API keys (their rate buckets start afresh); requests already admitted are not affected.
     *
     * @param keys the new keys; empty = no authentication
     */
    public void apiKeys(List<io.autoglm.server.ApiKey> keys) {
        gate = new Gate(keys);
    }

    /** Starts listening. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .maxPayloadSize(settings.maxBodyBytes())
                .directHandlers(DirectHandlers.builder()
                        .addHandler(DirectHandler.EventType.BAD_REQUEST, this::direct)
                        .addHandler(DirectHandler.EventType.PAYLOAD_TOO_LARGE, this::direct)
                        .addHandler(DirectHandler.EventType.INTERNAL_ERROR, this::direct)
                        .addHandler(DirectHandler.EventType.OTHER, this::direct)
                        .build())
                .routing(this::routes)
                .build()
                .start();
        LOG.info("OpenAI-compatible server listening on http://{}:{} with models {}", settings.host(), server.port(),
                settings.registry().models().stream().map(ServedModel::id).toList());
    }

    /** @return the bound port */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.port();
    }

    /** @return whether the server is listening */
    public boolean isRunning() {
        return server != null && server.isRunning();
    }

    /**
     * Refuses new requests (503), lets running ones finish until the shutdown timeout, cancels the
     * rest, and stops listening. Idempotent.
     */
    public void close() {
        WebServer s;
        synchronized (this) {
            s = server;
            if (s == null || draining) {
                draining = true;
                return;
            }
            draining = true;
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        while (metrics.activeRequests.get() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        if (metrics.activeRequests.get() > 0) {
            LOG.warn("shutdown: {} requests still running after {}; cancelling them", metrics.activeRequests.get(),
                    settings.shutdownTimeout());
            running.forEach(Generation::cancel);
            long cancelDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (metrics.activeRequests.get() > 0 && System.nanoTime() < cancelDeadline) {
                sleep(10);
            }
        }
        s.stop();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- routing ---------------------------------------------------------------------------------

    private void routes(HttpRouting.Builder r) {
        r.post("/v1/chat/completions", wrap("chat", this::chat));
        r.post("/v1/completions", wrap("completions", this::completions));
        r.post("/v1/embeddings", wrap("embeddings", this::embeddings));
        r.get("/v1/models", wrap("models", this::models));
        r.get("/v1/models/{id}", wrap("model", this::model));
        r.post("/tokenize", wrap("tokenize", this::tokenize));
        r.post("/detokenize", wrap("detokenize", this::detokenize));
        r.get("/health", wrap("health", (req, res, c) -> sendJson(res, 200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8))));
        r.get("/ready", wrap("ready", this::ready));
        r.get("/metrics", wrap("metrics", this::metricsPage));
        for (String p : List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/models/{id}",
                "/tokenize", "/detokenize", "/health", "/ready", "/metrics")) {
            r.any(p, wrap("other", (req, res, c) -> {
                throw new OpenAiException(405, "invalid_request_error", null, "method_not_allowed",
                        req.prologue().method().text() + " is not allowed on " + req.path().path(), 0);
            }));
        }
        r.any(wrap("other", (req, res, c) -> {
            throw new OpenAiException(404, "invalid_request_error", null, "unknown_url",
                    "Unknown request URL: " + req.prologue().method().text() + " " + req.path().path(), 0);
        }));
        r.error(Throwable.class, (req, res, t) -> {
            LOG.error("unhandled failure on {} {}", req.prologue().method().text(), req.path().path(), t);
            sendError(res, internal());
        });
    }

    /** What one request learns on its way (for metrics). */
    private static final class Call {
        String model = "";
        int status = 200;
        final List<ServedModel> used = new ArrayList<>(1);
        io.autoglm.server.RoutedModel routed;
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(ServerRequest req, ServerResponse res, Call call) throws Exception;
    }

    /** Wraps an endpoint (which authenticates itself where it needs a key) with error mapping, metrics and the drain check. */
    private Handler wrap(String route, Endpoint endpoint) {
        return (req, res) -> {
            long t0 = System.nanoTime();
            Call call = new Call();
            metrics.activeRequests.incrementAndGet();
            try {
                if (draining && !"health".equals(route)) {
                    metrics.rejected("shutdown");
                    throw OpenAiException.unavailable("shutting_down", "the server is shutting down; retry on another instance");
                }
                endpoint.handle(req, res, call);
            } catch (OpenAiException e) {
                if (e.status() == 429) {
                    metrics.rejected("queue_full".equals(e.code()) ? "queue_full" : "rate_limit");
                }
                if (e.status() >= 500 && e.status() != 503) {
                    LOG.warn("{} {}: {}", req.prologue().method().text(), req.path().path(), e.getMessage());
                }
                call.status = e.status();
                sendError(res, e);
            } catch (Exception e) {
                LOG.error("{} {} failed", req.prologue().method().text(), req.path().path(), e);
                call.status = 500;
                sendError(res, internal());
            } finally {
                for (ServedModel m : call.used) {
                    try {
                        settings.registry().release(m);
                    } catch (RuntimeException e) {
                        LOG.warn("the model registry failed to release {}: {}", m, e.toString());
                    }
                }
                metrics.activeRequests.decrementAndGet();
                metrics.request(route, call.model, call.status, System.nanoTime() - t0);
            }
        };
    }

    private static OpenAiException internal() {
        return new OpenAiException(500, "server_error", null, "internal_error",
                "The server had an error while processing your request; its log has the detail", 0);
    }

    private DirectHandler.TransportResponse direct(DirectHandler.TransportRequest req, DirectHandler.EventType type,
            Status status, io.helidon.http.ServerResponseHeaders headers, String message) {
        boolean tooLarge = type == DirectHandler.EventType.PAYLOAD_TOO_LARGE || status.code() == 413;
        OpenAiException e;
        if (tooLarge) {
            e = tooLarge();
        } else if (status.code() == 400 || type == DirectHandler.EventType.BAD_REQUEST) {
            e = OpenAiException.invalid(null, "malformed HTTP request: " + (message == null ? status.reasonPhrase() : message));
        } else if (status.code() < 500) {
            e = new OpenAiException(status.code(), "invalid_request_error", null, null, status.reasonPhrase(), 0);
        } else {
            LOG.warn("HTTP layer failure {} {}: {}", status.code(), type, message);
            e = internal();
        }
        if (tooLarge) {
            metrics.rejected("body_size");
        }
        return DirectHandler.TransportResponse.builder()
                .status(Status.create(e.status()))
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .entity(OpenAiJson.bytes(e.toResponse()))
                .keepAlive(false)
                .build();
    }

    private OpenAiException tooLarge() {
        return new OpenAiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than this server's limit of " + settings.maxBodyBytes() + " bytes", 0);
    }

    // ---- shared steps ----------------------------------------------------------------------------

    private Gate.KeyState auth(ServerRequest req) {
        return gate.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    }

    private JsonNode body(ServerRequest req) throws IOException {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > settings.maxBodyBytes()) {
            metrics.rejected("body_size");
            throw tooLarge();
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBodyBytes() + 1));
        }
        if (bytes.length > settings.maxBodyBytes()) {
            metrics.rejected("body_size");
            throw tooLarge();
        }
        return RequestParser.readObject(bytes);
    }

    private ServedModel resolve(String name, Gate.KeyState key, Call call) {
        if (settings.registry().routes(name)) {
            throw OpenAiException.invalid("model", "model '" + name + "' chooses a model by the request's text, which only "
                    + "chat and completions requests have; name a model here");
        }
        return resolve(name, key, call, null);
    }

    /**
     * Finds the named model, or lets the registry route a routing name such as {@code auto} by the request's text.
     *
     * @param text the request's text for routing (null: this endpoint does not route)
     */
    private ServedModel resolve(String name, Gate.KeyState key, Call call, java.util.function.Supplier<String> text) {
        ServedModel m;
        try {
            if (text != null && settings.registry().routes(name)) {
                io.autoglm.server.RoutedModel r;
                try {
                    r = settings.registry().route(name, text.get(), s -> key == null || key.key.allows(s.id()));
                } catch (IllegalStateException e) {
                    throw new OpenAiException(404, "invalid_request_error", "model", "model_not_found",
                            "model '" + name + "' found no model to route to: " + e.getMessage(), 0);
                }
                m = r.model();
                call.used.add(m);
                call.routed = r;
                metrics.routed(m.id(), r.decision().task());
            } else {
                m = settings.registry().find(name).orElseThrow(() -> OpenAiException.modelNotFound(name));
                call.used.add(m);
            }
        } catch (ModelUnavailableException e) {
            throw new OpenAiException(503, "server_error", "model", "model_loading", e.getMessage(), e.retryAfterSeconds());
        }
        if (key != null && !key.key.allows(m.id())) {
            throw OpenAiException.modelNotFound(name);
        }
        call.model = m.id();
        metrics.model(m.id(), m.model());
        return m;
    }

    /** Says which model a routed request went to, and why, in a header (every routed answer, streams too). */
    private static void routeHeader(ServerResponse res, Call call) {
        if (call.routed != null) {
            io.autoglm.routing.RoutingDecision d = call.routed.decision();
            res.header(ROUTE_HEADER, String.format(java.util.Locale.ROOT, "%s; task=%s; confidence=%.2f; score=%.3f",
                    call.routed.model().id(), d.task(), d.prediction().confidence(), d.score()));
        }
    }

    /** Adds a {@code routing} object to a routed answer's JSON (the answer is unchanged otherwise). */
    private static byte[] withRouting(byte[] json, Call call) {
        if (call.routed == null) {
            return json;
        }
        io.autoglm.routing.RoutingDecision d = call.routed.decision();
        try {
            com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode)
                    OpenAiJson.mapper().readTree(json);
            com.fasterxml.jackson.databind.node.ObjectNode r = n.putObject("routing");
            r.put("model", call.routed.model().id());
            r.put("task", d.task());
            r.put("confidence", round(d.prediction().confidence()));
            r.put("score", round(d.score()));
            r.put("reason", d.reason());
            r.put("millis", round(d.nanos() / 1e6));
            com.fasterxml.jackson.databind.node.ArrayNode c = r.putArray("candidates");
            for (io.autoglm.routing.RoutingDecision.Candidate x : d.candidates()) {
                c.addObject().put("model", x.model()).put("score", round(x.score())).put("fit", round(x.fit()));
            }
            return OpenAiJson.mapper().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** @return the text a chat is routed by: its last user message (else the last message with content) */
    private static String routingText(List<ChatCompletionRequest.Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatCompletionRequest.Message m = messages.get(i);
            if ("user".equals(m.role()) && m.content() != null) {
                return m.content();
            }
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).content() != null) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    private boolean cacheWanted(ServerRequest req, boolean deterministic) {
        if (!cache.enabled() || !deterministic) {
            return false;
        }
        String cc = req.headers().first(HeaderNames.CACHE_CONTROL).orElse("");
        return !(cc.contains("no-cache") || cc.contains("no-store"));
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    // ---- endpoints -------------------------------------------------------------------------------

    private void chat(ServerRequest req, ServerResponse res, Call call) throws Exception {
        Gate.KeyState key = auth(req);
        ChatCompletionRequest r = RequestParser.chat(body(req));
        ServedModel m = resolve(r.model(), key, call, () -> routingText(r.messages()));
        routeHeader(res, call);
        Gate.admitRequest(key);
        String cacheKey = cacheWanted(req, r.params().deterministic())
                ? ResponseCache.key("chat", m.id(), new ChatCompletionRequest(m.id(), r.messages(), r.params(), false,
                        false, r.tools(), r.toolChoice(), r.responseFormat(), null))
                : null;
        if (answeredFromCache(res, call, cacheKey, r.stream(),
                hit -> OpenAiService.replay((ChatCompletion) hit, r.includeUsage()))) {
            return;
        }
        OpenAiService.PreparedChat chat = service.prepareChat(r, m.id(), m.model(), m.chatTemplate());
        if (r.stream()) {
            Gate.openStream(key);
            try {
                streamChat(res, chat, key, cacheKey, m.id());
            } finally {
                Gate.closeStream(key);
            }
            return;
        }
        Completion[] done = runToEnd(chat.n(), chat::run, "messages");
        ChatCompletion answer = service.chatResult(chat, done);
        sendAnswer(res, call, key, m.id(), answer, answer.usage(), cacheKey, done);
    }

    private void completions(ServerRequest req, ServerResponse res, Call call) throws Exception {
        Gate.KeyState key = auth(req);
        CompletionsRequest r = RequestParser.completions(body(req));
        ServedModel m = resolve(r.model(), key, call, () -> r.prompts().isEmpty() || r.prompts().get(0).text() == null ? ""
                : r.prompts().get(0).text());
        routeHeader(res, call);
        Gate.admitRequest(key);
        String cacheKey = cacheWanted(req, r.params().deterministic())
                ? ResponseCache.key("completions", m.id(),
                        new CompletionsRequest(m.id(), r.prompts(), r.params(), false, false, r.echo(), null))
                : null;
        if (answeredFromCache(res, call, cacheKey, r.stream(),
                hit -> OpenAiService.replay((TextCompletion) hit, r.includeUsage()))) {
            return;
        }
        OpenAiService.PreparedCompletions p = service.prepareCompletions(r, m.id(), m.model());
        if (r.stream()) {
            Gate.openStream(key);
            try {
                streamCompletions(res, p, key, cacheKey, m.id());
            } finally {
                Gate.closeStream(key);
            }
            return;
        }
        Completion[] done = runToEnd(p.n(), p::run, "prompt");
        TextCompletion answer = service.completionsResult(p, done);
        sendAnswer(res, call, key, m.id(), answer, answer.usage(), cacheKey, done);
    }

    /**
     * Answers a request from the response cache when {@code cacheKey} (null: not cacheable) has an entry, streamed
     * as the replayed chunks when asked; sets the cache header (hit, miss or bypass) either way.
     *
     * @return true when the cache answered
     */
    private boolean answeredFromCache(ServerResponse res, Call call, String cacheKey, boolean stream,
            java.util.function.Function<Object, List<?>> replay) throws IOException {
        if (cacheKey == null) {
            if (cache.enabled()) {
                res.header(CACHE_HEADER, "bypass");
            }
            return false;
        }
        ResponseCache.Entry hit = cache.get(cacheKey);
        if (hit == null) {
            res.header(CACHE_HEADER, "miss");
            return false;
        }
        res.header(CACHE_HEADER, "hit");
        if (stream) {
            List<byte[]> events = new ArrayList<>();
            replay.apply(hit.value()).forEach(c -> events.add(OpenAiJson.bytes(c)));
            writeEvents(res, events);
        } else {
            sendJson(res, 200, withRouting(hit.json(), call));
        }
        return true;
    }

    /** Accounts a finished non-streamed answer, caches it when it may be and every choice completed, and sends it. */
    private void sendAnswer(ServerResponse res, Call call, Gate.KeyState key, String model, Object answer,
            io.autoglm.server.openai.Usage usage, String cacheKey, Completion[] done) {
        account(key, model, usage);
        byte[] json = OpenAiJson.bytes(answer);
        if (cacheKey != null && complete(done)) {
            cache.put(cacheKey, new ResponseCache.Entry(json, answer));
        }
        sendJson(res, 200, withRouting(json, call));
    }

    private void embeddings(ServerRequest req, ServerResponse res, Call call) throws Exception {
        Gate.KeyState key = auth(req);
        EmbeddingsRequest r = RequestParser.embeddings(body(req));
        ServedModel m = resolve(r.model(), key, call);
        Gate.admitRequest(key);
        EmbeddingList list = service.embeddings(r, m.id(), m.model());
        Gate.charge(key, list.usage().totalTokens());
        metrics.tokens(m.id(), list.usage().promptTokens(), 0);
        sendJson(res, 200, OpenAiJson.bytes(list));
    }

    private void models(ServerRequest req, ServerResponse res, Call call) {
        Gate.KeyState key = auth(req);
        List<ModelList.Model> data = new ArrayList<>();
        for (ServedModel m : settings.registry().models()) {
            if (key == null || key.key.allows(m.id())) {
                data.add(new ModelList.Model(m.id(), "model", m.created(), m.ownedBy()));
            }
        }
        sendJson(res, 200, OpenAiJson.bytes(new ModelList("list", data)));
    }

    private void model(ServerRequest req, ServerResponse res, Call call) {
        Gate.KeyState key = auth(req);
        ServedModel m = resolve(req.path().pathParameters().get("id"), key, call);
        sendJson(res, 200, OpenAiJson.bytes(new ModelList.Model(m.id(), "model", m.created(), m.ownedBy())));
    }

    private void tokenize(ServerRequest req, ServerResponse res, Call call) throws Exception {
        Gate.KeyState key = auth(req);
        RequestParser.TokenizeRequest r = RequestParser.tokenize(body(req));
        ServedModel m = resolve(r.model(), key, call);
        Gate.admitRequest(key);
        int[] tokens;
        try {
            tokens = m.model().tokenize(r.text(), r.addSpecial(), r.parseSpecial());
        } catch (RuntimeException e) {
            throw OpenAiService.toOpenAi(e, "content");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", tokens);
        out.put("count", tokens.length);
        out.put("model", m.id());
        sendJson(res, 200, OpenAiJson.bytes(out));
    }

    private void detokenize(ServerRequest req, ServerResponse res, Call call) throws Exception {
        Gate.KeyState key = auth(req);
        RequestParser.DetokenizeRequest r = RequestParser.detokenize(body(req));
        ServedModel m = resolve(r.model(), key, call);
        Gate.admitRequest(key);
        String text;
        try {
            text = m.model().detokenize(r.tokens());
        } catch (RuntimeException e) {
            throw OpenAiService.toOpenAi(e, "tokens");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("content", text);
        out.put("model", m.id());
        sendJson(res, 200, OpenAiJson.bytes(out));
    }

    private void ready(ServerRequest req, ServerResponse res, Call call) {
        if (draining) {
            throw OpenAiException.unavailable("shutting_down", "the server is shutting down");
        }
        if (!settings.registry().ready()) {
            throw OpenAiException.unavailable("model_loading", "models are still loading");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ready");
        out.put("models", settings.registry().models().stream().map(ServedModel::id).toList());
        sendJson(res, 200, OpenAiJson.bytes(out));
    }

    private void metricsPage(ServerRequest req, ServerResponse res, Call call) {
        if (!settings.metricsOpen()) {
            auth(req);
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    // ---- generation --------------------------------------------------------------------------------

    private Completion[] runToEnd(int n, Generation.ChoiceRunner run, String promptParam) throws InterruptedException {
        Completion[] done = new Completion[n];
        Generation g = Generation.start(n, false, 1, run);
        running.add(g);
        try {
            RuntimeException failure = g.drain(deadline(), n, e -> switch (e) {
                case Generation.Done d -> {
                    done[d.choice()] = d.completion();
                    yield null;
                }
                case Generation.Failed f -> f.error();
                case Generation.Token t -> null;
            });
            if (failure != null && !g.cancelled()) {
                throw OpenAiService.toOpenAi(failure, promptParam);
            }
            if (failure != null || !complete(done)) {
                throw draining ? OpenAiException.unavailable("shutting_down", "the server shut down while the request ran")
                        : OpenAiService.timeout(timeoutMillis);
            }
            return done;
        } catch (java.util.concurrent.TimeoutException e) {
            throw OpenAiService.timeout(timeoutMillis);
        } finally {
            g.close();
            running.remove(g);
        }
    }

    private static boolean complete(Completion[] done) {
        for (Completion c : done) {
            if (c == null || c.finishReason() == io.autoglm.FinishReason.CANCELLED) {
                return false;
            }
        }
        return true;
    }

    private void account(Gate.KeyState key, String model, io.autoglm.server.openai.Usage u) {
        Gate.charge(key, u.totalTokens());
        metrics.tokens(model, u.promptTokens(), u.completionTokens());
    }

    private void streamChat(ServerResponse res, OpenAiService.PreparedChat chat, Gate.KeyState key, String cacheKey, String model)
            throws InterruptedException {
        OpenAiService.ChatStreamer streamer = service.chatStreamer(chat);
        List<ChatCompletionChunk> out = new ArrayList<>();
        stream(res, chat.n(), chat::run, model, (e, sink) -> {
            out.clear();
            streamer.onEvent(e, out);
            for (ChatCompletionChunk c : out) {
                sink.add(OpenAiJson.bytes(c));
            }
            if (streamer.finished()) {
                ChatCompletion whole = streamer.result();
                account(key, model, whole.usage());
                if (chat.request().includeUsage()) {
                    sink.add(OpenAiJson.bytes(streamer.usageChunk()));
                }
                if (cacheKey != null && whole.choices().stream().noneMatch(c -> "cancelled".equals(c.finishReason()))) {
                    cache.put(cacheKey, new ResponseCache.Entry(OpenAiJson.bytes(whole), whole));
                }
            }
            return streamer.finished();
        });
    }

    private void streamCompletions(ServerResponse res, OpenAiService.PreparedCompletions p, Gate.KeyState key, String cacheKey,
            String model) throws InterruptedException {
        Completion[] done = new Completion[p.n()];
        int[] ended = {0};
        List<TextCompletion> out = new ArrayList<>();
        stream(res, p.n(), p::run, model, (e, sink) -> {
            out.clear();
            service.completionsEvent(p, e, out);
            for (TextCompletion c : out) {
                sink.add(OpenAiJson.bytes(c));
            }
            if (e instanceof Generation.Done d) {
                done[d.choice()] = d.completion();
                ended[0]++;
            }
            if (ended[0] == p.n()) {
                TextCompletion whole = service.completionsResult(p, done);
                account(key, model, whole.usage());
                if (p.request().includeUsage()) {
                    sink.add(OpenAiJson.bytes(service.completionsUsageChunk(p, done)));
                }
                if (cacheKey != null && complete(done)) {
                    cache.put(cacheKey, new ResponseCache.Entry(OpenAiJson.bytes(whole), whole));
                }
                return true;
            }
            return false;
        });
    }

    /** Maps one event to the events to write; returns true after the last. */
    @FunctionalInterface
    private interface EventWriter {
        boolean onEvent(Generation.Event e, List<byte[]> sink);
    }

    /**
     * Runs a generation and writes it as SSE. The first event is awaited before the headers go out, so
     * a request that fails at once (bad grammar, prompt too long, queue full) still gets a plain JSON
     * error with its status. Events waiting in the buffer are written together and flushed once (the
     * events are written on the response stream directly rather than through Helidon's SSE sink, which
     * flushes after every event: one write per token costs a system call per token).
     */
    private void stream(ServerResponse res, int n, Generation.ChoiceRunner run, String model, EventWriter writer)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = deadline();
        Generation g = Generation.start(n, true, settings.streamBuffer(), run);
        running.add(g);
        metrics.activeStreams.incrementAndGet();
        OutputStream os = null;
        List<byte[]> pending = new ArrayList<>();
        long lastToken = 0;
        boolean first = true;
        try {
            boolean finished = false;
            Generation.Event next = null;
            while (!finished) {
                Generation.Event e = next;
                next = null;
                if (e == null) {
                    long left = deadline - System.nanoTime();
                    e = left > 0 ? g.poll(left, TimeUnit.NANOSECONDS) : null;
                }
                if (e == null) {
                    g.cancel();
                    if (os == null) {
                        throw OpenAiService.timeout(timeoutMillis);
                    }
                    writeError(os, OpenAiService.timeout(timeoutMillis));
                    return;
                }
                if (g.overflowed()) {
                    metrics.rejected("slow_reader");
                    if (os != null) {
                        writeError(os, new OpenAiException(500, "server_error", null, "stream_overflow",
                                "the client read the stream too slowly (more than " + settings.streamBuffer()
                                + " tokens behind); the generation was cancelled", 0));
                    }
                    return;
                }
                if (ends(e)) {
                    OpenAiException err = e instanceof Generation.Failed f && !g.cancelled()
                            ? OpenAiService.toOpenAi(f.error(), "messages")
                            : draining ? OpenAiException.unavailable("shutting_down", "the server shut down during the request")
                            : OpenAiService.timeout(timeoutMillis);
                    if (os == null) {
                        throw err;
                    }
                    writeError(os, err);
                    return;
                }
                if (e instanceof Generation.Token t && t.choice() == 0) {
                    long now = System.nanoTime();
                    if (first) {
                        metrics.timeToFirstToken(model, now - t0);
                        first = false;
                    } else {
                        metrics.interTokenLatency(model, now - lastToken);
                    }
                    lastToken = now;
                }
                finished = writer.onEvent(e, pending);
                // take whatever else is ready, then write and flush once
                Generation.Event more;
                while (!finished && (more = g.pollNow()) != null) {
                    if (ends(more)) {
                        next = more;
                        break;
                    }
                    if (more instanceof Generation.Token t && t.choice() == 0) {
                        long now = System.nanoTime();
                        metrics.interTokenLatency(model, now - lastToken);
                        lastToken = now;
                    }
                    finished = writer.onEvent(more, pending);
                }
                if (os == null) {
                    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                    os = res.outputStream();
                }
                for (byte[] b : pending) {
                    os.write(DATA);
                    os.write(b);
                    os.write(EVENT_END);
                }
                pending.clear();
                if (finished) {
                    os.write(DONE);
                }
                os.flush();
            }
            os.close();
        } catch (IOException | RuntimeException ex) {
            if (!clientGone(ex)) {
                throw ex instanceof RuntimeException re ? re : new UncheckedIOException((IOException) ex);
            }
            LOG.debug("client went away during a stream: {}", ex.toString());
            g.cancel();
        } finally {
            metrics.activeStreams.decrementAndGet();
            g.close();
            running.remove(g);
        }
    }

    /** @return true for an event that ends the stream early: a failure, or a choice cancelled (timeout, shutdown) */
    private static boolean ends(Generation.Event e) {
        return e instanceof Generation.Failed
                || e instanceof Generation.Done d && d.completion().finishReason() == io.autoglm.FinishReason.CANCELLED;
    }

    /** @return true when writing failed because the client closed the connection */
    private static boolean clientGone(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException
                    || c instanceof io.helidon.webserver.CloseConnectionException
                    || c instanceof io.helidon.common.socket.SocketWriterException) {
                return true;
            }
        }
        return false;
    }

    private static void writeError(OutputStream os, OpenAiException e) {
        try {
            os.write(DATA);
            os.write(OpenAiJson.bytes(e.toResponse()));
            os.write(EVENT_END);
            os.flush();
            os.close();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone
        }
    }

    private void writeEvents(ServerResponse res, List<byte[]> events) throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream os = res.outputStream()) {
            for (byte[] b : events) {
                os.write(DATA);
                os.write(b);
                os.write(EVENT_END);
            }
            os.write(DONE);
        }
    }

    private static void sendJson(ServerResponse res, int status, byte[] json) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(json);
    }

    private static void sendError(ServerResponse res, OpenAiException e) {
        if (res.isSent()) {
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            res.header(RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        sendJson(res, e.status(), OpenAiJson.bytes(e.toResponse()));
    }
}
