package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.autoglm.Capability;
import io.autoglm.ChatMessage;
import io.autoglm.LoadProgressListener;
import io.autoglm.ModelLoadException;
import io.autoglm.backend.BatchBackendModel;
import io.autoglm.backend.BatchDecoder;
import io.autoglm.backend.ModelSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model loaded through the FFM backend: the native {@code llama_model}, its vocabulary
 * ({@link FfmVocab}, usable from any thread) and its {@link FfmDecoder} (contexts, batch, samplers;
 * confined to the thread that loaded the model). {@link #close()} frees them in reverse order, on
 * the loading thread, after waiting for vocabulary calls in flight.
 */
final class FfmModel implements BatchBackendModel {
    private static final Logger LOG = LoggerFactory.getLogger(FfmModel.class);

    private final LlamaLibrary lib;
    private final Path path;
    private final MemorySegment model;
    private final FfmVocab vocab;
    private final FfmDecoder decoder;
    private final Thread owner;
    private final Set<Capability> capabilities;
    private boolean closed;

    private FfmModel(LlamaLibrary lib, Path path, MemorySegment model, FfmVocab vocab, FfmDecoder decoder) {
        this.lib = lib;
        this.path = path;
        this.model = model;
        this.vocab = vocab;
        this.decoder = decoder;
        this.owner = Thread.currentThread();
        EnumSet<Capability> c = EnumSet.of(Capability.PER_REQUEST_CHAT_TEMPLATE, Capability.RAW_SPECIAL_TOKENS);
        if (decoder != null) {
            c.addAll(EnumSet.of(Capability.BATCHING, Capability.PREFIX_CACHE, Capability.EMBEDDINGS, Capability.LOGITS,
                    Capability.LOGPROBS, Capability.LOGIT_BIAS, Capability.GRAMMAR));
        }
        this.capabilities = java.util.Collections.unmodifiableSet(c);
    }

    // ------------------------------------------------------------------------------------------ load

    /** Loads the model and creates its contexts on the calling thread, which then owns the decoder. */
    static FfmModel load(LlamaLibrary lib, ModelSpec spec) {
        long t0 = System.nanoTime();
        MemorySegment m = loadNativeModel(lib, spec.path(), spec.effectiveGpuLayers(), false, spec.progress());
        FfmVocab v = null;
        FfmDecoder d = null;
        try {
            v = FfmVocab.of(lib, m, spec.path().toString());
            d = FfmDecoder.create(lib, m, v, spec, spec.path().toString());
        } catch (RuntimeException | Error e) {
            if (v != null) {
                v.close();
            }
            freeModel(lib, m);
            throw e;
        }
        FfmModel model = new FfmModel(lib, spec.path(), m, v, d);
        LOG.info("loaded {} with {} ({} cells for {} sequence ids, context {} per sequence, batch {}, threads {}) in {} ms",
                spec.path(), lib.describe(), d.kvCells(), d.sequenceIds(), d.contextSize(), d.batchCapacity(), spec.threads(),
                (System.nanoTime() - t0) / 1_000_000);
        return model;
    }

    /** Loads only a model's vocabulary: tokenize, pieces and templates work; there is no decoder. */
    static FfmModel loadVocabOnly(LlamaLibrary lib, Path path) {
        MemorySegment m = loadNativeModel(lib, path, 0, true, null);
        try {
            return new FfmModel(lib, path, m, FfmVocab.of(lib, m, path.toString()), null);
        } catch (RuntimeException | Error e) {
            freeModel(lib, m);
            throw e;
        }
    }

    private static MemorySegment loadNativeModel(LlamaLibrary lib, Path file, int gpuLayers, boolean onlyVocab,
            LoadProgressListener listener) {
        try (Arena tmp = Arena.ofConfined()) {
            ProgressBridge bridge = listener == null ? null : new ProgressBridge(listener);
            MemorySegment stub = bridge == null ? MemorySegment.NULL : bridge.stub(tmp);
            MemorySegment cpath = tmp.allocateFrom(file.toString());
            NativeLog.takeLastError();
            MemorySegment m = lib.abi.loadModel(lib, cpath, new Abi.ModelOptions(gpuLayers, onlyVocab, true, stub));
            if (m.equals(MemorySegment.NULL)) {
                String why = bridge != null && bridge.failure != null ? "progress listener threw " + bridge.failure
                        : NativeLog.takeErrors();
                if (why.contains("unknown model architecture")) {
                    why += " (llama.cpp " + lib.abi.generation() + " does not know architecture '" + architectureOf(file)
                            + "': point nativeLibrary(Path), -Dautoglm.native.library or AUTOGLM_NATIVE_LIBRARY at a newer"
                            + " llama.cpp build)";
                }
                throw new ModelLoadException("llama_model_load_from_file(" + file + ", vocab_only=" + onlyVocab
                        + ") returned NULL with " + lib.describe() + (why.isEmpty() ? "" : ": " + why),
                        bridge == null ? null : bridge.failure);
            }
            return m;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("loading " + file + " failed: " + t, t);
        }
    }

    private static String architectureOf(Path file) {
        try (io.autoglm.gguf.GgufFile f = io.autoglm.gguf.GgufFile.open(file)) {
            return f.architecture().orElse("?");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static void freeModel(LlamaLibrary lib, MemorySegment m) {
        try {
            lib.modelFree.invokeExact(m);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    /** Upcall target for {@code llama_model_params.progress_callback}. */
    private static final class ProgressBridge {
        private final LoadProgressListener listener;
        private Throwable failure;

        ProgressBridge(LoadProgressListener listener) {
            this.listener = listener;
        }

        MemorySegment stub(Arena arena) throws ReflectiveOperationException {
            MethodHandle target = MethodHandles.lookup().findVirtual(ProgressBridge.class, "onProgress",
                    MethodType.methodType(boolean.class, float.class, MemorySegment.class)).bindTo(this);
            return Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_BOOLEAN, JAVA_FLOAT, ADDRESS), arena);
        }

        @SuppressWarnings("unused")
        boolean onProgress(float fraction, MemorySegment userData) {
            try {
                listener.onProgress(Math.max(0f, Math.min(1f, fraction)));
                return true;
            } catch (Throwable t) {
                failure = t;
                return false; // llama.cpp aborts the load
            }
        }
    }

    // ------------------------------------------------------------------------------------- lifecycle

    @Override
    public BatchDecoder decoder() {
        if (decoder == null) {
            throw new IllegalStateException("vocabulary-only model has no context: " + this);
        }
        checkOwner();
        return decoder;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("the decoder of " + this + " is confined to thread " + owner.getName()
                    + ", called from " + Thread.currentThread().getName());
        }
    }

    /**
     * Frees the decoder (on the loading thread), then the vocabulary guard waits for calls in flight,
     * then the model is freed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (decoder != null) {
            checkOwner();
            decoder.close();
        }
        vocab.close();
        freeModel(lib, model);
    }

    // ------------------------------------------------------------------------------------ metadata

    @Override
    public String backendName() {
        return "ffm";
    }

    @Override
    public String nativeLibrary() {
        return lib.describe();
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public boolean isVocabularyThreadSafe() {
        return true;
    }

    /** @return whether a ggml threadpool is attached to this model's contexts (current generation, threads &gt; 1) */
    boolean hasThreadpool() {
        return decoder != null && decoder.hasThreadpool();
    }

    /** @return the ABI generation serving this model, e.g. {@code b4916} */
    String abiGeneration() {
        return lib.abi.generation();
    }

    /** @return the libllama file */
    Path libraryPath() {
        return lib.path;
    }

    /** @return the {@code llama_vocab *} */
    MemorySegment vocabPointer() {
        return vocab.pointer();
    }

    /** @return the generation context, for {@link FfmDiagnostics}; on the loading thread only */
    MemorySegment contextPointer() {
        checkOwner();
        if (decoder == null) {
            throw new IllegalStateException("vocabulary-only model has no context: " + this);
        }
        return decoder.context();
    }

    @Override
    public int contextSize() {
        return decoder == null ? 0 : decoder.contextSize();
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int embeddingLength() {
        return decoder == null ? 0 : decoder.embeddingLength();
    }

    @Override
    public Optional<String> chatTemplate() {
        return vocab.chatTemplate();
    }

    @Override
    public String toString() {
        return "FfmModel[" + path + ", llama.cpp " + lib.abi.generation() + (decoder == null ? ", vocab only" : "") + "]";
    }

    // ---------------------------------------------------------------------------------- vocabulary

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        return vocab.tokenize(text, addSpecial, parseSpecial);
    }

    @Override
    public byte[] tokenBytes(int token) {
        return vocab.tokenBytes(token);
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return vocab.isEndOfGeneration(token);
    }

    @Override
    public boolean isControl(int token) {
        return vocab.isControl(token);
    }

    @Override
    public String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant) {
        return vocab.applyChatTemplate(template, messages, addAssistant);
    }
}
