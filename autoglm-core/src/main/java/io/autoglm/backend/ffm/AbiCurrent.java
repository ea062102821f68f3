package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.autoglm.ModelLoadException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The current llama.cpp C API generation (release 0.5.x, 2026; measured on the build in
 * {@code @node-llama-cpp/linux-x64@3.22.1}, {@code reference/llama-current-abi.md}): 80-byte model
 * params with {@code load_mode}/{@code lazy_mode}, 160-byte context params, 48-byte perf data,
 * {@code llama_memory_*} on {@code llama_get_memory(ctx)}, {@code llama_sampler_init_penalties}
 * with a leading {@code n_vocab}, a CPU backend that must be loaded at run time from the library's
 * folder, and a persistent ggml threadpool for more than one thread (without it every decode
 * creates fresh threads and decode can stall on a small machine).
 */
final class AbiCurrent extends LayoutAbi {
    static final String NAME = "current";

    /** {@code struct llama_model_params}, 80 bytes. */
    static final class ModelParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("devices"),
                ADDRESS.withName("tensor_buft_overrides"),
                JAVA_INT.withName("n_gpu_layers"),
                JAVA_INT.withName("split_mode"),
                JAVA_INT.withName("load_mode"),
                JAVA_INT.withName("lazy_mode"),
                JAVA_INT.withName("main_gpu"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("tensor_split"),
                ADDRESS.withName("progress_callback"),
                ADDRESS.withName("progress_callback_user_data"),
                ADDRESS.withName("kv_overrides"),
                JAVA_BOOLEAN.withName("vocab_only"),
                JAVA_BOOLEAN.withName("check_tensors"),
                JAVA_BOOLEAN.withName("use_extra_bufts"),
                JAVA_BOOLEAN.withName("no_host"),
                JAVA_BOOLEAN.withName("no_alloc"),
                JAVA_BOOLEAN.withName("load_mtp"),
                MemoryLayout.paddingLayout(2)).withName("llama_model_params");
        static final ModelParamFields COMMON = ModelParamFields.of(LAYOUT);
        static final VarHandle LOAD_MODE = Structs.field(LAYOUT, "load_mode");
        static final VarHandle LAZY_MODE = Structs.field(LAYOUT, "lazy_mode");

        /** enum llama_load_mode: AUTO -1, NONE 0, MMAP 1, MLOCK 2, MMAP_MLOCK 3, DIRECT_IO 4 */
        static final int LOAD_NONE = 0;
        static final int LOAD_MMAP = 1;

        private ModelParams() {
        }
    }

    /** {@code struct llama_context_params}, 160 bytes. */
    static final class ContextParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("n_ctx"),
                JAVA_INT.withName("n_batch"),
                JAVA_INT.withName("n_ubatch"),
                JAVA_INT.withName("n_seq_max"),
                JAVA_INT.withName("n_rs_seq"),
                JAVA_INT.withName("n_outputs_max"),
                JAVA_INT.withName("n_outputs_max_per_seq"),
                JAVA_INT.withName("n_threads"),
                JAVA_INT.withName("n_threads_batch"),
                JAVA_INT.withName("ctx_type"),
                JAVA_INT.withName("rope_scaling_type"),
                JAVA_INT.withName("pooling_type"),
                JAVA_INT.withName("attention_type"),
                JAVA_INT.withName("flash_attn_type"),
                JAVA_FLOAT.withName("rope_freq_base"),
                JAVA_FLOAT.withName("rope_freq_scale"),
                JAVA_FLOAT.withName("yarn_ext_factor"),
                JAVA_FLOAT.withName("yarn_attn_factor"),
                JAVA_FLOAT.withName("yarn_beta_fast"),
                JAVA_FLOAT.withName("yarn_beta_slow"),
                JAVA_INT.withName("yarn_orig_ctx"),
                JAVA_FLOAT.withName("defrag_thold"),
                ADDRESS.withName("cb_eval"),
                ADDRESS.withName("cb_eval_user_data"),
                JAVA_INT.withName("type_k"),
                JAVA_INT.withName("type_v"),
                ADDRESS.withName("abort_callback"),
                ADDRESS.withName("abort_callback_data"),
                JAVA_BOOLEAN.withName("embeddings"),
                JAVA_BOOLEAN.withName("offload_kqv"),
                JAVA_BOOLEAN.withName("no_perf"),
                JAVA_BOOLEAN.withName("op_offload"),
                JAVA_BOOLEAN.withName("swa_full"),
                JAVA_BOOLEAN.withName("kv_unified"),
                MemoryLayout.paddingLayout(2),
                ADDRESS.withName("samplers"),
                JAVA_LONG.withName("n_samplers"),
                ADDRESS.withName("ctx_other")).withName("llama_context_params");
        static final ContextParamFields COMMON = ContextParamFields.of(LAYOUT);
        static final VarHandle N_OUTPUTS_MAX_PER_SEQ = Structs.field(LAYOUT, "n_outputs_max_per_seq");
        static final VarHandle FLASH_ATTN_TYPE = Structs.field(LAYOUT, "flash_attn_type");
        static final VarHandle KV_UNIFIED = Structs.field(LAYOUT, "kv_unified");

        /** enum llama_flash_attn_type: AUTO -1, DISABLED 0, ENABLED 1 */
        static final int FLASH_ATTN_DISABLED = 0;
        static final int FLASH_ATTN_ENABLED = 1;

        private ContextParams() {
        }
    }

    /** {@code struct llama_perf_context_data}, 48 bytes (b4916's 40 plus {@code n_reused}). */
    static final class PerfContextData {
        static final StructLayout LAYOUT = Structs.perfContextData(
                JAVA_INT.withName("n_reused"),
                MemoryLayout.paddingLayout(4));

        private PerfContextData() {
        }
    }

    /** {@code struct ggml_threadpool_params}, 528 bytes, returned by value from {@code ggml_threadpool_params_default}. */
    static final class ThreadpoolParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                MemoryLayout.sequenceLayout(512, JAVA_BOOLEAN).withName("cpumask"),
                JAVA_INT.withName("n_threads"),
                JAVA_INT.withName("prio"),
                JAVA_INT.withName("poll"),
                JAVA_BOOLEAN.withName("strict_cpu"),
                JAVA_BOOLEAN.withName("paused"),
                MemoryLayout.paddingLayout(2)).withName("ggml_threadpool_params");

        private ThreadpoolParams() {
        }
    }

    /** Symbols only this generation has (checked by {@link Abi#probe}). */
    static final String[] REQUIRED = {"llama_get_memory", "llama_memory_clear", "llama_memory_seq_rm", "llama_memory_seq_cp", "ggml_backend_load_all_from_path",
        "ggml_backend_dev_count", "ggml_backend_dev_by_type", "ggml_backend_dev_backend_reg",
        "ggml_backend_reg_get_proc_address", "ggml_threadpool_params_default", "llama_attach_threadpool",
        "llama_detach_threadpool"};

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup lookup;
    private final String version;
    private final MethodHandle getMemory;
    private final MethodHandle memoryClear;
    private final MethodHandle memorySeqRm;
    private final MethodHandle memorySeqCp;
    private final MethodHandle initPenalties;
    private final MethodHandle attachThreadpool;
    private final MethodHandle detachThreadpool;
    private final MethodHandle threadpoolParamsDefault;
    /** resolved after the CPU backend is loaded ({@link #afterBackendInit}) */
    private volatile MethodHandle threadpoolNew;
    private volatile MethodHandle threadpoolFree;
    private volatile String backendFolder = "";

    AbiCurrent(SymbolLookup lookup, String version, long measuredModelParams, long measuredContextParams) {
        super(NAME, ModelParams.LAYOUT, ContextParams.LAYOUT, measuredModelParams, measuredContextParams);
        this.lookup = lookup;
        this.version = version;
        this.getMemory = h("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
        this.memoryClear = h("llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        this.memorySeqRm = h("llama_memory_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        this.memorySeqCp = h("llama_memory_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        // current: (int32 n_vocab, int32 penalty_last_n, float repeat, float freq, float present)
        this.initPenalties = h("llama_sampler_init_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        this.attachThreadpool = h("llama_attach_threadpool", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        this.detachThreadpool = h("llama_detach_threadpool", FunctionDescriptor.ofVoid(ADDRESS));
        this.threadpoolParamsDefault = h("ggml_threadpool_params_default",
                FunctionDescriptor.of(ThreadpoolParams.LAYOUT, JAVA_INT));
    }

    private MethodHandle h(String name, FunctionDescriptor fd) {
        return linker.downcallHandle(lookup.find(name).orElseThrow(
                () -> new ModelLoadException("native library lacks " + name)), fd);
    }

    @Override
    String version() {
        return version;
    }

    @Override
    boolean offersFlashAttention() {
        return true;
    }

    @Override
    void configureModel(MemorySegment p, ModelOptions o) {
        ModelParams.COMMON.apply(p, o); // n_gpu_layers: the library's default is -1 (all layers)
        ModelParams.LOAD_MODE.set(p, 0L, o.useMmap() ? ModelParams.LOAD_MMAP : ModelParams.LOAD_NONE);
        // lazy_mode stays at the library's default (AUTO)
    }

    @Override
    void configureContext(MemorySegment p, ContextOptions o) {
        ContextParams.COMMON.apply(p, o);
        // evaluate() and mean-pooled embeddings read an output for every token of a sequence
        ContextParams.N_OUTPUTS_MAX_PER_SEQ.set(p, 0L, Math.max(1, o.nBatch()));
        // AUTO means on for the CPU; off (the default here) is faster for small models and matches b4916's default
        ContextParams.FLASH_ATTN_TYPE.set(p, 0L, o.flashAttention() ? ContextParams.FLASH_ATTN_ENABLED
                : ContextParams.FLASH_ATTN_DISABLED);
        // one cache for all sequences, so a prefix is shared by seq_cp without copying (otherwise each
        // sequence gets its own n_ctx / n_seq_max cells and cannot see another's)
        ContextParams.KV_UNIFIED.set(p, 0L, o.nSeqMax() > 1);
    }

    @Override
    boolean seqRemove(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            MemorySegment mem = (MemorySegment) getMemory.invokeExact(ctx);
            return (boolean) memorySeqRm.invokeExact(mem, seq, p0, p1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void seqCopy(MemorySegment ctx, int src, int dst, int p0, int p1) {
        try {
            MemorySegment mem = (MemorySegment) getMemory.invokeExact(ctx);
            memorySeqCp.invokeExact(mem, src, dst, p0, p1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void clearMemory(MemorySegment ctx) {
        try {
            MemorySegment mem = (MemorySegment) getMemory.invokeExact(ctx);
            memoryClear.invokeExact(mem, true);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    MemorySegment initPenalties(int nVocab, int lastN, float repeat, float frequency, float presence) {
        try {
            return (MemorySegment) initPenalties.invokeExact(nVocab, lastN, repeat, frequency, presence);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    /** Loads the best CPU backend variant from the library's folder; refuses a library with no backend. */
    @Override
    void afterBackendInit(Path library) {
        Path dir = library.toAbsolutePath().getParent();
        try (Arena a = Arena.ofConfined()) {
            MethodHandle loadAll = h("ggml_backend_load_all_from_path", FunctionDescriptor.ofVoid(ADDRESS));
            MethodHandle devCount = h("ggml_backend_dev_count", FunctionDescriptor.of(JAVA_LONG));
            loadAll.invokeExact(a.allocateFrom(dir.toString()));
            long n = (long) devCount.invokeExact();
            if (n <= 0) {
                throw new ModelLoadException("llama.cpp library " + library + " (" + NAME + " ABI, version " + version
                        + ") found no ggml backend in " + dir + " (ggml_backend_dev_count() = " + n
                        + "): the folder must hold the libggml-cpu*.so backends next to libllama");
            }
            MethodHandle byType = h("ggml_backend_dev_by_type", FunctionDescriptor.of(ADDRESS, JAVA_INT));
            MethodHandle devReg = h("ggml_backend_dev_backend_reg", FunctionDescriptor.of(ADDRESS, ADDRESS));
            MethodHandle procAddress = h("ggml_backend_reg_get_proc_address",
                    FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            MemorySegment cpu = (MemorySegment) byType.invokeExact(0); // GGML_BACKEND_DEVICE_TYPE_CPU
            if (cpu.equals(MemorySegment.NULL)) {
                throw new ModelLoadException("llama.cpp library " + library + " has no CPU backend device after "
                        + "ggml_backend_load_all_from_path(" + dir + ")");
            }
            MemorySegment reg = (MemorySegment) devReg.invokeExact(cpu);
            MemorySegment tpNew = (MemorySegment) procAddress.invokeExact(reg, a.allocateFrom("ggml_threadpool_new"));
            MemorySegment tpFree = (MemorySegment) procAddress.invokeExact(reg, a.allocateFrom("ggml_threadpool_free"));
            if (!tpNew.equals(MemorySegment.NULL) && !tpFree.equals(MemorySegment.NULL)) {
                threadpoolNew = linker.downcallHandle(tpNew, FunctionDescriptor.of(ADDRESS, ADDRESS));
                threadpoolFree = linker.downcallHandle(tpFree, FunctionDescriptor.ofVoid(ADDRESS));
            }
            backendFolder = dir.toString();
        } catch (ModelLoadException e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("loading the ggml backends of " + library + " failed: " + t, t);
        }
    }

    @Override
    MemorySegment createThreadpool(int threads) {
        MethodHandle create = threadpoolNew;
        if (threads <= 1 || create == null) {
            return MemorySegment.NULL;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) threadpoolParamsDefault.invokeExact((SegmentAllocator) a, threads);
            MemorySegment tp = (MemorySegment) create.invokeExact(params);
            if (tp.equals(MemorySegment.NULL)) {
                throw new ModelLoadException("ggml_threadpool_new(" + threads + " threads) returned NULL");
            }
            return tp;
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
            attachThreadpool.invokeExact(ctx, threadpool, threadpool);
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
            detachThreadpool.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void freeThreadpool(MemorySegment threadpool) {
        MethodHandle f = threadpoolFree;
        if (threadpool.equals(MemorySegment.NULL) || f == null) {
            return;
        }
        try {
            f.invokeExact(threadpool);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    /** @return the folder the ggml backends were loaded from (empty before {@link #afterBackendInit}) */
    String backendFolder() {
        return backendFolder;
    }

    /** @return what {@code llama_version()} returns, or "unknown" */
    static String readVersion(SymbolLookup lookup) {
        try {
            MethodHandle v = Linker.nativeLinker().downcallHandle(lookup.find("llama_version").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS));
            MemorySegment s = (MemorySegment) v.invokeExact();
            return s.equals(MemorySegment.NULL) ? "unknown" : s.reinterpret(256).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "unknown";
        }
    }
}
