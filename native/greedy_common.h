/*
 * greedy_common.h: the part greedy_loop.c (b4916 ABI) and greedy_loop_current.c (current ABI) share:
 * the C API declarations whose layout is the same in both generations, the command line, the
 * context settings of the Java harness, and the timed greedy decode loop with its output.
 *
 * Each program declares its own struct llama_model_params / llama_context_params (their layouts
 * differ between the generations), loads the model, creates the context and passes greedy_run the
 * way its ABI clears the KV memory.
 */
#ifndef AUTOGLM_GREEDY_COMMON_H
#define AUTOGLM_GREEDY_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greedy_types.h"

/* laid out per ABI generation: defined by each program */
struct llama_model_params;
struct llama_context_params;

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

struct greedy_args {
    const char *path;
    int threads;
    int n_gen;
    int reps;
    const char *prompt;
};

/* Reads MODEL.gguf THREADS N_TOKENS REPS [PROMPT]; returns 0, or exit code 2 after saying why. */
static int greedy_parse_args(int argc, char **argv, struct greedy_args *a) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL.gguf THREADS N_TOKENS REPS [PROMPT]\n", argv[0]);
        return 2;
    }
    a->path = argv[1];
    a->threads = atoi(argv[2]);
    a->n_gen = atoi(argv[3]);
    a->reps = atoi(argv[4]);
    a->prompt = argc > 5 ? argv[5] : "Once upon a time";
    if (a->threads < 1 || a->n_gen < 1 || a->reps < 1) {
        fprintf(stderr, "threads, n_tokens and reps must be >= 1\n");
        return 2;
    }
    return 0;
}

/* same settings as the Java harness: n_ctx 512, n_batch 512, n_ubatch 512 (cp: either ABI's struct) */
#define GREEDY_SET_CONTEXT(cp, n_thr) do { \
        (cp).n_ctx = 512;                  \
        (cp).n_batch = 512;                \
        (cp).n_ubatch = 512;               \
        (cp).n_seq_max = 1;                \
        (cp).n_threads = (n_thr);          \
        (cp).n_threads_batch = (n_thr);    \
        (cp).no_perf = true;               \
    } while (0)

/*
 * Tokenizes the prompt, warms up on this thread (one BOS decode, as the FFM backend does on its
 * decode thread), then runs a->reps timed greedy loops: clear KV -> prefill the prompt in one batch
 * -> n_gen x (sample, and for all but the last token decode it). Prints "rep R: T tok/s" per rep,
 * "median_tok_s=..." and the ids of the last rep. Returns 0, or exit code 3 after saying why.
 */
static int greedy_run(void *ctx, const void *vocab, const struct greedy_args *a, void (*clear_memory)(void *ctx)) {
    int n_gen = a->n_gen;
    int reps = a->reps;
    llama_token tokens[512];
    int n_prompt = llama_tokenize(vocab, a->prompt, (int32_t) strlen(a->prompt), tokens, 512, true, false);
    if (n_prompt <= 0 || n_prompt + n_gen > 512) {
        fprintf(stderr, "prompt of %d tokens plus %d does not fit 512\n", n_prompt, n_gen);
        return 3;
    }

    llama_token bos = llama_vocab_bos(vocab);
    llama_token one = bos >= 0 ? bos : 0;
    if (llama_decode(ctx, llama_batch_get_one(&one, 1)) != 0) {
        fprintf(stderr, "warm-up decode failed\n");
        return 3;
    }
    clear_memory(ctx);

    double *rates = calloc((size_t) reps, sizeof(double));
    llama_token *out = calloc((size_t) n_gen, sizeof(llama_token));
    for (int r = 0; r < reps; r++) {
        struct llama_sampler_chain_params sp = { true };
        void *chain = llama_sampler_chain_init(sp);
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
        clear_memory(ctx);
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
    return 0;
}

#endif
