/*
 * greedy_loop_current: greedy_loop.c ported to the current llama.cpp ABI generation (release 0.5.x,
 * e.g. libllama.v0.5.0.so from @node-llama-cpp/linux-x64@3.22.1), configured exactly as AutoGLM's
 * FFM backend configures it (io.autoglm.backend.ffm.AbiCurrent):
 *   ggml_backend_load_all_from_path(<folder of libllama>), n_gpu_layers 0, load_mode MMAP,
 *   flash attention DISABLED, and for THREADS > 1 a persistent ggml threadpool
 *   (ggml_threadpool_new from the CPU backend's proc address + llama_attach_threadpool);
 *   memory cleared with llama_memory_clear(llama_get_memory(ctx), true).
 * Same loop, same output format and same arguments as greedy_loop, plus the backend folder:
 *
 * Usage: greedy_loop_current MODEL.gguf THREADS N_TOKENS REPS [PROMPT]
 *   (the backend folder is the one this program was linked against: LLAMA_CURRENT_DIR, or
 *    the environment variable AUTOGLM_NATIVE_LIBRARY when set)
 *
 * Structs declared by hand from ../../shared/reference/llama-current-abi.md (sizes checked by
 * AbiCheckProgramTest / CurrentAbiTest).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef LLAMA_CURRENT_DIR
#define LLAMA_CURRENT_DIR "."
#endif

typedef int32_t llama_token;

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

struct llama_batch {                 /* 56 bytes */
    int32_t n_tokens;
    llama_token *token;
    float *embd;
    int32_t *pos;
    int32_t *n_seq_id;
    int32_t **seq_id;
    int8_t *logits;
};

struct llama_sampler_chain_params { bool no_perf; };

void llama_backend_init(void);
void llama_log_set(void (*cb)(int, const char *, void *), void *user_data);
struct llama_model_params llama_model_default_params(void);
struct llama_context_params llama_context_default_params(void);
void *llama_model_load_from_file(const char *path, struct llama_model_params params);
void llama_model_free(void *model);
void *llama_init_from_model(void *model, struct llama_context_params params);
void llama_free(void *ctx);
const void *llama_model_get_vocab(const void *model);
int32_t llama_tokenize(const void *vocab, const char *text, int32_t text_len, llama_token *tokens,
                       int32_t n_tokens_max, bool add_special, bool parse_special);
llama_token llama_vocab_bos(const void *vocab);
int32_t llama_decode(void *ctx, struct llama_batch batch);
struct llama_batch llama_batch_get_one(llama_token *tokens, int32_t n_tokens);
void *llama_get_memory(void *ctx);
void llama_memory_clear(void *mem, bool data);
void ggml_backend_load_all_from_path(const char *dir);
size_t ggml_backend_dev_count(void);
void *ggml_backend_dev_by_type(int type);
void *ggml_backend_dev_backend_reg(void *dev);
void *ggml_backend_reg_get_proc_address(void *reg, const char *name);
struct ggml_threadpool_params ggml_threadpool_params_default(int n_threads);
void llama_attach_threadpool(void *ctx, void *tp, void *tp_batch);
void llama_detach_threadpool(void *ctx);
void *llama_sampler_chain_init(struct llama_sampler_chain_params params);
void llama_sampler_chain_add(void *chain, void *smpl);
void *llama_sampler_init_greedy(void);
llama_token llama_sampler_sample(void *smpl, void *ctx, int32_t idx);
void llama_sampler_free(void *smpl);

static void quiet(int level, const char *text, void *user_data) {
    (void) level; (void) text; (void) user_data;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL.gguf THREADS N_TOKENS REPS [PROMPT]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int threads = atoi(argv[2]);
    int n_gen = atoi(argv[3]);
    int reps = atoi(argv[4]);
    const char *prompt = argc > 5 ? argv[5] : "Once upon a time";
    if (threads < 1 || n_gen < 1 || reps < 1) {
        fprintf(stderr, "threads, n_tokens and reps must be >= 1\n");
        return 2;
    }

    llama_log_set(quiet, NULL);
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
    void *model = llama_model_load_from_file(path, mp);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", path);
        return 3;
    }
    const void *vocab = llama_model_get_vocab(model);

    /* same settings as the Java harness: n_ctx 512, n_batch 512, n_ubatch 512 */
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 512;
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.no_perf = true;
    cp.n_outputs_max_per_seq = 512;
    cp.flash_attn_type = 0; /* DISABLED, as AutoGLM sets it */
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create context\n");
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

    llama_token tokens[512];
    int n_prompt = llama_tokenize(vocab, prompt, (int32_t) strlen(prompt), tokens, 512, true, false);
    if (n_prompt <= 0 || n_prompt + n_gen > 512) {
        fprintf(stderr, "prompt of %d tokens plus %d does not fit 512\n", n_prompt, n_gen);
        return 3;
    }

    /* warm-up on this thread, as the FFM backend does on its decode thread */
    llama_token bos = llama_vocab_bos(vocab);
    llama_token one = bos >= 0 ? bos : 0;
    if (llama_decode(ctx, llama_batch_get_one(&one, 1)) != 0) {
        fprintf(stderr, "warm-up decode failed\n");
        return 3;
    }
    llama_memory_clear(llama_get_memory(ctx), true);

    double *rates = calloc((size_t) reps, sizeof(double));
    llama_token *out = calloc((size_t) n_gen, sizeof(llama_token));
    for (int r = 0; r < reps; r++) {
        struct llama_sampler_chain_params sp = { true };
        void *chain = llama_sampler_chain_init(sp);
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
        llama_memory_clear(llama_get_memory(ctx), true);
        if (llama_decode(ctx, llama_batch_get_one(tokens, n_prompt)) != 0) {
            fprintf(stderr, "prefill failed\n");
            return 3;
        }
        double t1 = now_ms();
        int n = 0;
        for (;;) {
            llama_token tok = llama_sampler_sample(chain, ctx, -1);
            out[n++] = tok;
            if (n >= n_gen) {
                break;
            }
            one = tok;
            if (llama_decode(ctx, llama_batch_get_one(&one, 1)) != 0) {
                fprintf(stderr, "decode failed at token %d\n", n);
                return 3;
            }
        }
        double t2 = now_ms();
        rates[r] = n_gen / ((t2 - t1) / 1e3);
        printf("rep %d: %.1f tok/s\n", r + 1, rates[r]);
        llama_sampler_free(chain);
    }
    qsort(rates, (size_t) reps, sizeof(double), cmp_double);
    printf("median_tok_s=%.1f\n", rates[reps / 2]);
    printf("ids=");
    for (int i = 0; i < n_gen; i++) {
        printf(i ? ",%d" : "%d", out[i]);
    }
    printf("\n");

    free(out);
    free(rates);
    if (tp) {
        llama_detach_threadpool(ctx);
    }
    llama_free(ctx);
    if (tp) {
        tp_free(tp);
    }
    llama_model_free(model);
    return 0;
}
