/*
 * greedy_inproc: the greedy decode loop of greedy_common.h as a shared library, for
 * DecodeComparison --inproc. It runs inside the JVM, on the FFM backend's own decode thread and
 * llama_context (same model, KV memory, threadpool and settings), so FFM and C can alternate
 * generation by generation and the ratio measures only what the Java loop adds.
 *
 * It works with both ABI generations: every function it calls kept its signature from b4916 to
 * the current library, and they are looked up with dlsym in the libllama that the JVM has already
 * loaded (greedy_inproc_init(path)). The caller clears the KV memory before each run.
 *
 *   int    greedy_inproc_init(const char *libllama_path);   0, or -1 (see greedy_inproc_error())
 *   double greedy_inproc_run(void *ctx, const int32_t *prompt, int32_t n_prompt, int32_t n_gen,
 *                            int32_t *out_ids);               tokens/s after prefill, < 0 on failure
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "greedy_types.h"

static int32_t (*p_decode)(void *, struct llama_batch);
static struct llama_batch (*p_batch_get_one)(llama_token *, int32_t);
static void *(*p_chain_init)(struct llama_sampler_chain_params);
static void (*p_chain_add)(void *, void *);
static void *(*p_init_greedy)(void);
static llama_token (*p_sample)(void *, void *, int32_t);
static void (*p_sampler_free)(void *);
static char error[256];

const char *greedy_inproc_error(void) {
    return error;
}

static void *sym(void *h, const char *name, int *missing) {
    void *p = dlsym(h, name);
    if (!p && !*missing) {
        snprintf(error, sizeof error, "symbol %s not found", name);
        *missing = 1;
    }
    return p;
}

int greedy_inproc_init(const char *libllama_path) {
    void *h = dlopen(libllama_path, RTLD_NOW | RTLD_NOLOAD);
    if (!h) {
        snprintf(error, sizeof error, "%s is not loaded in this process: %s", libllama_path, dlerror());
        return -1;
    }
    int missing = 0;
    *(void **) &p_decode = sym(h, "llama_decode", &missing);
    *(void **) &p_batch_get_one = sym(h, "llama_batch_get_one", &missing);
    *(void **) &p_chain_init = sym(h, "llama_sampler_chain_init", &missing);
    *(void **) &p_chain_add = sym(h, "llama_sampler_chain_add", &missing);
    *(void **) &p_init_greedy = sym(h, "llama_sampler_init_greedy", &missing);
    *(void **) &p_sample = sym(h, "llama_sampler_sample", &missing);
    *(void **) &p_sampler_free = sym(h, "llama_sampler_free", &missing);
    return missing ? -1 : 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

double greedy_inproc_run(void *ctx, const int32_t *prompt, int32_t n_prompt, int32_t n_gen, int32_t *out_ids) {
    if (!p_decode || n_prompt <= 0 || n_prompt > 4096 || n_gen <= 0) {
        snprintf(error, sizeof error, "not initialised, or bad sizes (prompt %d, gen %d)", n_prompt, n_gen);
        return -1;
    }
    llama_token tokens[4096];
    memcpy(tokens, prompt, sizeof(llama_token) * (size_t) n_prompt);
    struct llama_sampler_chain_params sp = { true };
    void *chain = p_chain_init(sp);
    p_chain_add(chain, p_init_greedy());
    if (p_decode(ctx, p_batch_get_one(tokens, n_prompt)) != 0) {
        snprintf(error, sizeof error, "prefill failed");
        p_sampler_free(chain);
        return -1;
    }
    double t1 = now_s();
    int n = 0;
    llama_token one;
    for (;;) {
        llama_token tok = p_sample(chain, ctx, -1);
        out_ids[n++] = tok;
        if (n >= n_gen) {
            break;
        }
        one = tok;
        if (p_decode(ctx, p_batch_get_one(&one, 1)) != 0) {
            snprintf(error, sizeof error, "decode failed at token %d", n);
            p_sampler_free(chain);
            return -1;
        }
    }
    double t2 = now_s();
    p_sampler_free(chain);
    return n_gen / (t2 - t1);
}
