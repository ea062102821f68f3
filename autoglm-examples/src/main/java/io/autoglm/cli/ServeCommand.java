package io.autoglm.cli;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Device;
import io.autoglm.LanguageModel;
import io.autoglm.hub.ModelHub;
import io.autoglm.hub.ModelReference;
import io.autoglm.server.ApiKey;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import io.autoglm.server.config.DeployConfig;
import io.autoglm.server.config.Deployment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm serve}: loads one or more models and serves them over an OpenAI-compatible HTTP API
 * until Ctrl-C / SIGTERM (which drains running requests first). With {@code --config autoglm.yaml} the models and
 * server settings come from the file, and SIGHUP reloads it without dropping running requests.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve models over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/embeddings, ...).")
final class ServeCommand implements Callable<Integer> {
    /** Helidon logs through java.util.logging; held so its level stays set. */
    private static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "deploy configuration (autoglm.yaml: server, models, routing; see docs/deploy.md); SIGHUP reloads it. "
                    + "Not combined with the model and server flags")
    Path config;

    @Option(names = "--model", paramLabel = "[NAME=]REF",
            description = "model to serve, repeatable: " + ModelOptions.REF_HELP + "; NAME is what requests ask for "
                    + "(default: the file or catalog name without .gguf)")
    List<String> models = new ArrayList<>();

    @Option(names = "--device", paramLabel = "cpu|cuda|metal|vulkan",
            description = "where the layers run (default cpu); a GPU needs a llama.cpp build with its backend (native/GPU.md)")
    String device;

    @Option(names = "--offline", description = "never download models (as HF_HUB_OFFLINE=1): the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--alias", paramLabel = "NAME=ALIAS", description = "another name for a served model, repeatable")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--chat-template", paramLabel = "NAME|JINJA",
            description = "chat template for models without one of their own (e.g. chatml)")
    String chatTemplate;

    @Option(names = "--quantize", paramLabel = "TYPE", description = "run at another precision (auto, int8, int4, q8_0, ...)")
    String quantize;

    @Option(names = "--memory-budget", paramLabel = "SIZE", description = "memory for weights + KV cache with --quantize auto, e.g. 512M, 4G")
    String memoryBudget;

    @Option(names = "--parallel", paramLabel = "N", description = "sequences decoded together per model, 1..64 (default 4)")
    Integer parallel;

    @Option(names = "--ctx", paramLabel = "N", description = "context window in tokens per sequence (default 2048)")
    Integer ctx;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads per model (default: cores, at most 8)")
    Integer threads;

    @Option(names = "--backend", paramLabel = "ffm|jni", defaultValue = "ffm", description = "native path: ffm (default) or jni")
    String backend;

    @Option(names = "--native-library", paramLabel = "PATH", description = "llama.cpp build to run on (ffm only)")
    Path nativeLibrary;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "address to bind (default 127.0.0.1)")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "port (default 8080; 0 picks a free one)")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "accepted API key, repeatable (also sha256:HEX); none = open server")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "file of keys, one per line: KEY or sha256:HEX, then name=, models=a,b, rpm=, tpm=, streams=")
    Path apiKeyFile;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "64M",
            description = "response cache for deterministic requests, e.g. 64M; 0 turns it off (default 64M)")
    String cacheSize;

    @Option(names = "--cache-ttl", paramLabel = "SECONDS", defaultValue = "600", description = "how long cached answers are kept (default 600)")
    long cacheTtlSeconds;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "8M", description = "largest request body (default 8M)")
    String maxBody;

    @Option(names = "--max-prompt-tokens", paramLabel = "N", defaultValue = "0", description = "most prompt tokens per request; 0 = the context")
    int maxPromptTokens;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "most time one request may take (default 600)")
    long timeoutSeconds;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "on SIGTERM, how long running requests may finish before they are cancelled (default 30)")
    long shutdownSeconds;

    @Option(names = "--metrics-open", description = "serve /metrics without an API key")
    boolean metricsOpen;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    /** Flags that the configuration file replaces. */
    private static final List<String> FILE_FLAGS = List.of("--model", "--alias", "--chat-template", "--quantize",
            "--memory-budget", "--parallel", "--ctx", "--threads", "--backend", "--native-library", "--device", "--host",
            "--port", "--api-key", "--api-key-file", "--cache-size", "--cache-ttl", "--max-body", "--max-prompt-tokens",
            "--timeout", "--shutdown-timeout", "--metrics-open");

    @Override
    public Integer call() throws Exception {
        ModelOptions.configureLogging(verbose);
        HELIDON_LOG.setLevel(verbose ? Level.INFO : Level.WARNING);
        if (config != null) {
            return serveConfig();
        }
        if (models.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give --model REF (repeatable) or --config FILE");
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> named = parseModels();
        List<ApiKey> keys = keys();
        OpenAiServer.Builder sb = OpenAiServer.builder().host(host).port(port)
                .responseCache(cacheSize.strip().equals("0") ? 0 : ModelOptions.parseSize("--cache-size", cacheSize))
                .responseCacheTtl(Duration.ofSeconds(cacheTtlSeconds))
                .maxBodyBytes(ModelOptions.parseSize("--max-body", maxBody))
                .maxPromptTokens(maxPromptTokens)
                .requestTimeout(Duration.ofSeconds(timeoutSeconds))
                .shutdownTimeout(Duration.ofSeconds(shutdownSeconds))
                .metricsOpen(metricsOpen)
                .apiKeys(keys);
        Map<String, List<String>> aliasMap = parseAliases(named);
        List<LanguageModel> loaded = new ArrayList<>();
        OpenAiServer server = null;
        Thread hook = null;
        boolean interrupted = false;
        try {
            for (Map.Entry<String, String> e : named.entrySet()) {
                LanguageModel m = builder(e.getValue()).build();
                loaded.add(m);
                ServedModel.Builder served = ServedModel.builder(e.getKey(), m);
                if (chatTemplate != null && m.info().chatTemplate().isEmpty()) {
                    served.chatTemplate(chatTemplate);
                }
                aliasMap.getOrDefault(e.getKey(), List.of()).forEach(served::alias);
                sb.model(served.build());
            }
            server = sb.build().start();
            OpenAiServer s = server;
            hook = new Thread(s::close, "autoglm-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf(Locale.ROOT, "autoglm: serving %s at %s/v1%s (Ctrl-C to stop)%n", String.join(", ", named.keySet()),
                    server.url(), keys.isEmpty() ? " without API keys" : " with " + keys.size() + " API key(s)");
            out.flush();
            server.awaitShutdown();
        } catch (InterruptedException e) {
            interrupted = true; // stop serving; the interrupt is restored after the clean-up below
        } finally {
            if (server != null) {
                server.close();
            }
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook is running or ran
                }
            }
            loaded.forEach(LanguageModel::close);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private AutoGLM.Builder builder(String reference) {
        AutoGLM.Builder b = AutoGLM.builder().model(reference).modelHub(ModelOptions.hub(offline, spec.commandLine().getErr()));
        if (device != null) {
            try {
                b.device(Device.parse(device));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--device: " + e.getMessage());
            }
        }
        b.backend(switch (backend.toLowerCase(Locale.ROOT)) {
            case "ffm" -> Backend.FFM;
            case "jni" -> Backend.JNI;
            default -> throw new ParameterException(spec.commandLine(), "--backend must be ffm or jni, was " + backend);
        });
        if (threads != null) {
            b.threads(threads);
        }
        if (ctx != null) {
            b.contextSize(ctx);
        }
        if (parallel != null) {
            if (parallel < 1 || parallel > 64) {
                throw new ParameterException(spec.commandLine(), "--parallel must be in [1, 64], was " + parallel);
            }
            b.parallel(parallel);
        }
        if (quantize != null) {
            io.autoglm.Quantization q = ModelOptions.quantization(quantize);
            if (q != io.autoglm.Quantization.NONE) {
                QuantizeCommand.requireVectorApi("--quantize " + quantize);
            }
            b.quantization(q);
        }
        if (memoryBudget != null) {
            b.memoryBudget(ModelOptions.parseSize(memoryBudget));
        }
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        return b;
    }

    /** @return model name to reference, in order */
    private Map<String, String> parseModels() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            // NAME=REF; an https:// URL may hold '=' in its query, so a NAME has no '/'
            boolean hasName = eq > 0 && m.substring(0, eq).indexOf('/') < 0;
            String ref = hasName ? m.substring(eq + 1) : m;
            ModelReference parsed;
            try {
                parsed = ModelReference.parse(ref);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--model " + m + ": " + e.getMessage());
            }
            String name;
            if (hasName) {
                name = m.substring(0, eq);
            } else {
                String base = switch (parsed) {
                    case ModelReference.Local l -> l.path().getFileName().toString();
                    case ModelReference.Hub h -> h.fileName();
                    case ModelReference.Url u -> u.fileName();
                    case ModelReference.Catalog c -> c.name();
                };
                name = base.replaceFirst("(?i)\\.gguf$", "");
            }
            if (parsed instanceof ModelReference.Local l && !Files.isRegularFile(l.path())) {
                throw new ParameterException(spec.commandLine(), "--model " + m + ": no such file " + l.path());
            }
            try {
                ServedModel.checkName("--model NAME", name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + "; name it NAME=REF");
            }
            if (out.putIfAbsent(name, ref) != null) {
                throw new ParameterException(spec.commandLine(), "--model name '" + name + "' is given twice; name them NAME=REF");
            }
        }
        return out;
    }

    /** {@code serve --config FILE}: the deployment the file describes, reloaded on SIGHUP. */
    private int serveConfig() {
        for (String f : FILE_FLAGS) {
            if (spec.commandLine().getParseResult().hasMatchedOption(f)) {
                throw new ParameterException(spec.commandLine(), f + " cannot be combined with --config; set it in " + config);
            }
        }
        if (!Files.isRegularFile(config)) {
            throw new ParameterException(spec.commandLine(), "--config: no such file " + config);
        }
        PrintWriter out = spec.commandLine().getOut();
        ModelHub hub = ModelOptions.hub(offline, spec.commandLine().getErr());
        Deployment d = Deployment.builder(DeployConfig.load(config)).source(config).modelHub(hub).build().start();
        Thread hook = new Thread(d::close, "autoglm-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter err = spec.commandLine().getErr();
        Object previous = SignalReload.install(() -> reload(d, err));
        boolean interrupted = false;
        try {
            DeployConfig c = d.config();
            out.printf(Locale.ROOT, "autoglm: serving %s at %s/v1%s from %s (SIGHUP reloads it, Ctrl-C stops)%n",
                    String.join(", ", d.modelNames()), d.server().url(),
                    c.server().apiKeys().isEmpty() ? " without API keys" : " with " + c.server().apiKeys().size() + " API key(s)",
                    config);
            out.flush();
            d.server().awaitShutdown();
        } catch (InterruptedException e) {
            interrupted = true; // stop serving; the interrupt is restored after the clean-up below
        } finally {
            SignalReload.restore(previous);
            d.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * What SIGHUP does: reads the file again and serves it, or keeps serving the previous configuration; one line on
     * stderr either way.
     *
     * @param d the running deployment
     * @param err where the outcome is reported
     * @return true when the new configuration is served
     */
    static boolean reload(Deployment d, PrintWriter err) {
        boolean ok;
        String line;
        try {
            line = "autoglm: reloaded " + d.config().file() + ": " + d.reload();
            ok = true;
        } catch (RuntimeException e) {
            line = "autoglm: reload failed, still serving the previous configuration: " + e.getMessage();
            ok = false;
        }
        synchronized (err) {
            err.println(line);
            err.flush();
        }
        return ok;
    }

    private Map<String, List<String>> parseAliases(Map<String, String> named) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String a : aliases) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new ParameterException(spec.commandLine(), "--alias must be NAME=ALIAS, was '" + a + "'");
            }
            String name = a.substring(0, eq);
            if (!named.containsKey(name)) {
                throw new ParameterException(spec.commandLine(), "--alias " + a + ": no model named '" + name + "' (models: "
                        + named.keySet() + ")");
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(a.substring(eq + 1));
        }
        return out;
    }

    private List<ApiKey> keys() throws IOException {
        List<ApiKey> keys = new ArrayList<>();
        for (String k : apiKeys) {
            try {
                keys.addAll(ApiKey.parse(k));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--api-key: " + e.getMessage());
            }
        }
        if (apiKeyFile != null) {
            if (!Files.isRegularFile(apiKeyFile)) {
                throw new ParameterException(spec.commandLine(), "--api-key-file: no such file " + apiKeyFile);
            }
            keys.addAll(ApiKey.parse(Files.readString(apiKeyFile)));
        }
        String env = System.getenv("AUTOGLM_API_KEYS");
        if (env != null && !env.isBlank()) {
            keys.addAll(ApiKey.parse(env));
        }
        return keys;
    }
}
