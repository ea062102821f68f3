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
 * Only the b4916 C API is used; the structs below are declared here by hand from
 * ../../shared/reference/llama-b4916-abi.md (sizes checked by the Java StructLayoutTest).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int32_t llama_token;

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
void llama_kv_self_clear(void *ctx);
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

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
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
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create context\n");
        return 3;
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
    llama_kv_self_clear(ctx);

    double *rates = calloc((size_t) reps, sizeof(double));
    llama_token *out = calloc((size_t) n_gen, sizeof(llama_token));
    for (int r = 0; r < reps; r++) {
        struct llama_sampler_chain_params sp = { true };
        void *chain = llama_sampler_chain_init(sp);
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
        llama_kv_self_clear(ctx);
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
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
