/*
 * abi_check: prints the ABI facts of any llama.cpp shared library that AutoGLM's FFM backend
 * depends on, so the Java layouts (io.autoglm.backend.ffm.AbiB4916 / AbiCurrent) can be checked
 * against a build: the sizes of the structs returned by the *_default_params functions (measured
 * by canary: the buffer is filled with 0xAA, then 0x55, and a byte counts as written when it
 * differs from the fill in both runs) and the version string when the library has llama_version.
 *
 * Usage: abi_check /path/to/libllama.so [...]
 * Output, one "key value" line per fact, a blank line between libraries:
 *   library /path/to/libllama.so
 *   llama_version 0.5.0-dev            (or "absent")
 *   generation current                 (current: has llama_get_memory; b4916: has llama_kv_self_clear)
 *   llama_model_params 80
 *   llama_context_params 160
 *   llama_model_quantize_params 64     (or "absent")
 *   llama_perf_context_data 48
 *
 * The canary relies on the x86-64 SysV convention (a struct over 16 bytes is returned through a
 * hidden pointer passed in the first integer register); elsewhere the sizes are not meaningful.
 * Exit code: 0 when every library was opened, 1 otherwise.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define CAP 1024

typedef void *(*ret_struct_fn)(void *out);
typedef void *(*ret_struct_ctx_fn)(void *out, void *ctx);
typedef const char *(*version_fn)(void);

/* Highest written byte + 1, rounded up to 8; -1 when the symbol is absent. */
static long canary(void *lib, const char *name, int with_null_ctx) {
    void *sym = dlsym(lib, name);
    if (sym == NULL) {
        return -1;
    }
    static unsigned char a[CAP] __attribute__((aligned(16)));
    static unsigned char b[CAP] __attribute__((aligned(16)));
    memset(a, 0xAA, CAP);
    memset(b, 0x55, CAP);
    if (with_null_ctx) {
        ((ret_struct_ctx_fn) sym)(a, NULL);
        ((ret_struct_ctx_fn) sym)(b, NULL);
    } else {
        ((ret_struct_fn) sym)(a);
        ((ret_struct_fn) sym)(b);
    }
    long last = -1;
    for (long i = 0; i < CAP; i++) {
        if (a[i] != 0xAA || b[i] != 0x55) {
            last = i;
        }
    }
    return last < 0 ? 0 : ((last + 1 + 7) / 8) * 8;
}

static void print_size(const char *key, long size) {
    if (size < 0) {
        printf("%s absent\n", key);
    } else {
        printf("%s %ld\n", key, size);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s /path/to/libllama.so [...]\n", argv[0]);
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        void *lib = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (i > 1) {
            printf("\n");
        }
        printf("library %s\n", argv[i]);
        if (lib == NULL) {
            printf("error %s\n", dlerror());
            rc = 1;
            continue;
        }
        version_fn version = (version_fn) dlsym(lib, "llama_version");
        const char *v = version != NULL ? version() : NULL;
        printf("llama_version %s\n", v != NULL ? v : "absent");
        const char *gen = dlsym(lib, "llama_get_memory") != NULL ? "current"
                : dlsym(lib, "llama_kv_self_clear") != NULL ? "b4916" : "unknown";
        printf("generation %s\n", gen);
        print_size("llama_model_params", canary(lib, "llama_model_default_params", 0));
        print_size("llama_context_params", canary(lib, "llama_context_default_params", 0));
        print_size("llama_model_quantize_params", canary(lib, "llama_model_quantize_default_params", 0));
        print_size("llama_perf_context_data", canary(lib, "llama_perf_context", 1));
        fflush(stdout);
        /* never dlclose: some builds register atexit handlers */
    }
    return rc;
}
