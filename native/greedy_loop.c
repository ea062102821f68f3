/*
 * greedy_loop: the native speed floor for AutoGLM's decode benchmark.
 *
 * Runs the same greedy decode loop as the FFM backend (io.autoglm.backend.ffm.FfmModel.generate)
 * directly in C against the llama.cpp b4916 library bundled in de.kherud:llama (libjllama.so):
 *   clear KV -> prefill the prompt in one batch -> N x (llama_sampler_sample(greedy chain),
 *   and for all but the last token: llama_decode of a one-token batch), ignoring end-of-generation.
 * The context is created, warmed up (one BOS decode) and decoded on the main thread, as the FFM
 * backend does on its decode thread. Decode time runs from the end of prefill to the last sample.
 *
 * Usage: greedy_loop MODEL.gguf THREADS N_TOKENS REPS [PROMPT]
 * Prints one line per rep ("rep R: T tok/s") and a final "median_tok_s=..." line plus the ids.
 *
 * Only the b4916 C API is used; the structs below (and those in greedy_common.h, shared with
 * greedy_loop_current.c) are declared by hand from ../../shared/reference/llama-b4916-abi.md
 * (sizes checked by the Java StructLayoutTest).
 */
#include "greedy_common.h"

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

void llama_kv_self_clear(void *ctx);

int main(int argc, char **argv) {
    struct greedy_args args;
    int rc = greedy_parse_args(argc, argv, &args);
    if (rc != 0) {
        return rc;
    }

    llama_log_set(quiet, NULL);
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
    GREEDY_SET_CONTEXT(cp, args.threads);
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create context\n");
        return 3;
    }

    rc = greedy_run(ctx, vocab, &args, llama_kv_self_clear);
    if (rc != 0) {
        return rc;
    }

    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
