package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.autoglm.ModelLoadException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One generation of the llama.cpp C API, or the shim that adapts any generation: everything a
 * binding has to do differently between generations lives in a subclass, nothing
 * generation-specific lives elsewhere. Two generations are described by hand-written layouts
 * ({@link LayoutAbi}): {@link AbiB4916} (the library bundled in {@code de.kherud:llama:4.2.0}) and
 * {@link AbiCurrent} ({@code reference/llama-current-abi.md}: 80/160-byte params, {@code llama_memory_*},
 * re-typed {@code llama_sampler_init_penalties}, run-time loaded CPU backend, threadpool). Any other
 * build is served by {@link AbiShim}: a small library compiled against that build's own
 * {@code llama.h} ({@code native/shim}, {@code docs/native-seam.md}) and found beside it.
 * {@link #probe} picks one: the shim when it is present, else a generation from symbol presence and
 * the default-params sizes measured by canary.
 */
abstract sealed class Abi permits LayoutAbi, AbiShim {
    /** Symbols every supported generation exports with the same signature. */
    static final List<String> COMMON_SYMBOLS = List.of(
            "llama_backend_init", "llama_log_set", "llama_model_default_params", "llama_context_default_params",
            "llama_model_load_from_file", "llama_model_free", "llama_init_from_model", "llama_free",
            "llama_model_get_vocab", "llama_vocab_n_tokens", "llama_model_n_embd", "llama_n_ctx", "llama_n_batch",
            "llama_tokenize", "llama_token_to_piece", "llama_vocab_is_eog", "llama_vocab_bos",
            "llama_model_chat_template", "llama_chat_apply_template", "llama_batch_init", "llama_batch_free",
            "llama_decode", "llama_encode", "llama_get_logits_ith", "llama_get_embeddings_seq",
            "llama_get_embeddings_ith", "llama_pooling_type", "llama_model_has_encoder", "llama_model_has_decoder",
            "llama_sampler_chain_init", "llama_sampler_chain_add", "llama_sampler_init_greedy",
            "llama_sampler_init_dist", "llama_sampler_init_top_k", "llama_sampler_init_top_p",
            "llama_sampler_init_min_p", "llama_sampler_init_temp", "llama_sampler_init_penalties",
            "llama_sampler_init_grammar", "llama_sampler_sample", "llama_sampler_free", "llama_set_n_threads",
            "llama_vocab_is_control", "llama_model_n_ctx_train", "llama_sampler_init_logit_bias", "llama_sampler_apply",
            "llama_sampler_accept");

    /** Model loading options a generation maps onto its {@code llama_model_params}. */
    record ModelOptions(int gpuLayers, boolean vocabOnly, boolean useMmap, MemorySegment progressCallback) {
    }

    /**
     * Context options a generation maps onto its {@code llama_context_params}.
     *
     * @param nSeqMax sequence ids the context accepts; above 1 the KV cache is one buffer shared by
     *     all sequences (so {@code seq_cp} shares cells)
     * @param flashAttention true to ask for flash attention (only a generation that offers it is given true)
     */
    record ContextOptions(int nCtx, int nBatch, int nUbatch, int threads, boolean embeddings, int poolingType, int nSeqMax,
            boolean flashAttention) {
    }

    /**
     * The {@code llama_model_params} members every generation has and that we set, looked up by name
     * in one generation's layout (so at that generation's offsets).
     */
    record ModelParamFields(VarHandle nGpuLayers, VarHandle progressCallback, VarHandle progressUserData,
            VarHandle vocabOnly) {
        static ModelParamFields of(StructLayout layout) {
            return new ModelParamFields(Structs.field(layout, "n_gpu_layers"), Structs.field(layout, "progress_callback"),
                    Structs.field(layout, "progress_callback_user_data"), Structs.field(layout, "vocab_only"));
        }

        /** Writes the options every generation takes the same way (mmap is per generation). */
        void apply(MemorySegment p, ModelOptions o) {
            nGpuLayers.set(p, 0L, o.gpuLayers());
            vocabOnly.set(p, 0L, o.vocabOnly());
            progressCallback.set(p, 0L, o.progressCallback());
            progressUserData.set(p, 0L, MemorySegment.NULL);
        }
    }

    /**
     * The {@code llama_context_params} members every generation has and that we set, looked up by name
     * in one generation's layout (so at that generation's offsets).
     */
    record ContextParamFields(VarHandle nCtx, VarHandle nBatch, VarHandle nUbatch, VarHandle nSeqMax, VarHandle nThreads,
            VarHandle nThreadsBatch, VarHandle poolingType, VarHandle embeddings, VarHandle noPerf) {
        static ContextParamFields of(StructLayout layout) {
            return new ContextParamFields(Structs.field(layout, "n_ctx"), Structs.field(layout, "n_batch"),
                    Structs.field(layout, "n_ubatch"), Structs.field(layout, "n_seq_max"), Structs.field(layout, "n_threads"),
                    Structs.field(layout, "n_threads_batch"), Structs.field(layout, "pooling_type"),
                    Structs.field(layout, "embeddings"), Structs.field(layout, "no_perf"));
        }

        /** Writes the options every generation takes the same way; perf counters off. */
        void apply(MemorySegment p, ContextOptions o) {
            nCtx.set(p, 0L, o.nCtx());
            nBatch.set(p, 0L, o.nBatch());
            nUbatch.set(p, 0L, o.nUbatch());
            nSeqMax.set(p, 0L, o.nSeqMax());
            nThreads.set(p, 0L, o.threads());
            nThreadsBatch.set(p, 0L, o.threads());
            poolingType.set(p, 0L, o.poolingType());
            embeddings.set(p, 0L, o.embeddings());
            noPerf.set(p, 0L, true);
        }
    }

    /** pooling type values (same in every generation) */
    static final int POOLING_UNSPECIFIED = -1;
    static final int POOLING_NONE = 0;
    static final int POOLING_MEAN = 1;

    private final String generation;
    private final long measuredModelParams;
    private final long measuredContextParams;

    /**
     * @param generation the generation's name
     * @param measuredModelParams the default model params' size measured in the library, or -1
     * @param measuredContextParams the default context params' size measured in the library, or -1
     */
    Abi(String generation, long measuredModelParams, long measuredContextParams) {
        this.generation = generation;
        this.measuredModelParams = measuredModelParams;
        this.measuredContextParams = measuredContextParams;
    }

    /** @return the generation's name, e.g. {@code b4916} */
    final String generation() {
        return generation;
    }

    /** @return true when this generation's contexts can be asked for flash attention */
    boolean offersFlashAttention() {
        return false;
    }

    /** @return the library's own version ({@code llama_version()}), or the generation name when it has none */
    String version() {
        return generation();
    }

    /**
     * @param threads decode threads
     * @return a threadpool to attach to contexts, or NULL when the generation needs none
     */
    MemorySegment createThreadpool(int threads) {
        return MemorySegment.NULL;
    }

    /** Attaches a pool from {@link #createThreadpool} (NULL: nothing) to a context. */
    void attachThreadpool(MemorySegment ctx, MemorySegment threadpool) {
    }

    /** Detaches the pool before the context is freed (NULL: nothing). */
    void detachThreadpool(MemorySegment ctx, MemorySegment threadpool) {
    }

    /** Frees a pool after every context using it was freed (NULL: nothing). */
    void freeThreadpool(MemorySegment threadpool) {
    }

    /**
     * @return which seam serves the library, for {@code ModelInfo.nativeLibrary()}: {@code bundled layout},
     *     {@code known generation NAME} or {@code shim PATH}
     */
    abstract String seam(Path library);

    /**
     * Loads a model ({@code llama_model_load_from_file} with the library's defaults patched by {@code options}).
     *
     * @param lib the library
     * @param path the model file as a C string
     * @param options how to load it
     * @return the {@code llama_model *}, or NULL when llama.cpp refused it (its reason is in the log)
     */
    abstract MemorySegment loadModel(LlamaLibrary lib, MemorySegment path, ModelOptions options) throws Throwable;

    /**
     * Creates a context ({@code llama_init_from_model} with the library's defaults patched by {@code options}).
     *
     * @return the {@code llama_context *}, or NULL when llama.cpp refused it
     */
    abstract MemorySegment newContext(LlamaLibrary lib, MemorySegment model, ContextOptions options) throws Throwable;

    /**
     * @param name a {@code llama_*} function that {@link LlamaLibrary} binds
     * @return an address with the same signature to call instead, or NULL to call the library's own
     */
    MemorySegment replacement(String name) {
        return MemorySegment.NULL;
    }

    /** Empties the KV cache/memory of a context. */
    abstract void clearMemory(MemorySegment ctx);

    /**
     * @param rc what {@code llama_decode} returned (not 0)
     * @param lastError the last error llama.cpp logged during the call, or ""
     * @return true when the batch found no room in the KV cache and nothing was changed
     */
    boolean noKvSpace(int rc, String lastError) {
        return rc == 1;
    }

    /**
     * Removes a sequence from the cells of positions {@code [p0, p1)} ({@code -1} = open end).
     *
     * @return false when the library refused a partial removal
     */
    abstract boolean seqRemove(MemorySegment ctx, int seq, int p0, int p1);

    /** Adds {@code dst} to the cells {@code src} holds at positions {@code [p0, p1)} ({@code -1} = open end). */
    abstract void seqCopy(MemorySegment ctx, int src, int dst, int p0, int p1);

    /** @return a repetition/frequency/presence penalties sampler (the signature differs between generations) */
    abstract MemorySegment initPenalties(int nVocab, int lastN, float repeat, float frequency, float presence);

    /**
     * @param sampler what {@code llama_sampler_init_grammar} returned
     * @param vocab the vocabulary it was given
     * @return false when the grammar was rejected (a NULL sampler in newer generations)
     */
    boolean grammarAccepted(MemorySegment sampler, MemorySegment vocab) {
        return !sampler.equals(MemorySegment.NULL);
    }

    /** Called once per library after {@code llama_backend_init} (the current generation loads its CPU backend here). */
    void afterBackendInit(Path library) {
    }

    /** @return sizes of the default-params structs as measured in the library, or -1 when not measurable here */
    final long measuredModelParamsSize() {
        return measuredModelParams;
    }

    /** @return see {@link #measuredModelParamsSize()} */
    final long measuredContextParamsSize() {
        return measuredContextParams;
    }

    /**
     * Picks what serves a loaded library: the shim when one is beside it ({@link AbiShim}), else a
     * generation from the library's exported symbols and its default-params struct sizes.
     *
     * @throws ModelLoadException for an unknown or not yet supported library, or a shim that does not fit it,
     *     naming what was probed and, for a llama.cpp build, how to build the shim
     */
    static Abi probe(Path path, SymbolLookup lookup) {
        Path shim = AbiShim.beside(path);
        if (shim != null) {
            return AbiShim.open(path, lookup, shim);
        }
        List<String> missing = new ArrayList<>();
        for (String s : COMMON_SYMBOLS) {
            if (lookup.find(s).isEmpty()) {
                missing.add(s);
            }
        }
        boolean hasVersion = lookup.find("llama_version").isPresent();
        boolean hasMemory = lookup.find("llama_get_memory").isPresent();
        boolean hasKvSelf = lookup.find("llama_kv_self_clear").isPresent();
        String probed = "probed: llama_version " + presence(hasVersion) + ", llama_get_memory " + presence(hasMemory)
                + ", llama_kv_self_clear " + presence(hasKvSelf);
        if (!missing.isEmpty()) {
            throw new ModelLoadException("unknown native library " + path + ": not a llama.cpp C API this backend knows ("
                    + probed + "; missing " + missing + "); point nativeLibrary at a llama.cpp build or use the bundled one"
                    + (lookup.find("llama_decode").isPresent() ? shimHint(path) : ""));
        }
        if (hasMemory) {
            List<String> lacking = new ArrayList<>();
            for (String sym : AbiCurrent.REQUIRED) {
                if (lookup.find(sym).isEmpty()) {
                    lacking.add(sym);
                }
            }
            String version = hasVersion ? AbiCurrent.readVersion(lookup) : "unknown";
            probed += ", llama_version() \"" + version + "\"";
            if (!lacking.isEmpty()) {
                throw new ModelLoadException("native library " + path + " is a newer llama.cpp (" + probed
                        + ") but lacks " + lacking + " that the " + AbiCurrent.NAME
                        + " ABI generation needs; this build is incompatible with the built-in layouts" + shimHint(path));
            }
            long modelSize = canarySize(lookup, "llama_model_default_params");
            long ctxSize = canarySize(lookup, "llama_context_default_params");
            probed += ", llama_model_default_params " + modelSize + " B, llama_context_default_params " + ctxSize + " B";
            AbiCurrent abi = new AbiCurrent(lookup, version, modelSize, ctxSize);
            checkSize(path, AbiCurrent.NAME, "llama_model_params", modelSize, abi.modelParamsLayout().byteSize(), probed);
            checkSize(path, AbiCurrent.NAME, "llama_context_params", ctxSize, abi.contextParamsLayout().byteSize(), probed);
            return abi;
        }
        if (hasVersion) {
            throw new ModelLoadException("unknown llama.cpp ABI in " + path + " (" + probed
                    + "): has llama_version but neither llama_get_memory nor llama_kv_self_clear" + shimHint(path));
        }
        if (!hasKvSelf) {
            throw new ModelLoadException("unknown llama.cpp ABI in " + path + " (" + probed
                    + "): older than " + AbiB4916.NAME + "; use the bundled library");
        }
        long modelSize = canarySize(lookup, "llama_model_default_params");
        long ctxSize = canarySize(lookup, "llama_context_default_params");
        probed += ", llama_model_default_params " + modelSize + " B, llama_context_default_params " + ctxSize + " B";
        checkSize(path, AbiB4916.NAME, "llama_model_params", modelSize, AbiB4916.ModelParams.LAYOUT.byteSize(), probed);
        checkSize(path, AbiB4916.NAME, "llama_context_params", ctxSize, AbiB4916.ContextParams.LAYOUT.byteSize(), probed);
        List<String> lacking = new ArrayList<>();
        for (String sym : AbiB4916.REQUIRED) {
            if (lookup.find(sym).isEmpty()) {
                lacking.add(sym);
            }
        }
        if (!lacking.isEmpty()) {
            throw new ModelLoadException("native library " + path + " looks like llama.cpp " + AbiB4916.NAME + " (" + probed
                    + ") but lacks " + lacking + "; this build is incompatible with the built-in layouts" + shimHint(path));
        }
        return new AbiB4916(lookup, modelSize, ctxSize);
    }

    private static void checkSize(Path path, String generation, String struct, long measured, long expected, String probed) {
        if (measured >= 0 && measured != expected) {
            throw new ModelLoadException("native library " + path + " looks like the llama.cpp " + generation
                    + " ABI generation (" + probed + ") but its " + struct + " is " + measured + " bytes, expected "
                    + expected + "; this build is incompatible with the built-in layouts: use the bundled library or a"
                    + " supported build" + shimHint(path));
        }
    }

    /** @return the end of a refusal: how to build the shim that serves this llama.cpp build */
    static String shimHint(Path library) {
        return "; to use this build, compile the AutoGLM shim beside it against the llama.h of the same llama.cpp checkout: "
                + ShimSource.buildCommand(library) + " (docs/native-seam.md)";
    }

    private static String presence(boolean b) {
        return b ? "present" : "absent";
    }

    /**
     * Measures how many bytes a {@code *_default_params()} function writes. On x86-64 SysV a struct
     * over 16 bytes is returned through a hidden pointer in RDI (and echoed in RAX), so calling it as
     * {@code void *f(void *out)} with a canary-filled buffer shows the struct's extent. Only done
     * where that convention holds; elsewhere returns -1 (the symbol probe decides alone).
     *
     * @return the measured size rounded up to 8, or -1 when the platform's convention differs
     */
    static long canarySize(SymbolLookup lookup, String function) {
        if (!isSysVx86_64()) {
            return -1;
        }
        MethodHandle raw = Linker.nativeLinker().downcallHandle(lookup.find(function).orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        int cap = 1024;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(cap, 16).fill((byte) 0xAA);
            MemorySegment b = arena.allocate(cap, 16).fill((byte) 0x55);
            MemorySegment unusedA = (MemorySegment) raw.invokeExact(a);
            MemorySegment unusedB = (MemorySegment) raw.invokeExact(b);
            int last = -1;
            for (int i = 0; i < cap; i++) {
                if (a.get(JAVA_BYTE, i) != (byte) 0xAA || b.get(JAVA_BYTE, i) != (byte) 0x55) {
                    last = i;
                }
            }
            return last < 0 ? 0 : ((last + 1 + 7) / 8) * 8L;
        } catch (Throwable t) {
            throw new ModelLoadException("probing " + function + " failed: " + t, t);
        }
    }

    static boolean isSysVx86_64() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && !os.contains("windows");
    }
}
