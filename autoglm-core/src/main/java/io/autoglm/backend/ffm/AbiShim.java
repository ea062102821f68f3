package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.autoglm.ModelLoadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Any llama.cpp build served through the AutoGLM shim ({@code native/shim/autoglm_shim.h}): a small
 * library compiled against that build's own {@code llama.h} and placed beside its libllama
 * ({@code libautoglm_shim.so}, {@code .dylib}, {@code autoglm_shim.dll}). Everything that changes between
 * llama.cpp releases goes through the shim's stable functions: model and context creation from flat
 * settings structs we own, KV memory operations, batches and the per-step decode, the penalties
 * sampler, threadpools and backend loading. What Java calls directly in libllama is only the
 * functions whose signatures have not changed since b4916 ({@link #DIRECT_SYMBOLS}).
 *
 * <p>The shim is checked before it is used: its ABI version, that it is bound to this very libllama
 * (not one of another folder), and, where the canary works, that the llama.h it was compiled against
 * has the library's {@code llama_model_params}/{@code llama_context_params} sizes (a shim left over
 * from another llama.cpp checkout is refused, not trusted).
 */
final class AbiShim extends Abi {
    static final String NAME = "shim";
    /** the {@code AUTOGLM_SHIM_ABI_VERSION} this backend is written for */
    static final int ABI_VERSION = 1;

    /** libllama functions Java calls directly when the shim serves the library: unchanged since b4916. */
    static final List<String> DIRECT_SYMBOLS = List.of(
            "llama_backend_init", "llama_log_set", "llama_model_get_vocab", "llama_vocab_n_tokens", "llama_model_n_embd",
            "llama_n_ctx", "llama_n_batch", "llama_tokenize", "llama_token_to_piece", "llama_vocab_is_eog", "llama_vocab_bos",
            "llama_model_chat_template", "llama_chat_apply_template", "llama_get_logits_ith", "llama_get_embeddings_seq",
            "llama_get_embeddings_ith", "llama_pooling_type", "llama_model_has_encoder", "llama_model_has_decoder",
            "llama_sampler_chain_init", "llama_sampler_chain_add", "llama_sampler_init_greedy", "llama_sampler_init_dist",
            "llama_sampler_init_top_k", "llama_sampler_init_top_p", "llama_sampler_init_min_p", "llama_sampler_init_temp",
            "llama_sampler_init_grammar", "llama_sampler_sample", "llama_sampler_free", "llama_vocab_is_control",
            "llama_model_n_ctx_train", "llama_sampler_init_logit_bias", "llama_sampler_apply", "llama_sampler_accept");

    /** libllama functions {@link LlamaLibrary} binds that the shim provides instead (same signature). */
    private static final Map<String, String> REPLACED = Map.of(
            "llama_model_free", "autoglm_model_free",
            "llama_free", "autoglm_context_free");

    /** {@code autoglm_model_settings}, 32 bytes. */
    static final class ModelSettings {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("struct_size"),
                JAVA_INT.withName("n_gpu_layers"),
                JAVA_INT.withName("use_mmap"),
                JAVA_INT.withName("vocab_only"),
                ADDRESS.withName("progress_callback"),
                ADDRESS.withName("progress_callback_user_data")).withName("autoglm_model_settings");
        static final VarHandle STRUCT_SIZE = Structs.field(LAYOUT, "struct_size");
        static final VarHandle N_GPU_LAYERS = Structs.field(LAYOUT, "n_gpu_layers");
        static final VarHandle USE_MMAP = Structs.field(LAYOUT, "use_mmap");
        static final VarHandle VOCAB_ONLY = Structs.field(LAYOUT, "vocab_only");
        static final VarHandle PROGRESS = Structs.field(LAYOUT, "progress_callback");
        static final VarHandle PROGRESS_DATA = Structs.field(LAYOUT, "progress_callback_user_data");

        private ModelSettings() {
        }
    }

    /** {@code autoglm_context_settings}, 48 bytes. */
    static final class ContextSettings {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("struct_size"),
                JAVA_INT.withName("n_ctx"),
                JAVA_INT.withName("n_batch"),
                JAVA_INT.withName("n_ubatch"),
                JAVA_INT.withName("n_seq_max"),
                JAVA_INT.withName("n_threads"),
                JAVA_INT.withName("pooling_type"),
                JAVA_INT.withName("embeddings"),
                JAVA_INT.withName("kv_unified"),
                JAVA_INT.withName("flash_attn"),
                JAVA_INT.withName("outputs_per_token"),
                JAVA_INT.withName("reserved")).withName("autoglm_context_settings");

        private ContextSettings() {
        }

        static void set(MemorySegment s, String field, int value) {
            s.set(JAVA_INT, LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
        }
    }

    /** {@code autoglm_batch_arrays}, 40 bytes. */
    static final class BatchArrays {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("token"),
                ADDRESS.withName("pos"),
                ADDRESS.withName("seq"),
                ADDRESS.withName("logits"),
                JAVA_INT.withName("capacity"),
                JAVA_INT.withName("reserved")).withName("autoglm_batch_arrays");
        static final VarHandle TOKEN = Structs.field(LAYOUT, "token");
        static final VarHandle POS = Structs.field(LAYOUT, "pos");
        static final VarHandle SEQ = Structs.field(LAYOUT, "seq");
        static final VarHandle LOGITS = Structs.field(LAYOUT, "logits");

        private BatchArrays() {
        }
    }

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup shim;
    private final Path shimPath;
    private final String release;
    private final String features;
    private final MethodHandle backendLoad;
    private final MethodHandle modelLoad;
    private final MethodHandle contextNew;
    private final MethodHandle threadpoolNew;
    private final MethodHandle threadpoolAttach;
    private final MethodHandle threadpoolDetach;
    private final MethodHandle threadpoolFree;
    private final MethodHandle memoryClear;
    private final MethodHandle memorySeqRm;
    private final MethodHandle memorySeqCp;
    private final MethodHandle batchNew;
    private final MethodHandle batchFree;
    private final MethodHandle decode;
    private final MethodHandle encode;
    private final MethodHandle penalties;

    private AbiShim(SymbolLookup shim, Path shimPath, String release, String features, long measuredModelParams,
            long measuredContextParams) {
        super(NAME, measuredModelParams, measuredContextParams);
        this.shim = shim;
        this.shimPath = shimPath;
        this.release = release;
        this.features = features;
        this.backendLoad = h("autoglm_backend_load", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        this.modelLoad = h("autoglm_model_load", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        this.contextNew = h("autoglm_context_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        this.threadpoolNew = h("autoglm_threadpool_new", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        this.threadpoolAttach = h("autoglm_threadpool_attach", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        this.threadpoolDetach = h("autoglm_threadpool_detach", FunctionDescriptor.ofVoid(ADDRESS));
        this.threadpoolFree = h("autoglm_threadpool_free", FunctionDescriptor.ofVoid(ADDRESS));
        this.memoryClear = h("autoglm_memory_clear", FunctionDescriptor.ofVoid(ADDRESS));
        this.memorySeqRm = h("autoglm_memory_seq_rm", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        this.memorySeqCp = h("autoglm_memory_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        this.batchNew = h("autoglm_batch_new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        this.batchFree = h("autoglm_batch_free", FunctionDescriptor.ofVoid(ADDRESS));
        this.decode = h("autoglm_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        this.encode = h("autoglm_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        this.penalties = h("autoglm_sampler_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
    }

    private MethodHandle h(String name, FunctionDescriptor fd) {
        return linker.downcallHandle(shim.find(name).orElseThrow(
                () -> new ModelLoadException("AutoGLM shim " + shimPath + " lacks " + name + "; rebuild it")), fd);
    }

    /** every function of {@code autoglm_shim.h} (ABI 1) */
    static final List<String> SHIM_SYMBOLS = List.of("autoglm_shim_abi_version", "autoglm_shim_llama_release",
            "autoglm_shim_features", "autoglm_shim_header_size", "autoglm_shim_llama_path", "autoglm_backend_load",
            "autoglm_model_load", "autoglm_model_free", "autoglm_context_new", "autoglm_context_free", "autoglm_threadpool_new",
            "autoglm_threadpool_attach", "autoglm_threadpool_detach", "autoglm_threadpool_free", "autoglm_memory_clear",
            "autoglm_memory_seq_rm", "autoglm_memory_seq_cp", "autoglm_batch_new", "autoglm_batch_free", "autoglm_decode",
            "autoglm_encode", "autoglm_sampler_penalties");

    /** @return the shim file beside {@code library} when there is one, else null */
    static Path beside(Path library) {
        Path dir = library.toAbsolutePath().getParent();
        if (dir == null) {
            return null;
        }
        Path p = dir.resolve(ShimSource.libraryFileName());
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Loads and checks the shim beside a library.
     *
     * @param library the libllama file (already loaded through {@code llama})
     * @param llama its symbols
     * @param shimFile the shim beside it
     * @throws ModelLoadException when the shim cannot be loaded, is of another ABI version, is bound to another
     *     libllama, was compiled against another llama.h, or the library lacks a function Java calls directly
     */
    static AbiShim open(Path library, SymbolLookup llama, Path shimFile) {
        String rebuild = "; rebuild it with: " + ShimSource.buildCommand(library);
        SymbolLookup s;
        try {
            s = SymbolLookup.libraryLookup(shimFile, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("cannot load the AutoGLM shim " + shimFile + " beside " + library + ": "
                    + e.getMessage() + rebuild, e);
        }
        List<String> missing = new ArrayList<>();
        for (String sym : SHIM_SYMBOLS) {
            if (s.find(sym).isEmpty()) {
                missing.add(sym);
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelLoadException("AutoGLM shim " + shimFile + " lacks " + missing + " (an older or foreign build)" + rebuild);
        }
        try {
            Linker linker = Linker.nativeLinker();
            int abi = (int) linker.downcallHandle(s.find("autoglm_shim_abi_version").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT)).invokeExact();
            if (abi != ABI_VERSION) {
                throw new ModelLoadException("AutoGLM shim " + shimFile + " has shim ABI " + abi + ", this AutoGLM needs "
                        + ABI_VERSION + rebuild);
            }
            String bound = string(linker, s, "autoglm_shim_llama_path");
            if (!bound.isEmpty() && !sameFile(Path.of(bound), library)) {
                throw new ModelLoadException("AutoGLM shim " + shimFile + " is bound to " + bound + ", not to " + library
                        + " (it was linked against another libllama)" + rebuild);
            }
            MethodHandle headerSize = linker.downcallHandle(s.find("autoglm_shim_header_size").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            int headerModel = (int) headerSize.invokeExact(0);
            int headerContext = (int) headerSize.invokeExact(1);
            long modelSize = llama.find("llama_model_default_params").isPresent() ? canarySize(llama, "llama_model_default_params") : -1;
            long ctxSize = llama.find("llama_context_default_params").isPresent() ? canarySize(llama, "llama_context_default_params") : -1;
            checkHeader(shimFile, library, "llama_model_params", headerModel, modelSize, rebuild);
            checkHeader(shimFile, library, "llama_context_params", headerContext, ctxSize, rebuild);
            Set<String> lacking = new TreeSet<>();
            for (String sym : DIRECT_SYMBOLS) {
                if (llama.find(sym).isEmpty()) {
                    lacking.add(sym);
                }
            }
            if (!lacking.isEmpty()) {
                throw new ModelLoadException("native library " + library + " (served by the AutoGLM shim " + shimFile
                        + ") lacks " + lacking + ", which AutoGLM calls directly; this llama.cpp release renamed them and the"
                        + " shim (ABI " + ABI_VERSION + ") does not wrap them yet");
            }
            String release = string(linker, s, "autoglm_shim_llama_release");
            if (release.isBlank() || release.equals("unknown")) {
                release = llama.find("llama_version").isPresent() ? AbiCurrent.readVersion(llama) : "unknown release";
            }
            return new AbiShim(s, shimFile, release, string(linker, s, "autoglm_shim_features"), modelSize, ctxSize);
        } catch (ModelLoadException e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("checking the AutoGLM shim " + shimFile + " failed: " + t + rebuild, t);
        }
    }

    private static void checkHeader(Path shimFile, Path library, String struct, int header, long measured, String rebuild) {
        if (measured >= 0 && header != measured) {
            throw new ModelLoadException("AutoGLM shim " + shimFile + " was compiled against a llama.h whose " + struct + " is "
                    + header + " bytes, but " + library + " has " + measured + " bytes (the shim is from another llama.cpp"
                    + " checkout)" + rebuild);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static String string(Linker linker, SymbolLookup s, String fn) throws Throwable {
        MemorySegment p = (MemorySegment) linker.downcallHandle(s.find(fn).orElseThrow(), FunctionDescriptor.of(ADDRESS))
                .invokeExact();
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------ what it is

    @Override
    String version() {
        return release;
    }

    @Override
    String seam(Path library) {
        return "shim " + shimPath;
    }

    /** @return how the shim adapted to its llama.h, e.g. {@code memory=llama_memory_*; load=load_mode; ...} */
    String features() {
        return features;
    }

    /** @return the shim file */
    Path shimPath() {
        return shimPath;
    }

    @Override
    MemorySegment replacement(String name) {
        String alt = REPLACED.get(name);
        return alt == null ? MemorySegment.NULL : shim.find(alt).orElseThrow();
    }

    // ------------------------------------------------------------------------------ model, context

    @Override
    void afterBackendInit(Path library) {
        Path dir = library.toAbsolutePath().getParent();
        try (Arena a = Arena.ofConfined()) {
            long n = (long) backendLoad.invokeExact(a.allocateFrom(dir.toString()));
            if (n <= 0) {
                throw new ModelLoadException("llama.cpp library " + library + " (through the AutoGLM shim) found no ggml backend"
                        + " (autoglm_backend_load(" + dir + ") = " + n + "): the folder must hold the ggml backends it was built with");
            }
        } catch (ModelLoadException e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("loading the ggml backends of " + library + " failed: " + t, t);
        }
    }

    @Override
    MemorySegment loadModel(LlamaLibrary lib, MemorySegment path, ModelOptions o) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment s = tmp.allocate(ModelSettings.LAYOUT);
            ModelSettings.STRUCT_SIZE.set(s, 0L, (int) ModelSettings.LAYOUT.byteSize());
            ModelSettings.N_GPU_LAYERS.set(s, 0L, o.gpuLayers());
            ModelSettings.USE_MMAP.set(s, 0L, o.useMmap() ? 1 : 0);
            ModelSettings.VOCAB_ONLY.set(s, 0L, o.vocabOnly() ? 1 : 0);
            ModelSettings.PROGRESS.set(s, 0L, o.progressCallback());
            ModelSettings.PROGRESS_DATA.set(s, 0L, MemorySegment.NULL);
            return (MemorySegment) modelLoad.invokeExact(path, s);
        }
    }

    /** The shim sets flash attention on every build it compiles against ({@code flash_attn} or {@code flash_attn_type}). */
    @Override
    boolean offersFlashAttention() {
        return true;
    }

    @Override
    MemorySegment newContext(LlamaLibrary lib, MemorySegment model, ContextOptions o) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment s = tmp.allocate(ContextSettings.LAYOUT);
            ContextSettings.set(s, "struct_size", (int) ContextSettings.LAYOUT.byteSize());
            ContextSettings.set(s, "n_ctx", o.nCtx());
            ContextSettings.set(s, "n_batch", o.nBatch());
            ContextSettings.set(s, "n_ubatch", o.nUbatch());
            ContextSettings.set(s, "n_seq_max", o.nSeqMax());
            ContextSettings.set(s, "n_threads", o.threads());
            ContextSettings.set(s, "pooling_type", o.poolingType());
            ContextSettings.set(s, "embeddings", o.embeddings() ? 1 : 0);
            // one cache for all sequences, so a prefix is shared by seq_cp without copying
            ContextSettings.set(s, "kv_unified", o.nSeqMax() > 1 ? 1 : 0);
            // as asked (off by default: faster for small models on the CPU); the shim maps it onto the build's field
            ContextSettings.set(s, "flash_attn", o.flashAttention() ? 1 : 0);
            // evaluate() and mean-pooled embeddings read an output for every token of a sequence
            ContextSettings.set(s, "outputs_per_token", 1);
            return (MemorySegment) contextNew.invokeExact(model, s);
        }
    }

    @Override
    MemorySegment createThreadpool(int threads) {
        if (threads <= 1) {
            return MemorySegment.NULL;
        }
        try {
            return (MemorySegment) threadpoolNew.invokeExact(threads);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void attachThreadpool(MemorySegment ctx, MemorySegment threadpool) {
        if (threadpool.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            threadpoolAttach.invokeExact(ctx, threadpool);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void detachThreadpool(MemorySegment ctx, MemorySegment threadpool) {
        if (threadpool.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            threadpoolDetach.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void freeThreadpool(MemorySegment threadpool) {
        if (threadpool.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            threadpoolFree.invokeExact(threadpool);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------- memory

    @Override
    void clearMemory(MemorySegment ctx) {
        try {
            memoryClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    boolean seqRemove(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            return (int) memorySeqRm.invokeExact(ctx, seq, p0, p1) != 0;
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void seqCopy(MemorySegment ctx, int src, int dst, int p0, int p1) {
        try {
            memorySeqCp.invokeExact(ctx, src, dst, p0, p1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    MemorySegment initPenalties(int nVocab, int lastN, float repeat, float frequency, float presence) {
        try {
            return (MemorySegment) penalties.invokeExact(nVocab, lastN, repeat, frequency, presence);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------- batches

    /**
     * @param capacity most tokens
     * @param arrays receives the shim's arrays ({@link BatchArrays#LAYOUT})
     * @return the {@code autoglm_batch *}
     */
    MemorySegment newBatch(int capacity, MemorySegment arrays) {
        try {
            MemorySegment b = (MemorySegment) batchNew.invokeExact(capacity, arrays);
            if (b.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("autoglm_batch_new(" + capacity + ") returned NULL");
            }
            return b;
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    void freeBatch(MemorySegment batch) {
        try {
            batchFree.invokeExact(batch);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    int decode(MemorySegment ctx, MemorySegment batch, int n) throws Throwable {
        return (int) decode.invokeExact(ctx, batch, n);
    }

    int encode(MemorySegment ctx, MemorySegment batch, int n) throws Throwable {
        return (int) encode.invokeExact(ctx, batch, n);
    }
}
