package io.autoglm.server.config;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.hub.ModelHub;
import io.autoglm.routing.EmbeddingFunction;
import io.autoglm.routing.EmbeddingProvider;
import io.autoglm.routing.ModelProfile;
import io.autoglm.routing.TaskRouter;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import io.autoglm.server.config.ConfiguredRegistry.Generation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running deploy configuration: its models loaded, served by an {@link OpenAiServer}, reloadable.
 *
 * <pre>{@code
 * try (Deployment d = Deployment.builder(DeployConfig.load(Path.of("autoglm.yaml")))
 *         .source(Path.of("autoglm.yaml")).build().start()) {
 *     System.out.println("serving on " + d.server().url());
 *     // on SIGHUP: d.reloadLogged();
 *     d.server().awaitShutdown();
 * }
 * }</pre>
 *
 * <p>A {@linkplain #reload reload} reads the configuration again and loads the models that are new or whose load
 * settings changed <em>before</em> anything is released; then the new set replaces the old one at once. Requests running
 * on a replaced model finish on it, and it is closed when the last of them ends. A model whose load settings did not
 * change is kept as it is (renaming, new aliases, a new chat template or profile need no reload of the weights). A
 * configuration that fails to parse or whose models fail to load leaves the server exactly as it was. The API keys
 * change with a reload; host, port, limits and the response cache need a restart (a reload that changes them says so in
 * the log and keeps the running values).
 */
public final class Deployment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deployment.class);

    private final Path source;
    private final Function<String, String> env;
    private final ModelLoader loader;
    private final Map<String, EmbeddingFunction> providers = new ConcurrentHashMap<>();
    private final Object reloadLock = new Object();
    private volatile DeployConfig config;
    private ConfiguredRegistry registry;
    private OpenAiServer server;
    private boolean closed;

    /** Loads one configured model; replaceable for callers that build models their own way. */
    @FunctionalInterface
    public interface ModelLoader {
        /**
         * @param model the configured model
         * @return it, loaded
         */
        LanguageModel load(DeployConfig.Model model);
    }

    private Deployment(Builder b) {
        this.config = b.config;
        this.source = b.source;
        this.env = b.env;
        this.loader = b.loader != null ? b.loader : defaultLoader(b.hub);
    }

    /**
     * @param config the configuration to deploy
     * @return a builder
     */
    public static Builder builder(DeployConfig config) {
        return new Builder(config);
    }

    /**
     * Loads the models and starts the server.
     *
     * @return this
     * @throws ConfigException when a model cannot be loaded (naming its entry); nothing stays loaded then
     * @throws IllegalStateException when already started
     */
    public Deployment start() {
        synchronized (reloadLock) {
            if (server != null || closed) {
                throw new IllegalStateException("already started or closed: " + this);
            }
            Generation g = load(config, null);
            ConfiguredRegistry r = new ConfiguredRegistry(g);
            DeployConfig.Server s = config.server();
            OpenAiServer srv;
            try {
                srv = OpenAiServer.builder().registry(r).host(s.host()).port(s.port()).apiKeys(s.apiKeys())
                        .maxBodyBytes(s.maxBodyBytes()).maxPromptTokens(s.maxPromptTokens())
                        .requestTimeout(s.requestTimeout()).shutdownTimeout(s.shutdownTimeout())
                        .streamBuffer(s.streamBuffer()).responseCache(s.responseCacheBytes())
                        .responseCacheTtl(s.responseCacheTtl()).metricsOpen(s.metricsOpen()).build().start();
            } catch (RuntimeException e) {
                r.close();
                throw e;
            }
            registry = r;
            server = srv;
            return this;
        }
    }

    /** @return the server (started by {@link #start()}) */
    public OpenAiServer server() {
        if (server == null) {
            throw new IllegalStateException("not started: " + this);
        }
        return server;
    }

    /** @return the registry (tests) */
    ConfiguredRegistry registry() {
        return registry;
    }

    /** @return the configuration being served */
    public DeployConfig config() {
        return config;
    }

    /** @return the names of the models served now, in file order */
    public List<String> modelNames() {
        return registry.current().list().stream().map(ServedModel::id).toList();
    }

    /**
     * @param name a served model's name
     * @return its loaded model (for tests and embedding applications)
     * @throws IllegalArgumentException when no model has that name
     */
    public LanguageModel model(String name) {
        ServedModel m = registry.current().byName().get(name);
        if (m == null) {
            throw new IllegalArgumentException("no served model named '" + name + "'; served: " + modelNames());
        }
        return m.model();
    }

    /**
     * Reads the source file again and applies it ({@link #reload(DeployConfig)}).
     *
     * @return what changed, one line
     * @throws ConfigException when the file is invalid or a model cannot be loaded; the server is unchanged
     * @throws IllegalStateException when the deployment has no source file
     */
    public String reload() {
        if (source == null) {
            throw new IllegalStateException("no source file to reload from: give Builder.source(path)");
        }
        return reload(DeployConfig.load(source, env));
    }

    /**
     * What a SIGHUP handler calls: {@link #reload()}, logging the outcome instead of throwing.
     *
     * @return true when the new configuration is served, false when the old one still is (the log says why)
     */
    public boolean reloadLogged() {
        try {
            String what = reload();
            LOG.info("reloaded {}: {}", source, what);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("reload failed, still serving the previous configuration: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Applies a new configuration: loads new and changed models first, then swaps, then releases the dropped models as
     * their requests finish.
     *
     * @param next the new configuration
     * @return what changed, one line
     * @throws ConfigException when a model cannot be loaded; the server is unchanged
     */
    public String reload(DeployConfig next) {
        Objects.requireNonNull(next, "next");
        synchronized (reloadLock) {
            if (server == null || closed) {
                throw new IllegalStateException("not running: " + this);
            }
            Generation old = registry.current();
            Generation g = load(next, old);
            Set<LanguageModel> oldSet = identitySet(old.loaded());
            List<String> loadedNew = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            for (ServedModel m : g.list()) {
                (oldSet.contains(m.model()) ? kept : loadedNew).add(m.id());
            }
            Set<LanguageModel> newSet = identitySet(g.loaded());
            List<String> dropped = new ArrayList<>();
            for (ServedModel m : old.list()) {
                if (!newSet.contains(m.model())) {
                    dropped.add(m.id());
                }
            }
            if (!next.server().restartSettings().equals(config.server().restartSettings())) {
                LOG.warn("{}: host, port, limits and response-cache changes need a restart; still using the running values",
                        next.file());
            }
            server.apiKeys(next.server().apiKeys());
            registry.swap(g);
            config = next;
            return "loaded " + loadedNew + ", kept " + kept + ", released " + dropped + " (when their requests end)"
                    + (g.routingName() == null ? "" : ", routing '" + g.routingName() + "'");
        }
    }

    /** Loads what {@code next} needs that {@code old} does not have; on failure closes what it loaded and throws. */
    private Generation load(DeployConfig next, Generation old) {
        Map<List<Object>, LanguageModel> reusable = new HashMap<>();
        if (old != null) {
            Map<LanguageModel, List<Object>> settingsOf = new IdentityHashMap<>();
            for (DeployConfig.Model m : config.models()) {
                ServedModel s = old.byName().get(m.name());
                if (s != null) {
                    settingsOf.put(s.model(), m.loadSettings());
                }
            }
            settingsOf.forEach((lm, key) -> reusable.putIfAbsent(key, lm));
        }
        Map<List<Object>, LanguageModel> byKey = new LinkedHashMap<>();
        List<LanguageModel> fresh = new ArrayList<>();
        try {
            Map<String, ServedModel> byName = new LinkedHashMap<>();
            List<ServedModel> list = new ArrayList<>();
            for (int i = 0; i < next.models().size(); i++) {
                DeployConfig.Model m = next.models().get(i);
                LanguageModel lm = byKey.get(m.loadSettings());
                if (lm == null) {
                    lm = reusable.get(m.loadSettings());
                }
                if (lm == null) {
                    try {
                        lm = loader.load(m);
                    } catch (RuntimeException e) {
                        throw new ConfigException(next.file(), m.line(), 0, "models[" + i + "]",
                                "model '" + m.name() + "' (" + m.reference() + ") could not be loaded: " + e.getMessage());
                    }
                    fresh.add(lm);
                }
                byKey.putIfAbsent(m.loadSettings(), lm);
                ServedModel.Builder sb = ServedModel.builder(m.name(), lm);
                if (m.chatTemplate() != null && lm.info().chatTemplate().isEmpty()) {
                    sb.chatTemplate(m.chatTemplate());
                }
                m.aliases().forEach(sb::alias);
                ServedModel served = sb.build();
                list.add(served);
                byName.put(m.name(), served);
                m.aliases().forEach(a -> byName.put(a, served));
            }
            String routingName = null;
            TaskRouter router = null;
            LanguageModel embedder = null;
            if (next.routing().isPresent()) {
                DeployConfig.Routing rt = next.routing().get();
                EmbeddingFunction fn;
                if (rt.embeddingModel().isPresent()) {
                    embedder = byName.get(rt.embeddingModel().get()).model();
                    fn = EmbeddingFunction.of(embedder);
                } else {
                    fn = providers.computeIfAbsent(rt.embedding(), EmbeddingProvider::create);
                }
                TaskRouter.Builder tb = TaskRouter.builder(fn).defaultExamples(rt.defaultExamples()).examples(rt.examples())
                        .weights(rt.weights());
                if (rt.k() != null) {
                    tb.k(rt.k());
                }
                if (rt.temperature() != null) {
                    tb.temperature(rt.temperature());
                }
                if (rt.maxChars() != null) {
                    tb.maxChars(rt.maxChars());
                }
                for (DeployConfig.Model m : next.models()) {
                    m.profile().ifPresent(p -> tb.model(ModelProfile.builder(m.name()).tasks(p.tasks())
                            .quality(p.quality()).latencyMillis(1 - p.latency())
                            .memoryBytes(Math.round((1 - p.memory()) * 1_000_000)).build()));
                }
                try {
                    router = tb.build();
                } catch (RuntimeException e) {
                    throw new ConfigException(next.file(), 0, 0, "routing", "the router could not be built: " + e.getMessage());
                }
                routingName = rt.modelName();
            }
            return new Generation(Map.copyOf(byName), List.copyOf(list), List.copyOf(byKey.values()), routingName, router,
                    embedder);
        } catch (RuntimeException e) {
            fresh.forEach(LanguageModel::close);
            throw e;
        }
    }

    private static Set<LanguageModel> identitySet(List<LanguageModel> l) {
        Set<LanguageModel> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(l);
        return s;
    }

    private static ModelLoader defaultLoader(ModelHub hub) {
        return m -> {
            AutoGLM.Builder b = AutoGLM.builder().model(m.reference());
            if (hub != null) {
                b.modelHub(hub);
            }
            if (m.quantize() != null) {
                b.quantization(m.quantize());
            }
            if (m.memoryBudget() != null) {
                b.memoryBudget(m.memoryBudget());
            }
            if (m.parallel() != null) {
                b.parallel(m.parallel());
            }
            if (m.context() != null) {
                b.contextSize(m.context());
            }
            if (m.threads() != null) {
                b.threads(m.threads());
            }
            if (m.batch() != null) {
                b.batchSize(m.batch());
            }
            if (m.ubatch() != null) {
                b.ubatchSize(m.ubatch());
            }
            if (m.flashAttention() != null) {
                b.flashAttention(m.flashAttention());
            }
            if (m.device() != null) {
                b.device(m.device());
            }
            if (m.gpuLayers() != null) {
                b.gpuLayers(m.gpuLayers());
            }
            if (m.backend() != null) {
                b.backend(m.backend());
            }
            if (m.nativeLibrary() != null) {
                b.nativeLibrary(m.nativeLibrary());
            }
            return b.build();
        };
    }

    /** Stops the server (draining running requests) and closes every model. Idempotent. */
    @Override
    public void close() {
        synchronized (reloadLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Override
    public String toString() {
        return "Deployment[" + config.file() + (server != null ? ", " + server : "") + "]";
    }

    /** Builder. */
    public static final class Builder {
        private final DeployConfig config;
        private Path source;
        private Function<String, String> env = System::getenv;
        private ModelHub hub;
        private ModelLoader loader;

        private Builder(DeployConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** @param v the file {@link #reload()} reads again (default: none) @return this */
        public Builder source(Path v) {
            source = Objects.requireNonNull(v, "source");
            return this;
        }

        /** @param v the environment a reload interpolates with (default: the process's) @return this */
        public Builder env(Function<String, String> v) {
            env = Objects.requireNonNull(v, "env");
            return this;
        }

        /** @param v resolves model references (default: {@code ModelHub.builder().build()}) @return this */
        public Builder modelHub(ModelHub v) {
            hub = Objects.requireNonNull(v, "modelHub");
            return this;
        }

        /** @param v loads models instead of {@code AutoGLM.builder()} with the entry's settings @return this */
        public Builder modelLoader(ModelLoader v) {
            loader = Objects.requireNonNull(v, "modelLoader");
            return this;
        }

        /** @return the deployment, not started ({@link Deployment#start()}) */
        public Deployment build() {
            return new Deployment(this);
        }
    }
}
