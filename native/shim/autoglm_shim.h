/*
 * autoglm_shim.h: the stable native seam between AutoGLM's FFM backend and a llama.cpp build.
 *
 * llama.cpp changes its C structs (llama_model_params, llama_context_params), renames functions
 * (llama_kv_self_* -> llama_memory_*) and re-types others (llama_sampler_init_penalties) every few
 * weeks. This header is the part we own: plain C, fixed-size integer fields, no llama.cpp type by
 * value. autoglm_shim.cpp implements it against whatever llama.h it is compiled with, adapting at
 * compile time (see docs/native-seam.md), and the Java side binds only to what is declared here.
 *
 * Build it beside the libllama it adapts (one command, see native/GPU.md), e.g. on Linux:
 *   g++ -std=c++17 -O2 -fPIC -shared native/shim/autoglm_shim.cpp -o BUILD/bin/libautoglm_shim.so \
 *       -I LLAMA/include -I LLAMA/ggml/include -L BUILD/bin -lllama -lggml -lggml-base -Wl,-rpath,'$ORIGIN'
 * The FFM backend loads libautoglm_shim.so (.dylib, autoglm_shim.dll) from the folder of libllama.
 *
 * Rules that keep this header stable: a function is added, never changed; a settings struct only
 * grows at its end and starts with its own size (struct_size), so an older caller is still served;
 * AUTOGLM_SHIM_ABI_VERSION changes only if a signature here ever has to change.
 */
#ifndef AUTOGLM_SHIM_H
#define AUTOGLM_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define AUTOGLM_SHIM_API __declspec(dllexport)
#else
#define AUTOGLM_SHIM_API __attribute__((visibility("default")))
#endif

#define AUTOGLM_SHIM_ABI_VERSION 1

/* opaque to callers; llama.cpp's own types are only ever passed by pointer */
struct llama_model;
struct llama_context;
struct llama_vocab;
struct llama_sampler;
typedef struct autoglm_batch autoglm_batch;

/* How a model is loaded (32 bytes on LP64). Flags are int32 0/1. */
typedef struct autoglm_model_settings {
    int32_t struct_size;  /* sizeof(autoglm_model_settings) as the caller knows it */
    int32_t n_gpu_layers; /* layers to offload; 0 = CPU only, -1 = all */
    int32_t use_mmap;
    int32_t vocab_only;
    /* called with a fraction in [0, 1]; returning false aborts the load; may be NULL */
    bool (*progress_callback)(float progress, void *user_data);
    void *progress_callback_user_data;
} autoglm_model_settings;

/* How a context is created (48 bytes). Every field is applied; a release that lacks a setting ignores it. */
typedef struct autoglm_context_settings {
    int32_t struct_size;      /* sizeof(autoglm_context_settings) as the caller knows it */
    uint32_t n_ctx;           /* KV cells in total */
    uint32_t n_batch;         /* most tokens one autoglm_decode takes */
    uint32_t n_ubatch;        /* micro-batch */
    uint32_t n_seq_max;       /* sequence ids 0..n_seq_max-1 */
    int32_t n_threads;        /* for generation and for batches */
    int32_t pooling_type;     /* llama_pooling_type: -1 model's own, 0 none, 1 mean, 2 cls, 3 last, 4 rank */
    int32_t embeddings;       /* 1: the context computes embeddings */
    int32_t kv_unified;       /* 1: one KV buffer for all sequences (where the release has the choice) */
    int32_t flash_attn;       /* -1 auto, 0 off, 1 on */
    int32_t outputs_per_token; /* 1: every token of a sequence may ask for an output (logits/embeddings) */
    int32_t reserved;         /* 0 */
} autoglm_context_settings;

/* The token arrays of a batch, owned by the shim (capacity entries each); the caller writes rows 0..n-1. */
typedef struct autoglm_batch_arrays {
    int32_t *token;
    int32_t *pos;
    int32_t *seq;    /* one sequence id per token */
    int8_t *logits;  /* 1: compute this row's output */
    int32_t capacity;
    int32_t reserved;
} autoglm_batch_arrays;

/* ---- what was compiled ---- */

/* AUTOGLM_SHIM_ABI_VERSION of this build */
AUTOGLM_SHIM_API int32_t autoglm_shim_abi_version(void);
/* the llama.cpp release the shim was compiled against (AUTOGLM_LLAMA_RELEASE at build time), or "unknown" */
AUTOGLM_SHIM_API const char *autoglm_shim_llama_release(void);
/* how this build adapts, e.g. "memory=llama_memory_*; load=load_mode; flash_attn=flash_attn_type; ..." */
AUTOGLM_SHIM_API const char *autoglm_shim_features(void);
/* sizeof(struct llama_model_params) (what = 0), llama_context_params (1), llama_batch (2) in the header compiled against; -1 otherwise */
AUTOGLM_SHIM_API int32_t autoglm_shim_header_size(int32_t what);
/* the file that provides llama_decode to this shim (the libllama it is bound to), or "" when unknown */
AUTOGLM_SHIM_API const char *autoglm_shim_llama_path(void);

/* ---- backends, model, context ---- */

/* loads the ggml backends found in dir (a no-op where they are linked in; dir may be NULL); returns the device count */
AUTOGLM_SHIM_API int64_t autoglm_backend_load(const char *dir);
/* llama_model_load_from_file with the library's defaults patched by s; NULL on failure (the reason is logged) */
AUTOGLM_SHIM_API struct llama_model *autoglm_model_load(const char *path, const autoglm_model_settings *s);
AUTOGLM_SHIM_API void autoglm_model_free(struct llama_model *model);
/* llama_init_from_model with the library's defaults patched by s; NULL on failure */
AUTOGLM_SHIM_API struct llama_context *autoglm_context_new(struct llama_model *model, const autoglm_context_settings *s);
AUTOGLM_SHIM_API void autoglm_context_free(struct llama_context *ctx);

/* a persistent CPU thread pool (NULL when n_threads <= 1 or the CPU backend has none) */
AUTOGLM_SHIM_API void *autoglm_threadpool_new(int32_t n_threads);
AUTOGLM_SHIM_API void autoglm_threadpool_attach(struct llama_context *ctx, void *threadpool);
AUTOGLM_SHIM_API void autoglm_threadpool_detach(struct llama_context *ctx);
AUTOGLM_SHIM_API void autoglm_threadpool_free(void *threadpool);

/* ---- KV memory, under one name whatever the release calls it ---- */

AUTOGLM_SHIM_API void autoglm_memory_clear(struct llama_context *ctx);
/* removes seq from positions [p0, p1) (-1: open end); 1 done, 0 refused (a partial removal the memory cannot do) */
AUTOGLM_SHIM_API int32_t autoglm_memory_seq_rm(struct llama_context *ctx, int32_t seq, int32_t p0, int32_t p1);
/* adds dst to the cells src holds at positions [p0, p1) */
AUTOGLM_SHIM_API void autoglm_memory_seq_cp(struct llama_context *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1);

/* ---- batches and the per-step call ---- */

/* a batch of up to capacity tokens, one sequence id each; fills *arrays; NULL when out of memory */
AUTOGLM_SHIM_API autoglm_batch *autoglm_batch_new(int32_t capacity, autoglm_batch_arrays *arrays);
AUTOGLM_SHIM_API void autoglm_batch_free(autoglm_batch *batch);
/* llama_decode of rows 0..n_tokens-1: 0 done, 1 no room in the KV memory (nothing changed), else llama_decode's code;
 * -100 when n_tokens is outside [1, capacity] */
AUTOGLM_SHIM_API int32_t autoglm_decode(struct llama_context *ctx, autoglm_batch *batch, int32_t n_tokens);
/* llama_encode of rows 0..n_tokens-1 (encoder models): 0 done, else llama_encode's code; -100 as above */
AUTOGLM_SHIM_API int32_t autoglm_encode(struct llama_context *ctx, autoglm_batch *batch, int32_t n_tokens);

/* ---- samplers whose constructor changed between releases ---- */

/* repetition/frequency/presence penalties over the last last_n tokens */
AUTOGLM_SHIM_API struct llama_sampler *autoglm_sampler_penalties(int32_t n_vocab, int32_t last_n, float repeat,
                                                                float frequency, float presence);

#ifdef __cplusplus
}
#endif

#endif
