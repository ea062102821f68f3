/*
 * batched_loop_current: batched_loop.c ported to the current llama.cpp ABI generation (release 0.5.x,
 * e.g. libllama.v0.5.0.so from @node-llama-cpp/linux-x64@3.22.1), configured exactly as AutoGLM's FFM
 * backend configures it (io.autoglm.backend.ffm.AbiCurrent): ggml_backend_load_all_from_path(<folder of
 * libllama>), n_gpu_layers 0, load_mode MMAP, flash attention DISABLED, kv_unified when n_seq_max > 1
 * (one cache for all sequences, so seq_cp shares cells), n_outputs_max_per_seq = n_batch, and for
 * THREADS > 1 a persistent ggml threadpool; a prefix shared with llama_memory_seq_cp.
 * Same experiments, arguments and output as batched_loop (batched_common.h).
 *
 * Usage: batched_loop_current MODEL.gguf THREADS N_SEQ N_TOKENS REPS [options of batched_loop]
 *   (the backend folder is the one this program was linked against: LLAMA_CURRENT_DIR, or the
 *    environment variable AUTOGLM_NATIVE_LIBRARY when set)
 *
 * Structs declared by hand from ../../shared/reference/llama-current-abi.md, as in greedy_loop_current.c.
 */
#include "batched_common.h"

#ifndef LLAMA_CURRENT_DIR
#define LLAMA_CURRENT_DIR "."
#endif

struct llama_model_params {          /* 80 bytes */
    void *devices;
    const void *tensor_buft_overrides;
    int32_t n_gpu_layers, split_mode, load_mode, lazy_mode, main_gpu;
    const float *tensor_split;
    void *progress_callback;
    void *progress_callback_user_data;
    const void *kv_overrides;
    bool vocab_only, check_tensors, use_extra_bufts, no_host, no_alloc, load_mtp;
};

struct llama_context_params {        /* 160 bytes */
    uint32_t n_ctx, n_batch, n_ubatch, n_seq_max, n_rs_seq, n_outputs_max, n_outputs_max_per_seq;
    int32_t n_threads, n_threads_batch, ctx_type;
    int32_t rope_scaling_type, pooling_type, attention_type, flash_attn_type;
    float rope_freq_base, rope_freq_scale, yarn_ext_factor, yarn_attn_factor, yarn_beta_fast, yarn_beta_slow;
    uint32_t yarn_orig_ctx;
    float defrag_thold;
    void *cb_eval;
    void *cb_eval_user_data;
    int32_t type_k, type_v;
    void *abort_callback;
    void *abort_callback_data;
    bool embeddings, offload_kqv, no_perf, op_offload, swa_full, kv_unified;
    void *samplers;
    size_t n_samplers;
    void *ctx_other;
};

struct ggml_threadpool_params {      /* 528 bytes */
    bool cpumask[512];
    int32_t n_threads, prio;
    uint32_t poll;
    bool strict_cpu, paused;
};

_Static_assert(sizeof(struct llama_model_params) == 80, "llama_model_params");
_Static_assert(sizeof(struct llama_context_params) == 160, "llama_context_params");
_Static_assert(sizeof(struct ggml_threadpool_params) == 528, "ggml_threadpool_params");

void *llama_get_memory(void *ctx);
void llama_memory_clear(void *mem, bool data);
void llama_memory_seq_cp(void *mem, int32_t src, int32_t dst, int32_t p0, int32_t p1);
void ggml_backend_load_all_from_path(const char *dir);
size_t ggml_backend_dev_count(void);
void *ggml_backend_dev_by_type(int type);
void *ggml_backend_dev_backend_reg(void *dev);
void *ggml_backend_reg_get_proc_address(void *reg, const char *name);
struct ggml_threadpool_params ggml_threadpool_params_default(int n_threads);
void llama_attach_threadpool(void *ctx, void *tp, void *tp_batch);
void llama_detach_threadpool(void *ctx);

static void clear_memory(void *ctx) {
    llama_memory_clear(llama_get_memory(ctx), true);
}

static void seq_cp(void *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1) {
    llama_memory_seq_cp(llama_get_memory(ctx), src, dst, p0, p1);
}

static const struct batched_abi ABI_CURRENT = { clear_memory, seq_cp };

int main(int argc, char **argv) {
    struct batched_args args;
    int rc = batched_parse_args(argc, argv, &args);
    if (rc != 0) {
        return rc;
    }
    int threads = args.threads;

    llama_log_set(batched_quiet, NULL);
    llama_backend_init();
    const char *dir = getenv("AUTOGLM_NATIVE_LIBRARY") ? getenv("AUTOGLM_NATIVE_LIBRARY") : LLAMA_CURRENT_DIR;
    ggml_backend_load_all_from_path(dir);
    if (ggml_backend_dev_count() == 0) {
        fprintf(stderr, "no ggml backend in %s\n", dir);
        return 3;
    }

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.load_mode = 1; /* MMAP */
    void *model = llama_model_load_from_file(args.path, mp);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", args.path);
        return 3;
    }
    const void *vocab = llama_model_get_vocab(model);

    struct llama_context_params cp = llama_context_default_params();
    BATCHED_SET_CONTEXT(cp, args);
    cp.n_outputs_max_per_seq = (uint32_t) args.n_batch;
    cp.flash_attn_type = 0; /* DISABLED, as AutoGLM sets it */
    cp.kv_unified = args.seq_max > 1 && !args.split_kv; /* --split-kv 1: a stream of kv_cells / n_seq_max cells per sequence */
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create context (n_ctx %d, n_seq_max %d)\n", args.kv_cells, args.seq_max);
        return 3;
    }

    void *tp = NULL;
    void (*tp_free)(void *) = NULL;
    if (threads > 1) {
        void *reg = ggml_backend_dev_backend_reg(ggml_backend_dev_by_type(0));
        void *(*tp_new)(struct ggml_threadpool_params *) =
                (void *(*)(struct ggml_threadpool_params *)) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new");
        tp_free = (void (*)(void *)) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free");
        if (!tp_new || !tp_free) {
            fprintf(stderr, "CPU backend has no ggml_threadpool_new/free\n");
            return 3;
        }
        struct ggml_threadpool_params tpp = ggml_threadpool_params_default(threads);
        tp = tp_new(&tpp);
        llama_attach_threadpool(ctx, tp, tp);
    }

    rc = batched_main(ctx, vocab, &args, &ABI_CURRENT);

    if (tp) {
        llama_detach_threadpool(ctx);
    }
    llama_free(ctx);
    if (tp) {
        tp_free(tp);
    }
    llama_model_free(model);
    return rc;
}
