package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * llama.cpp b4916 (commit c6af2161), the library inside {@code de.kherud:llama:4.2.0}: one
 * {@code libjllama} with llama, ggml and the OpenMP CPU backend linked in. Layouts from
 * {@code reference/llama-b4916-abi.md}, checked against the binary in {@code StructLayoutTest}.
 */
final class AbiB4916 extends LayoutAbi {
    static final String NAME = "b4916";

    /** {@code struct llama_model_params}, 64 bytes. */
    static final class ModelParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("devices"),
                JAVA_INT.withName("n_gpu_layers"),
                JAVA_INT.withName("split_mode"),
                JAVA_INT.withName("main_gpu"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("tensor_split"),
                ADDRESS.withName("progress_callback"),
                ADDRESS.withName("progress_callback_user_data"),
                ADDRESS.withName("kv_overrides"),
                JAVA_BOOLEAN.withName("vocab_only"),
                JAVA_BOOLEAN.withName("use_mmap"),
                JAVA_BOOLEAN.withName("use_mlock"),
                JAVA_BOOLEAN.withName("check_tensors"),
                MemoryLayout.paddingLayout(4)).withName("llama_model_params");
        static final ModelParamFields COMMON = ModelParamFields.of(LAYOUT);
        static final VarHandle USE_MMAP = Structs.field(LAYOUT, "use_mmap");

        private ModelParams() {
        }
    }

    /** {@code struct llama_context_params}, 120 bytes. */
    static final class ContextParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("n_ctx"),
                JAVA_INT.withName("n_batch"),
                JAVA_INT.withName("n_ubatch"),
                JAVA_INT.withName("n_seq_max"),
                JAVA_INT.withName("n_threads"),
                JAVA_INT.withName("n_threads_batch"),
                JAVA_INT.withName("rope_scaling_type"),
                JAVA_INT.withName("pooling_type"),
                JAVA_INT.withName("attention_type"),
                JAVA_FLOAT.withName("rope_freq_base"),
                JAVA_FLOAT.withName("rope_freq_scale"),
                JAVA_FLOAT.withName("yarn_ext_factor"),
                JAVA_FLOAT.withName("yarn_attn_factor"),
                JAVA_FLOAT.withName("yarn_beta_fast"),
                JAVA_FLOAT.withName("yarn_beta_slow"),
                JAVA_INT.withName("yarn_orig_ctx"),
                JAVA_FLOAT.withName("defrag_thold"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("cb_eval"),
                ADDRESS.withName("cb_eval_user_data"),
                JAVA_INT.withName("type_k"),
                JAVA_INT.withName("type_v"),
                JAVA_BOOLEAN.withName("logits_all"),
                JAVA_BOOLEAN.withName("embeddings"),
                JAVA_BOOLEAN.withName("offload_kqv"),
                JAVA_BOOLEAN.withName("flash_attn"),
                JAVA_BOOLEAN.withName("no_perf"),
                MemoryLayout.paddingLayout(3),
                ADDRESS.withName("abort_callback"),
                ADDRESS.withName("abort_callback_data")).withName("llama_context_params");
        static final ContextParamFields COMMON = ContextParamFields.of(LAYOUT);

        private ContextParams() {
        }
    }

    /** {@code struct llama_perf_context_data}, 40 bytes (the current generation adds {@code n_reused}). */
    static final class PerfContextData {
        static final StructLayout LAYOUT = Structs.perfContextData();

        private PerfContextData() {
        }
    }

    /** Symbols only this generation has (checked by {@link Abi#probe}). */
    static final String[] REQUIRED = {"llama_kv_self_clear", "llama_kv_self_seq_rm", "llama_kv_self_seq_cp"};

    private final MethodHandle kvSelfClear;
    private final MethodHandle kvSelfSeqRm;
    private final MethodHandle kvSelfSeqCp;

    private final MethodHandle initPenalties;

    AbiB4916(SymbolLookup lookup, long measuredModelParams, long measuredContextParams) {
        super(NAME, ModelParams.LAYOUT, ContextParams.LAYOUT, measuredModelParams, measuredContextParams);
        Linker linker = Linker.nativeLinker();
        this.kvSelfClear = linker.downcallHandle(lookup.find("llama_kv_self_clear").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS));
        this.kvSelfSeqRm = linker.downcallHandle(lookup.find("llama_kv_self_seq_rm").orElseThrow(),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        this.kvSelfSeqCp = linker.downcallHandle(lookup.find("llama_kv_self_seq_cp").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        // b4916: (int32 penalty_last_n, float repeat, float freq, float present); the current generation
        // prepends int32 n_vocab to the same symbol.
        this.initPenalties = linker.downcallHandle(lookup.find("llama_sampler_init_penalties").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
    }

    @Override
    void configureModel(MemorySegment p, ModelOptions o) {
        ModelParams.COMMON.apply(p, o);
        ModelParams.USE_MMAP.set(p, 0L, o.useMmap());
    }

    @Override
    void configureContext(MemorySegment p, ContextOptions o) {
        ContextParams.COMMON.apply(p, o);
        // defrag_thold stays off (the default): b4916's defragmentation graph can fail a GGML_ASSERT and abort
        // the process; the engine splits a batch that finds no contiguous room instead
    }

    /**
     * b4916 returns -3 when no slot is found for a micro-batch ("failed to prepare ubatch"), the code it also uses for
     * a failed graph computation; its log line tells them apart. Its batch guard restores the cache either way.
     */
    @Override
    boolean noKvSpace(int rc, String lastError) {
        return rc == 1 || (rc == -3 && (lastError.contains("ubatch") || lastError.contains("slot")));
    }

    @Override
    boolean seqRemove(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            return (boolean) kvSelfSeqRm.invokeExact(ctx, seq, p0, p1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void seqCopy(MemorySegment ctx, int src, int dst, int p0, int p1) {
        try {
            kvSelfSeqCp.invokeExact(ctx, src, dst, p0, p1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    void clearMemory(MemorySegment ctx) {
        try {
            kvSelfClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    @Override
    MemorySegment initPenalties(int nVocab, int lastN, float repeat, float frequency, float presence) {
        try {
            return (MemorySegment) initPenalties.invokeExact(lastN, repeat, frequency, presence);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    /**
     * b4916 does not return NULL for a grammar its parser rejects: it returns a grammar sampler whose
     * {@code llama_grammar *} is NULL and that lets every token through (the parser's message goes to
     * stderr through {@code fprintf}, not through the log callback). The sampler's context is
     * {@code struct llama_sampler_grammar { const llama_vocab *vocab; std::string grammar_str;
     * std::string grammar_root; llama_grammar *grammar; }}, so where the grammar pointer sits depends
     * on the C++ library's {@code std::string}. The bundled build (gcc 10, devtoolset) uses the old
     * copy-on-write libstdc++ ABI: a string is one pointer to its characters, preceded by
     * {length, capacity, refcount}, so the grammar pointer is at offset 24. With the newer libstdc++
     * ABI (pointer, length, 16-byte local buffer) it is at 72. A layout is trusted only after it is
     * confirmed (our vocab pointer first, {@code grammar_root} reading "root" of length 4); memory is
     * only read through values that look like heap pointers. When neither layout is confirmed the
     * sampler is accepted.
     */
    @Override
    boolean grammarAccepted(MemorySegment sampler, MemorySegment vocab) {
        if (sampler.equals(MemorySegment.NULL)) {
            return false;
        }
        if (ADDRESS.byteSize() != 8) {
            return true;
        }
        MemorySegment ctx = sampler.reinterpret(16).get(ADDRESS, 8);
        if (ctx.equals(MemorySegment.NULL)) {
            return true;
        }
        MemorySegment c = ctx.reinterpret(32);
        if (c.get(ADDRESS, 0).address() != vocab.address()) {
            return true; // unknown layout: cannot tell
        }
        long root = c.get(JAVA_LONG, 16);
        if (looksLikePointer(root)) {
            MemorySegment rep = MemorySegment.ofAddress(root - 24).reinterpret(24 + 5);
            if (rep.get(JAVA_LONG, 0) == 4 && isRoot(rep.asSlice(24))) {
                return c.get(JAVA_LONG, 24) != 0; // copy-on-write std::string
            }
            return true;
        }
        MemorySegment n = ctx.reinterpret(80);
        if (n.get(JAVA_LONG, 48) == 4 && n.get(JAVA_LONG, 40) == ctx.address() + 56 && isRoot(n.asSlice(56, 5))) {
            return n.get(JAVA_LONG, 72) != 0; // small-string-optimised std::string
        }
        return true;
    }

    private static boolean looksLikePointer(long v) {
        return v > 0xFFFF_FFFFL && v < 0x0000_8000_0000_0000L && (v & 7) == 0;
    }

    private static boolean isRoot(MemorySegment s) {
        return s.get(JAVA_BYTE, 0) == 'r' && s.get(JAVA_BYTE, 1) == 'o' && s.get(JAVA_BYTE, 2) == 'o'
                && s.get(JAVA_BYTE, 3) == 't' && s.get(JAVA_BYTE, 4) == 0;
    }
}
