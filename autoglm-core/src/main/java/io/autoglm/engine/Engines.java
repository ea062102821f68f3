package io.autoglm.engine;

import io.autoglm.AutoGLMException;
import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import io.autoglm.ModelInfo;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.Capability;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.BatchBackendModel;
import io.autoglm.backend.SerialBackendModel;
import io.autoglm.backend.InferenceBackend;
import io.autoglm.backend.ModelSpec;
import io.autoglm.memory.PrecisionDecision;
import io.autoglm.memory.PrecisionPlanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates {@link LanguageModel} instances for {@link io.autoglm.AutoGLM.Builder}. Not API. */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    /** Implementations in core, used when no {@link ServiceLoader} provider answers to the name. */
    private static final Map<Backend, String> BUILT_IN = Map.of(
            Backend.FFM, "io.autoglm.backend.ffm.FfmBackend");

    private static final Map<Backend, InferenceBackend> BACKENDS = new ConcurrentHashMap<>();

    private Engines() {
    }

    /**
     * Validates the path, checks the file with the Java GGUF reader before any native code sees it,
     * loads it through the chosen backend and starts serving it.
     *
     * @param spec validated options
     * @return a loaded model
     * @throws ModelLoadException for a missing path, a directory, or a model the native side refuses
     * @throws io.autoglm.ModelFormatException for a file that is not valid GGUF, or holds values llama.cpp cannot run
     */
    public static LanguageModel open(ModelSpec spec) {
        Objects.requireNonNull(spec, "spec");
        checkPath(spec.path());
        Planned planned = applyQuantization(spec);
        ModelSpec effective = planned.spec();
        long start = System.nanoTime();
        ModelFile file = ModelFile.read(effective.path());
        io.autoglm.validate.ModelValidator.validate(effective.path()); // values llama.cpp would abort on, before it sees them
        InferenceBackend backend = backend(effective.backend());
        LOG.debug("loading {} with the {} backend ({} threads, context {}, parallel {})", effective.path(), backend.name(),
                effective.threads(), effective.contextSize(), effective.parallel());
        CompletableFuture<ServingModel> ready = new CompletableFuture<>();
        EngineThreads.start(() -> serve(backend, effective, file, planned.decision(), start, ready));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return ready.get();
                } catch (InterruptedException e) {
                    interrupted = true; // loading cannot be abandoned half-way; finish it first
                } catch (ExecutionException e) {
                    throw ServingModel.rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The body of a model's engine thread: loads the model here (llama.cpp's CPU thread team belongs to
     * the thread that creates the context), answers {@code ready}, then serves until closed.
     */
    private static void serve(InferenceBackend backend, ModelSpec spec, ModelFile file, String decision, long start,
            CompletableFuture<ServingModel> ready) {
        BackendModel loaded;
        try {
            loaded = load(backend, spec);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            return;
        }
        Scheduler scheduler;
        try {
            Vocabulary vocab = Vocabulary.of(loaded);
            String name = file.name().orElse(spec.path().getFileName().toString());
            String label = ServingModel.label(name, loaded.backendName());
            if (loaded instanceof BatchBackendModel b) {
                scheduler = new BatchScheduler(b, vocab, spec.parallel(), spec.prefixCache(), spec.prefixCacheTokens(),
                        spec.maxQueuedRequests(), label);
            } else if (loaded instanceof SerialBackendModel s) {
                scheduler = new SerialScheduler(s, spec.maxQueuedRequests(), label);
            } else {
                throw new ModelLoadException("the " + backend.name() + " backend returned a model that is neither a "
                        + "BatchBackendModel nor a SerialBackendModel: " + loaded.getClass().getName());
            }
            double loadMillis = (System.nanoTime() - start) / 1e6;
            Optional<String> template = loaded.chatTemplate().or(file::chatTemplate);
            EnumSet<Capability> caps = loaded.capabilities().isEmpty() ? EnumSet.noneOf(Capability.class)
                    : EnumSet.copyOf(loaded.capabilities());
            if (!spec.prefixCache() || scheduler.parallel() == 0) {
                caps.remove(Capability.PREFIX_CACHE);
            }
            if (!spec.embeddings()) {
                caps.remove(Capability.EMBEDDINGS);
            }
            ModelInfo info = new EngineModelInfo(spec.path(), file.architecture(), name, file.parameterCount(),
                    file.fileType(), file.contextLength(), scheduler.contextSize(), scheduler.parallel(),
                    loaded.embeddingLength(), file.blockCount(), loaded.vocabSize(), template, loaded.backendName(),
                    loaded.nativeLibrary(), loadMillis, decision, caps);
            ServingModel model = new ServingModel(loaded, scheduler, vocab, info, spec.chatTemplate(), spec.embeddings(), label);
            LOG.info("loaded {} ({}, {} parameters, context {} x {} sequences) with the {} backend in {} ms", info.name(),
                    info.architecture(), info.parameterCount(), info.contextSize(), info.parallel(), info.backend(),
                    String.format(java.util.Locale.ROOT, "%.1f", loadMillis));
            ready.complete(model);
        } catch (Throwable t) {
            try {
                loaded.close();
            } catch (Throwable suppressed) {
                t.addSuppressed(suppressed);
            }
            ready.completeExceptionally(t);
            return;
        }
        scheduler.run();
    }

    /**
     * @param library a llama.cpp file or folder, or null for the configured default
     * @return its path and ABI generation
     */
    public static String describeNativeLibrary(Path library) {
        try {
            return io.autoglm.backend.ffm.FfmBackend.describeLibrary(library);
        } catch (IllegalCallerException e) {
            throw new ModelLoadException("probing a native library needs native access: start the JVM with "
                    + io.autoglm.backend.ffm.FfmBackend.nativeAccessFlag() + " (" + e.getMessage() + ")", e);
        }
    }

    static void checkPath(Path path) {
        Objects.requireNonNull(path, "path");
        if (!Files.exists(path)) {
            throw new ModelLoadException("model file not found: " + path.toAbsolutePath());
        }
        if (Files.isDirectory(path)) {
            throw new ModelLoadException("model path is a directory, not a GGUF file: " + path.toAbsolutePath());
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ModelLoadException("model file is not a readable regular file: " + path.toAbsolutePath());
        }
    }

    /**
     * The one place where a precision other than {@link Quantization#NONE} is handled: the
     * {@link PrecisionPlanner} picks the precision for the budget and, through the {@code autoglm-quant}
     * provider, writes (or reuses) the quantized copy.
     *
     * @return the spec for the file to load and the decision's summary
     */
    static Planned applyQuantization(ModelSpec spec) {
        if (spec.quantization() == Quantization.NONE) {
            return new Planned(spec, "as stored");
        }
        PrecisionDecision d = PrecisionPlanner.create().resolve(spec.path(), spec.quantization(), spec.contextSize(),
                spec.memoryBudgetBytes(), spec.threads());
        return new Planned(spec.withPath(d.file()), d.summary());
    }

    /** A spec after precision planning. */
    record Planned(ModelSpec spec, String decision) {
    }

    private static BackendModel load(InferenceBackend backend, ModelSpec spec) {
        try {
            BackendModel m = backend.load(spec);
            if (m == null) {
                throw new ModelLoadException("the " + backend.name() + " backend returned no model for " + spec.path());
            }
            return m;
        } catch (AutoGLMException e) {
            throw e;
        } catch (IllegalCallerException e) {
            throw new ModelLoadException("the " + backend.name() + " backend needs native access: start the JVM with "
                    + io.autoglm.backend.ffm.FfmBackend.nativeAccessFlag() + ", or use Backend.JNI (" + e.getMessage() + ")", e);
        } catch (RuntimeException | LinkageError e) {
            throw new ModelLoadException("the " + backend.name() + " backend could not load " + spec.path() + ": " + e, e);
        }
    }

    static InferenceBackend backend(Backend which) {
        return BACKENDS.computeIfAbsent(which, Engines::findBackend);
    }

    private static InferenceBackend findBackend(Backend which) {
        String wanted = which.name();
        try {
            for (InferenceBackend b : ServiceLoader.load(InferenceBackend.class, Engines.class.getClassLoader())) {
                if (b.name().equalsIgnoreCase(wanted)) {
                    LOG.debug("backend {} found through ServiceLoader: {}", wanted, b.getClass().getName());
                    return b;
                }
            }
        } catch (ServiceConfigurationError e) {
            LOG.warn("ignoring a broken InferenceBackend provider: {}", e.getMessage());
        }
        String cls = BUILT_IN.get(which);
        if (cls == null) {
            throw new ModelLoadException("no " + wanted.toLowerCase(java.util.Locale.ROOT) + " backend on the class or module"
                    + " path: add the dependency io.autoglm:autoglm-backend-" + wanted.toLowerCase(java.util.Locale.ROOT)
                    + " (it registers itself through ServiceLoader)");
        }
        try {
            InferenceBackend b = (InferenceBackend) Class.forName(cls, true, Engines.class.getClassLoader())
                    .getConstructor().newInstance();
            LOG.debug("backend {} is the built-in {}", wanted, cls);
            return b;
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            throw new ModelLoadException("no " + which.name().toLowerCase(java.util.Locale.ROOT) + " backend available ("
                    + cls + "): " + e, e);
        }
    }
}
