package io.autoglm.server.config;

import io.autoglm.Backend;
import io.autoglm.Device;
import io.autoglm.Quantization;
import io.autoglm.hub.ModelReference;
import io.autoglm.routing.RoutingWeights;
import io.autoglm.routing.TaskExample;
import io.autoglm.routing.TaskExamples;
import io.autoglm.server.ApiKey;
import io.autoglm.server.config.YamlTree.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A parsed and checked deploy configuration ({@code autoglm.yaml}): what to serve, where, and how requests are routed.
 *
 * <pre>{@code
 * server: {host: 127.0.0.1, port: 8080, api-keys: ["${AUTOGLM_API_KEY}"]}
 * models:
 *   - name: stories
 *     model: stories260k
 *     parallel: 4
 *     aliases: [default]
 * }</pre>
 *
 * <pre>{@code
 * DeployConfig config = DeployConfig.load(Path.of("autoglm.yaml"));
 * try (Deployment d = Deployment.start(config)) {
 *     d.server().awaitShutdown();
 * }
 * }</pre>
 *
 * Every scalar may hold {@code ${NAME}} (an environment variable; unset is an error) or {@code ${NAME:-default}}
 * (unset or empty takes the default); {@code $${} is a literal {@code ${}. Every error is a {@link ConfigException}
 * naming the file, line, column and field. Checking a configuration loads no model.
 *
 * @param file the file name used in messages
 * @param server the server settings
 * @param models the models, in file order, names all different
 * @param routing the routing section, when the file has one
 */
public record DeployConfig(String file, Server server, List<Model> models, Optional<Routing> routing) {
    private static final Set<String> TOP = keys("server", "models", "routing");
    private static final Set<String> SERVER = keys("host", "port", "api-keys", "api-key-file", "limits", "response-cache",
            "metrics-open");
    private static final Set<String> LIMITS = keys("max-body-bytes", "max-prompt-tokens", "request-timeout",
            "shutdown-timeout", "stream-buffer");
    private static final Set<String> CACHE = keys("max-bytes", "ttl");
    private static final Set<String> MODEL = keys("name", "model", "quantize", "memory-budget", "parallel", "context",
            "threads", "batch", "ubatch", "flash-attention", "device", "gpu-layers", "chat-template", "aliases", "profile",
            "backend", "native-library");
    private static final Set<String> PROFILE = keys("tasks", "quality", "latency", "memory");
    private static final Set<String> ROUTING = keys("model-name", "embedding", "k", "temperature", "max-chars",
            "examples", "default-examples", "weights");
    private static final Set<String> WEIGHTS = keys("task", "quality", "latency", "memory", "generalist-fit");

    /** Checks the fields. */
    public DeployConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(server, "server");
        models = List.copyOf(models);
        Objects.requireNonNull(routing, "routing");
    }

    /**
     * The {@code server} section. Only {@code api-keys} (and the {@code models}/{@code routing} sections) change on a
     * reload; the others need a restart.
     *
     * @param host address to bind
     * @param port port, 0 = a free one
     * @param apiKeys accepted keys; empty = an open server
     * @param maxBodyBytes {@code limits.max-body-bytes}
     * @param maxPromptTokens {@code limits.max-prompt-tokens}, 0 = the context
     * @param requestTimeout {@code limits.request-timeout}
     * @param shutdownTimeout {@code limits.shutdown-timeout}
     * @param streamBuffer {@code limits.stream-buffer} in tokens
     * @param responseCacheBytes {@code response-cache.max-bytes}, 0 = off
     * @param responseCacheTtl {@code response-cache.ttl}
     * @param metricsOpen {@code metrics-open}
     */
    public record Server(String host, int port, List<ApiKey> apiKeys, long maxBodyBytes, int maxPromptTokens,
            Duration requestTimeout, Duration shutdownTimeout, int streamBuffer, long responseCacheBytes,
            Duration responseCacheTtl, boolean metricsOpen) {
        /** Copies the keys. */
        public Server {
            Objects.requireNonNull(host, "host");
            apiKeys = List.copyOf(apiKeys);
        }

        /** @return the settings a restart would need to change (everything but the keys), for comparing two configs */
        List<Object> restartSettings() {
            return List.of(host, port, maxBodyBytes, maxPromptTokens, requestTimeout, shutdownTimeout, streamBuffer,
                    responseCacheBytes, responseCacheTtl, metricsOpen);
        }
    }

    /**
     * One entry of {@code models}. A null setting leaves the engine's default.
     *
     * @param name the name requests ask for (unique across names and aliases)
     * @param reference the model reference (a relative path is resolved against the file's folder)
     * @param quantize the precision to run at, or null
     * @param memoryBudget bytes for weights + KV cache with {@code quantize: auto}, or null
     * @param parallel sequences decoded together, or null
     * @param context context tokens per sequence, or null
     * @param threads CPU threads, or null
     * @param batch logical batch size, or null
     * @param ubatch physical batch size, or null
     * @param flashAttention flash attention, or null
     * @param device where the layers run, or null
     * @param gpuLayers layers to offload, or null
     * @param chatTemplate template for a model without its own, or null
     * @param aliases other names
     * @param profile what the router knows of it, when given
     * @param backend the native path, or null (FFM)
     * @param nativeLibrary a llama.cpp build, or null (the bundled one)
     * @param line the line its entry starts on
     */
    public record Model(String name, String reference, Quantization quantize, Long memoryBudget, Integer parallel,
            Integer context, Integer threads, Integer batch, Integer ubatch, Boolean flashAttention, Device device,
            Integer gpuLayers, String chatTemplate, List<String> aliases, Optional<Profile> profile, Backend backend,
            Path nativeLibrary, int line) {
        /** Checks the fields. */
        public Model {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reference, "reference");
            aliases = List.copyOf(aliases);
            Objects.requireNonNull(profile, "profile");
        }

        /** @return everything that decides how the model is loaded: equal for two entries that can share one loaded model */
        public List<Object> loadSettings() {
            return Arrays.asList(reference, quantize, memoryBudget, parallel, context, threads, batch, ubatch,
                    flashAttention, device, gpuLayers, backend, nativeLibrary);
        }
    }

    /**
     * A model's {@code profile}: what {@link io.autoglm.routing.TaskRouter} scores it by. Latency and memory are given as
     * scores in [0, 1] where higher is better (faster, smaller), like quality; the router receives {@code 1 - score} as
     * the model's relative latency and memory cost.
     *
     * @param tasks tasks it is meant for; empty = a generalist
     * @param quality 0..1
     * @param latency 0..1, higher = faster
     * @param memory 0..1, higher = smaller
     */
    public record Profile(Set<String> tasks, double quality, double latency, double memory) {
        /** Copies the tasks. */
        public Profile {
            tasks = Set.copyOf(tasks);
        }
    }

    /**
     * The {@code routing} section: {@code model: <model-name>} in a request is answered by the model the router picks
     * among the models that have a {@code profile}.
     *
     * @param modelName the name that asks for routing (default {@code auto})
     * @param embedding {@code model:NAME} (embed with a served model) or an embedding provider's name such as
     *     {@code minilm}
     * @param k neighbours that vote, or null
     * @param temperature vote temperature, or null
     * @param maxChars characters of a request embedded, or null
     * @param examples extra labelled examples
     * @param defaultExamples whether the shipped examples are used
     * @param weights the score weights
     */
    public record Routing(String modelName, String embedding, Integer k, Double temperature, Integer maxChars,
            List<TaskExample> examples, boolean defaultExamples, RoutingWeights weights) {
        /** Copies the examples. */
        public Routing {
            Objects.requireNonNull(modelName, "modelName");
            Objects.requireNonNull(embedding, "embedding");
            examples = List.copyOf(examples);
            Objects.requireNonNull(weights, "weights");
        }

        /** @return the served model that embeds requests ({@code embedding: model:NAME}), when it is one */
        public Optional<String> embeddingModel() {
            return embedding.startsWith("model:") ? Optional.of(embedding.substring(6)) : Optional.empty();
        }
    }

    /**
     * @param path an {@code autoglm.yaml}
     * @return it, parsed and checked with the process's environment
     * @throws ConfigException when it cannot be read or is invalid
     */
    public static DeployConfig load(Path path) {
        return load(path, System::getenv);
    }

    /**
     * @param path an {@code autoglm.yaml}
     * @param env the environment {@code ${NAME}} reads
     * @return it, parsed and checked
     * @throws ConfigException when it cannot be read or is invalid
     */
    public static DeployConfig load(Path path, Function<String, String> env) {
        Objects.requireNonNull(path, "path");
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), 0, 0, "", "cannot read the file: " + e);
        }
        Path dir = path.toAbsolutePath().getParent();
        return parse(text, path.toString(), dir, env);
    }

    /**
     * @param yaml the configuration text
     * @param file its name for messages
     * @param baseDir the folder relative paths are resolved against
     * @param env the environment {@code ${NAME}} reads
     * @return the configuration, checked
     * @throws ConfigException when it is invalid
     */
    public static DeployConfig parse(String yaml, String file, Path baseDir, Function<String, String> env) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(env, "env");
        ConfigReader r = new ConfigReader(file, env);
        Node root = YamlTree.parse(yaml, file);
        if (root.isNull()) {
            throw new ConfigException(file, 1, 1, "", "the file is empty; it needs at least a models list");
        }
        Map<String, Node> top = r.map(root, "", TOP);
        Server server = server(r, top.get("server"), baseDir);
        Node modelsNode = top.get("models");
        if (modelsNode == null || r.list(modelsNode, "models").isEmpty()) {
            throw r.error(modelsNode == null ? root : modelsNode, "models", "is required: list at least one model");
        }
        List<Model> models = new ArrayList<>();
        Map<String, String> taken = new HashMap<>(); // name or alias -> where
        List<Node> list = r.list(modelsNode, "models");
        for (int i = 0; i < list.size(); i++) {
            Model m = model(r, list.get(i), "models[" + i + "]", baseDir);
            claim(r, taken, m.name(), list.get(i), "models[" + i + "].name", m.line());
            for (int a = 0; a < m.aliases().size(); a++) {
                claim(r, taken, m.aliases().get(a), list.get(i), "models[" + i + "].aliases[" + a + "]", m.line());
            }
            models.add(m);
        }
        Optional<Routing> routing = top.get("routing") == null || top.get("routing").isNull() ? Optional.empty()
                : Optional.of(routing(r, top.get("routing"), models, taken, baseDir));
        if (routing.isPresent()) {
            checkProfiles(r, list, models, routing.get());
        }
        return new DeployConfig(file, server, models, routing);
    }

    private static void claim(ConfigReader r, Map<String, String> taken, String name, Node at, String field, int line) {
        String prev = taken.putIfAbsent(name, field + " on line " + line);
        if (prev != null) {
            throw r.error(at, field, "two models are named '" + name + "' (also " + prev + "); names and aliases must differ");
        }
    }

    private static Server server(ConfigReader r, Node n, Path baseDir) {
        Node empty = new Node(YamlTree.Kind.NULL, 1, 1, null, Map.of(), Map.of(), List.of());
        Map<String, Node> s = r.map(n == null ? empty : n, "server", SERVER);
        String host = r.string(s.get("host"), "server.host");
        Integer port = r.integer(s.get("port"), "server.port", 0, 65535);
        List<ApiKey> keys = new ArrayList<>();
        List<String> keyLines = r.strings(s.get("api-keys"), "server.api-keys");
        for (int i = 0; i < keyLines.size(); i++) {
            String k = keyLines.get(i);
            if (k == null || k.isBlank()) {
                continue; // ${AUTOGLM_API_KEY:-} with the variable unset: no key
            }
            try {
                keys.addAll(ApiKey.parse(k));
            } catch (IllegalArgumentException e) {
                Node at = s.get("api-keys").list().isEmpty() ? s.get("api-keys") : s.get("api-keys").list().get(i);
                throw r.error(at, "server.api-keys[" + i + "]", e.getMessage());
            }
        }
        String keyFile = r.string(s.get("api-key-file"), "server.api-key-file");
        if (keyFile != null && !keyFile.isBlank()) {
            Path p = baseDir.resolve(keyFile.strip());
            try {
                keys.addAll(ApiKey.parse(Files.readString(p, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw r.error(s.get("api-key-file"), "server.api-key-file", "cannot read " + p + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw r.error(s.get("api-key-file"), "server.api-key-file", p + ": " + e.getMessage());
            }
        }
        Node limitsNode = s.get("limits");
        Map<String, Node> l = limitsNode == null ? Map.of() : r.map(limitsNode, "server.limits", LIMITS);
        Long maxBody = r.size(l.get("max-body-bytes"), "server.limits.max-body-bytes", 1024, 1L << 30);
        Integer maxPrompt = r.integer(l.get("max-prompt-tokens"), "server.limits.max-prompt-tokens", 0, Integer.MAX_VALUE);
        Duration timeout = r.duration(l.get("request-timeout"), "server.limits.request-timeout", Duration.ofMillis(1),
                Duration.ofHours(24));
        Duration shutdown = r.duration(l.get("shutdown-timeout"), "server.limits.shutdown-timeout", Duration.ZERO,
                Duration.ofHours(1));
        Integer streamBuffer = r.integer(l.get("stream-buffer"), "server.limits.stream-buffer", 16, 1_000_000);
        Node cacheNode = s.get("response-cache");
        Map<String, Node> c = cacheNode == null ? Map.of() : r.map(cacheNode, "server.response-cache", CACHE);
        Node mb = c.get("max-bytes");
        Long cacheBytes = mb != null && "0".equals(r.string(mb, "server.response-cache.max-bytes").strip()) ? Long.valueOf(0)
                : r.size(mb, "server.response-cache.max-bytes", 1, Long.MAX_VALUE);
        Duration ttl = r.duration(c.get("ttl"), "server.response-cache.ttl", Duration.ofSeconds(1), Duration.ofDays(30));
        Boolean metricsOpen = r.bool(s.get("metrics-open"), "server.metrics-open");
        return new Server(host == null ? "127.0.0.1" : host.strip(), port == null ? 8080 : port, keys,
                maxBody == null ? 8L << 20 : maxBody, maxPrompt == null ? 0 : maxPrompt,
                timeout == null ? Duration.ofMinutes(10) : timeout, shutdown == null ? Duration.ofSeconds(30) : shutdown,
                streamBuffer == null ? 4096 : streamBuffer, cacheBytes == null ? 64L << 20 : cacheBytes,
                ttl == null ? Duration.ofMinutes(10) : ttl, metricsOpen != null && metricsOpen);
    }

    private static Model model(ConfigReader r, Node n, String f, Path baseDir) {
        Map<String, Node> m = r.map(n, f, MODEL);
        if (n.isNull()) {
            throw r.error(n, f, "is empty; a model needs at least name and model");
        }
        String name = r.requiredString(m, n, "name", f + ".name");
        try {
            io.autoglm.server.ServedModel.checkName("name", name);
        } catch (IllegalArgumentException e) {
            throw r.error(m.get("name"), f + ".name", e.getMessage());
        }
        String ref = r.requiredString(m, n, "model", f + ".model");
        try {
            ModelReference parsed = ModelReference.parse(ref);
            if (parsed instanceof ModelReference.Local local && !local.path().isAbsolute()) {
                ref = baseDir.resolve(local.path()).normalize().toString();
            } else if (parsed instanceof ModelReference.Catalog && Files.exists(baseDir.resolve(ref))) {
                ref = baseDir.resolve(ref).normalize().toString();
            }
        } catch (IllegalArgumentException e) {
            throw r.error(m.get("model"), f + ".model", e.getMessage());
        }
        Quantization quantize = null;
        String q = r.string(m.get("quantize"), f + ".quantize");
        if (q != null) {
            try {
                quantize = Quantization.parse(q);
            } catch (IllegalArgumentException e) {
                throw r.error(m.get("quantize"), f + ".quantize", "unknown preset '" + q + "'; expected auto, none or a preset"
                        + " (int8, int4, q8_0, q4_k_m, q5_k_m, q6_k, ...)" + suggestion(q, quantizationNames()));
            }
        }
        Long budget = r.size(m.get("memory-budget"), f + ".memory-budget", 1, Long.MAX_VALUE);
        Integer parallel = r.integer(m.get("parallel"), f + ".parallel", 1, 64);
        Integer context = r.integer(m.get("context"), f + ".context", 0, 1 << 24);
        Integer threads = r.integer(m.get("threads"), f + ".threads", 1, 1024);
        Integer batch = r.integer(m.get("batch"), f + ".batch", 1, 1 << 20);
        Integer ubatch = r.integer(m.get("ubatch"), f + ".ubatch", 1, 1 << 20);
        if (batch != null && ubatch != null && ubatch > batch) {
            throw r.error(m.get("ubatch"), f + ".ubatch", "must be <= batch (" + batch + "), was " + ubatch);
        }
        Boolean fa = r.bool(m.get("flash-attention"), f + ".flash-attention");
        Device device = null;
        String d = r.string(m.get("device"), f + ".device");
        if (d != null) {
            try {
                device = Device.parse(d);
            } catch (IllegalArgumentException e) {
                throw r.error(m.get("device"), f + ".device", e.getMessage()
                        + suggestion(d, Arrays.stream(Device.values()).map(Device::toString).toList()));
            }
        }
        Integer gpuLayers = r.integer(m.get("gpu-layers"), f + ".gpu-layers", 0, 100_000);
        String template = r.string(m.get("chat-template"), f + ".chat-template");
        List<String> aliases = r.strings(m.get("aliases"), f + ".aliases");
        for (int i = 0; i < aliases.size(); i++) {
            try {
                io.autoglm.server.ServedModel.checkName("alias", aliases.get(i).strip());
            } catch (IllegalArgumentException e) {
                throw r.error(m.get("aliases"), f + ".aliases[" + i + "]", e.getMessage());
            }
            aliases.set(i, aliases.get(i).strip());
        }
        Optional<Profile> profile = Optional.empty();
        Node pn = m.get("profile");
        if (pn != null && !pn.isNull()) {
            Map<String, Node> p = r.map(pn, f + ".profile", PROFILE);
            List<String> tasks = r.strings(p.get("tasks"), f + ".profile.tasks");
            Set<String> norm = new LinkedHashSet<>();
            for (String t : tasks) {
                norm.add(task(t));
            }
            Double quality = r.number(p.get("quality"), f + ".profile.quality", 0, 1);
            Double latency = r.number(p.get("latency"), f + ".profile.latency", 0, 1);
            Double memory = r.number(p.get("memory"), f + ".profile.memory", 0, 1);
            profile = Optional.of(new Profile(norm, quality == null ? 0.5 : quality, latency == null ? 0.5 : latency,
                    memory == null ? 0.5 : memory));
        }
        Backend backend = null;
        String b = r.string(m.get("backend"), f + ".backend");
        if (b != null) {
            backend = switch (b.strip().toLowerCase(Locale.ROOT)) {
                case "ffm" -> Backend.FFM;
                case "jni" -> Backend.JNI;
                default -> throw r.error(m.get("backend"), f + ".backend", "must be ffm or jni, was '" + b + "'");
            };
        }
        Path lib = null;
        String nl = r.string(m.get("native-library"), f + ".native-library");
        if (nl != null && !nl.isBlank()) {
            lib = baseDir.resolve(nl.strip()).normalize();
            if (!Files.exists(lib)) {
                throw r.error(m.get("native-library"), f + ".native-library", "no such file or folder " + lib);
            }
        }
        return new Model(name, ref, quantize, budget, parallel, context, threads, batch, ubatch, fa, device, gpuLayers,
                template, aliases, profile, backend, lib, n.line());
    }

    /** British spellings of the shipped task names are accepted. */
    private static String task(String t) {
        String s = t.strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "summarisation" -> TaskExamples.SUMMARIZATION;
            case "maths" -> TaskExamples.MATH;
            default -> s;
        };
    }

    private static Routing routing(ConfigReader r, Node n, List<Model> models, Map<String, String> taken, Path baseDir) {
        Map<String, Node> m = r.map(n, "routing", ROUTING);
        String name = r.string(m.get("model-name"), "routing.model-name");
        name = name == null ? "auto" : name.strip();
        try {
            io.autoglm.server.ServedModel.checkName("model-name", name);
        } catch (IllegalArgumentException e) {
            throw r.error(m.get("model-name"), "routing.model-name", e.getMessage());
        }
        if (taken.containsKey(name)) {
            throw r.error(m.get("model-name") != null ? m.get("model-name") : n, "routing.model-name",
                    "'" + name + "' is also a model's name or alias (" + taken.get(name) + ")");
        }
        String embedding = r.string(m.get("embedding"), "routing.embedding");
        if (embedding == null || embedding.isBlank()) {
            throw r.error(m.get("embedding") != null ? m.get("embedding") : n, "routing.embedding",
                    "is required: model:NAME (a served model embeds the requests) or a provider such as minilm");
        }
        embedding = embedding.strip();
        if (!embedding.startsWith("model:")) {
            List<String> available = io.autoglm.routing.EmbeddingProvider.available();
            if (!available.contains(embedding.toLowerCase(Locale.ROOT))) {
                throw r.error(m.get("embedding"), "routing.embedding", "no embedding provider named '" + embedding
                        + "' on the class path (" + (available.isEmpty() ? "none is; add io.autoglm:autoglm-routing-minilm "
                        + "for minilm" : "available: " + String.join(", ", available)) + "), or embed with a served model: "
                        + "model:NAME");
            }
        } else {
            String em = embedding.substring(6);
            if (models.stream().noneMatch(x -> x.name().equals(em))) {
                throw r.error(m.get("embedding"), "routing.embedding", "no model named '" + em + "'"
                        + suggestion(em, models.stream().map(Model::name).toList()));
            }
        }
        Integer k = r.integer(m.get("k"), "routing.k", 1, 100);
        Double temperature = r.number(m.get("temperature"), "routing.temperature", 0.001, 10);
        Integer maxChars = r.integer(m.get("max-chars"), "routing.max-chars", 16, 100_000);
        List<TaskExample> examples = new ArrayList<>();
        String ex = r.string(m.get("examples"), "routing.examples");
        if (ex != null && !ex.isBlank()) {
            Path p = baseDir.resolve(ex.strip());
            try {
                examples.addAll(TaskExamples.parse(Files.readString(p, StandardCharsets.UTF_8), p.toString()));
            } catch (IOException e) {
                throw r.error(m.get("examples"), "routing.examples", "cannot read " + p + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw r.error(m.get("examples"), "routing.examples", e.getMessage());
            }
        }
        Boolean defaults = r.bool(m.get("default-examples"), "routing.default-examples");
        if (Boolean.FALSE.equals(defaults) && examples.isEmpty()) {
            throw r.error(m.get("default-examples"), "routing.default-examples",
                    "false needs an examples file (routing.examples), else there is nothing to recognise tasks by");
        }
        RoutingWeights w = RoutingWeights.DEFAULT;
        Node wn = m.get("weights");
        if (wn != null && !wn.isNull()) {
            Map<String, Node> wm = r.map(wn, "routing.weights", WEIGHTS);
            Double task = r.number(wm.get("task"), "routing.weights.task", 0, 100);
            Double quality = r.number(wm.get("quality"), "routing.weights.quality", 0, 100);
            Double latency = r.number(wm.get("latency"), "routing.weights.latency", 0, 100);
            Double memory = r.number(wm.get("memory"), "routing.weights.memory", 0, 100);
            Double gf = r.number(wm.get("generalist-fit"), "routing.weights.generalist-fit", 0, 1);
            try {
                w = new RoutingWeights(task == null ? w.task() : task, quality == null ? w.quality() : quality,
                        latency == null ? w.latency() : latency, memory == null ? w.memory() : memory,
                        gf == null ? w.generalistFit() : gf);
            } catch (IllegalArgumentException e) {
                throw r.error(wn, "routing.weights", e.getMessage());
            }
        }
        if (models.stream().noneMatch(x -> x.profile().isPresent())) {
            throw r.error(n, "routing", "no model has a profile: give the models to route among a profile "
                    + "(tasks, quality, latency, memory)");
        }
        return new Routing(name, embedding, k, temperature, maxChars, examples, defaults == null || defaults, w);
    }

    private static void checkProfiles(ConfigReader r, List<Node> nodes, List<Model> models, Routing routing) {
        Set<String> known = new TreeSet<>();
        if (routing.defaultExamples()) {
            TaskExamples.defaults().forEach(e -> known.add(e.task()));
        }
        routing.examples().forEach(e -> known.add(e.task()));
        for (int i = 0; i < models.size(); i++) {
            Optional<Profile> p = models.get(i).profile();
            if (p.isEmpty()) {
                continue;
            }
            for (String t : p.get().tasks()) {
                if (!known.contains(t)) {
                    Node pn = nodes.get(i).map().get("profile");
                    Node tn = pn.map().get("tasks");
                    throw r.error(tn != null ? tn : pn, "models[" + i + "].profile.tasks", "unknown task '" + t + "'"
                            + suggestion(t, known) + " (the examples know " + String.join(", ", known) + ")");
                }
            }
        }
    }

    private static List<String> quantizationNames() {
        List<String> out = new ArrayList<>(List.of("auto", "none", "int8", "int4", "fp16"));
        for (Quantization q : Quantization.values()) {
            out.add(q.name().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static String suggestion(String word, Iterable<String> choices) {
        String near = ConfigReader.nearest(word.strip(), choices);
        return near == null ? "" : "; did you mean '" + near + "'?";
    }

    private static Set<String> keys(String... k) {
        return new LinkedHashSet<>(List.of(k));
    }

    /** @return a one-paragraph summary for {@code autoglm config check} */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": ok\n");
        sb.append(String.format(Locale.ROOT, "  server  %s:%d, %s, response cache %s, request timeout %ss%n", server.host(),
                server.port(), server.apiKeys().isEmpty() ? "no API keys (open)" : server.apiKeys().size() + " API key(s)",
                server.responseCacheBytes() == 0 ? "off" : (server.responseCacheBytes() >> 20) + " MiB",
                server.requestTimeout().toSeconds()));
        for (Model m : models) {
            sb.append("  model   ").append(m.name()).append(" = ").append(m.reference());
            List<String> opts = new ArrayList<>();
            if (m.quantize() != null) {
                opts.add("quantize " + m.quantize().toString().toLowerCase(Locale.ROOT));
            }
            if (m.memoryBudget() != null) {
                opts.add("memory-budget " + m.memoryBudget());
            }
            if (m.parallel() != null) {
                opts.add("parallel " + m.parallel());
            }
            if (m.context() != null) {
                opts.add("context " + m.context());
            }
            if (m.device() != null) {
                opts.add("device " + m.device());
            }
            if (!m.aliases().isEmpty()) {
                opts.add("aliases " + String.join(",", m.aliases()));
            }
            m.profile().ifPresent(p -> opts.add("profile " + (p.tasks().isEmpty() ? "generalist" : String.join(",",
                    new TreeSet<>(p.tasks())))));
            if (!opts.isEmpty()) {
                sb.append(" (").append(String.join(", ", opts)).append(')');
            }
            sb.append('\n');
        }
        routing.ifPresent(rt -> sb.append("  routing ").append(rt.modelName()).append(" -> ")
                .append(models.stream().filter(m -> m.profile().isPresent()).map(Model::name).toList())
                .append(", embedding ").append(rt.embedding()).append('\n'));
        return sb.toString();
    }
}
