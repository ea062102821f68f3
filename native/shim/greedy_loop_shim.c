/*
 * greedy_loop_shim: the greedy loop of greedy_loop.c for any llama.cpp build served by the AutoGLM shim
 * (libautoglm_shim beside libllama). The model and context are set up through the shim exactly as the FFM
 * backend's AbiShim sets them up (n_gpu_layers 0, mmap, flash attention off, every token may have an output,
 * a persistent ggml threadpool for THREADS > 1); the timed loop then calls libllama directly
 * (llama_batch_get_one + llama_decode + the greedy sampler), so it is the native floor of that build.
 *
 * Usage: greedy_loop_shim MODEL.gguf THREADS N_TOKENS REPS [PROMPT]
 *   (the backend folder is the one this program was linked against, SHIM_DIR, or the environment
 *    variable AUTOGLM_NATIVE_LIBRARY when set)
 * Build: make -C native greedy_loop_shim SHIM_DIR=/folder/with/libllama.so/and/libautoglm_shim.so
 */
#include "../greedy_common.h"
#include "autoglm_shim.h"

#ifndef SHIM_DIR
#define SHIM_DIR "."
#endif

static void clear_memory(void *ctx) {
    autoglm_memory_clear((struct llama_context *) ctx);
}

int main(int argc, char **argv) {
    struct greedy_args args;
    int rc = greedy_parse_args(argc, argv, &args);
    if (rc != 0) {
        return rc;
    }
    llama_log_set(quiet, NULL);
    llama_backend_init();
    const char *dir = getenv("AUTOGLM_NATIVE_LIBRARY") ? getenv("AUTOGLM_NATIVE_LIBRARY") : SHIM_DIR;
    if (autoglm_backend_load(dir) <= 0) {
        fprintf(stderr, "no ggml backend in %s\n", dir);
        return 3;
    }
    autoglm_model_settings ms = {sizeof ms, 0, 1, 0, NULL, NULL};
    struct llama_model *model = autoglm_model_load(args.path, &ms);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", args.path);
        return 3;
    }
    /* n_ctx/n_batch/n_ubatch 512 as GREEDY_SET_CONTEXT; pooling unspecified; no embeddings; flash attention off */
    autoglm_context_settings cs = {sizeof cs, 512, 512, 512, 1, args.threads, -1, 0, 0, 0, 1, 0};
    struct llama_context *ctx = autoglm_context_new(model, &cs);
    if (!ctx) {
        fprintf(stderr, "cannot create context\n");
        return 3;
    }
    void *tp = autoglm_threadpool_new(args.threads);
    autoglm_threadpool_attach(ctx, tp);

    rc = greedy_run(ctx, llama_model_get_vocab(model), &args, clear_memory);
    if (rc != 0) {
        return rc;
    }
    if (tp) {
        autoglm_threadpool_detach(ctx);
    }
    autoglm_context_free(ctx);
    autoglm_threadpool_free(tp);
    autoglm_model_free(model);
    return 0;
}
