/*
 * batched_loop: the native floor for AutoGLM's continuous batching (io.autoglm.bench.BatchedComparison).
 *
 * The same batched greedy decode as the engine (io.autoglm.engine.BatchScheduler on the FFM backend)
 * written directly in C against the llama.cpp b4916 library bundled in de.kherud:llama (libjllama.so):
 * N sequences with different prompts, the prompts prefilled in one llama_decode (each its own sequence
 * id), then each step one llama_decode with one token per sequence and a greedy sample of each sequence
 * at its own batch row; the same N requests one after another; and the shared-prefix experiment
 * (llama_kv_self_seq_cp). What is timed and printed is described in batched_common.h.
 *
 * Context settings as the Java side builds them: n_ctx = N x per-sequence context (b4916's KV cache is
 * always unified: every sequence can use any cell), n_seq_max = N, n_batch = n_ubatch = 512, F16 K/V,
 * created, warmed up (one BOS decode) and decoded on the main thread.
 *
 * Usage: batched_loop MODEL.gguf THREADS N_SEQ N_TOKENS REPS [--mode batched|sequential|both|prefix]
 *        [--ctx 512] [--kv CELLS] [--seq-max N] [--batch 512] [--prompts FILE] [--prefix-file TEXT] [--prefix-tokens 400]
 *
 * Only the b4916 C API is used; the structs below are declared by hand from
 * ../../shared/reference/llama-b4916-abi.md (as in greedy_loop.c, sizes checked by the Java StructLayoutTest).
 */
#include "batched_common.h"

struct llama_model_params {          /* 64 bytes */
    void *devices;
    int32_t n_gpu_layers;
    int32_t split_mode;
    int32_t main_gpu;
    const float *tensor_split;
    void *progress_callback;
    void *progress_callback_user_data;
    const void *kv_overrides;
    bool vocab_only, use_mmap, use_mlock, check_tensors;
};

struct llama_context_params {        /* 120 bytes */
    uint32_t n_ctx, n_batch, n_ubatch, n_seq_max;
    int32_t n_threads, n_threads_batch;
    int32_t rope_scaling_type, pooling_type, attention_type;
    float rope_freq_base, rope_freq_scale, yarn_ext_factor, yarn_attn_factor, yarn_beta_fast, yarn_beta_slow;
    uint32_t yarn_orig_ctx;
    float defrag_thold;
    void *cb_eval;
    void *cb_eval_user_data;
    int32_t type_k, type_v;
    bool logits_all, embeddings, offload_kqv, flash_attn, no_perf;
    void *abort_callback;
    void *abort_callback_data;
};

_Static_assert(sizeof(struct llama_model_params) == 64, "llama_model_params");
_Static_assert(sizeof(struct llama_context_params) == 120, "llama_context_params");

void llama_kv_self_clear(void *ctx);
void llama_kv_self_seq_cp(void *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1);

static const struct batched_abi ABI_B4916 = { llama_kv_self_clear, llama_kv_self_seq_cp };

int main(int argc, char **argv) {
    struct batched_args args;
    int rc = batched_parse_args(argc, argv, &args);
    if (rc != 0) {
        return rc;
    }
    if (args.split_kv) {
        fprintf(stderr, "--split-kv needs the current generation (batched_loop_current): b4916's KV cache is always unified\n");
        return 2;
    }

    llama_log_set(batched_quiet, NULL);
    llama_backend_init();

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    void *model = llama_model_load_from_file(args.path, mp);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", args.path);
        return 3;
    }
    const void *vocab = llama_model_get_vocab(model);

    struct llama_context_params cp = llama_context_default_params();
    BATCHED_SET_CONTEXT(cp, args);
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create context (n_ctx %d, n_seq_max %d)\n", args.kv_cells, args.seq_max);
        return 3;
    }

    rc = batched_main(ctx, vocab, &args, &ABI_B4916);

    llama_free(ctx);
    llama_model_free(model);
    return rc;
}
