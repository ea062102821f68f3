// autoglm_shim.cpp: implements autoglm_shim.h against the llama.h it is compiled with.
//
// Written in C++17 (the interface is C) for one reason: it lets the shim adapt to the header at compile
// time without a configure step. A struct member or a function that only some releases have is detected
// with SFINAE (has_member<T>, has_memory_api<C>), and the branch for the other releases is discarded by
// `if constexpr` inside a template, so it is never compiled. One source file therefore builds against
// llama.cpp from early 2025 (llama_kv_self_*, use_mmap, bool flash_attn) to late 2026 (llama_memory_*,
// load_mode, flash_attn_type, kv_unified, n_outputs_max_per_seq), and against llama.rn's copy whose ggml
// symbols carry an lm_ prefix. A release that renames something again fails here, at build time, with a
// message naming what to adapt, instead of misbehaving at run time.
//
// Build: see autoglm_shim.h (one g++/clang++ command). Optional: -DAUTOGLM_LLAMA_RELEASE='"b1234-abcdef0"'.

#include "autoglm_shim.h"

#include "llama.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

#ifndef AUTOGLM_LLAMA_RELEASE
#define AUTOGLM_LLAMA_RELEASE "unknown"
#endif

// llama.rn renames ggml's symbols with an lm_ prefix (lm_ggml_backend_load_all_from_path, LM_GGML_...).
#if defined(LM_GGML_API)
#define AG_GGML(name) lm_ggml_##name
#define AG_GGML_ENUM(name) LM_GGML_##name
#define AG_GGML_PREFIX "lm_ggml_"
#else
#define AG_GGML(name) ggml_##name
#define AG_GGML_ENUM(name) GGML_##name
#define AG_GGML_PREFIX "ggml_"
#endif

static_assert(sizeof(llama_token) == 4 && sizeof(llama_pos) == 4 && sizeof(llama_seq_id) == 4,
              "autoglm_shim: llama_token, llama_pos and llama_seq_id must be 32-bit");
static_assert(sizeof(autoglm_model_settings) == 16 + 2 * sizeof(void *), "autoglm_model_settings layout");
static_assert(sizeof(autoglm_context_settings) == 48, "autoglm_context_settings layout");

namespace {

// ---- detection: struct members ----
#define AG_HAS_MEMBER(member)                                                                        \
    template <typename T, typename = void> struct has_##member : std::false_type {};                \
    template <typename T>                                                                             \
    struct has_##member<T, std::void_t<decltype(std::declval<T &>().member)>> : std::true_type {};

AG_HAS_MEMBER(load_mode)
AG_HAS_MEMBER(use_mmap)
AG_HAS_MEMBER(flash_attn_type)
AG_HAS_MEMBER(flash_attn)
AG_HAS_MEMBER(kv_unified)
AG_HAS_MEMBER(n_outputs_max_per_seq)
AG_HAS_MEMBER(logits_all)

// ---- detection: functions (found through argument-dependent lookup at instantiation, so a name the
// header lacks is a substitution failure, not an error) ----
template <typename C, typename = void> struct has_memory_api : std::false_type {};
template <typename C>
struct has_memory_api<C, std::void_t<decltype(llama_memory_seq_rm(llama_get_memory(std::declval<C *>()), 0, 0, -1))>>
    : std::true_type {};

template <typename C, typename = void> struct has_kv_self_api : std::false_type {};
template <typename C>
struct has_kv_self_api<C, std::void_t<decltype(llama_kv_self_seq_rm(std::declval<C *>(), 0, 0, -1))>> : std::true_type {};

template <typename I, typename = void> struct penalties_take_n_vocab : std::false_type {};
template <typename I>
struct penalties_take_n_vocab<I, std::void_t<decltype(llama_sampler_init_penalties(std::declval<I>(), std::declval<I>(), 1.0f,
                                                                                   0.0f, 0.0f))>> : std::true_type {};

using model_params = llama_model_params;
using context_params = llama_context_params;
using context = llama_context;

// ---- adaptations ----
template <typename P> void set_mmap(P &p, bool mmap) {
    if constexpr (has_load_mode<P>::value) {
        using M = decltype(p.load_mode);
        p.load_mode = mmap ? M::LLAMA_LOAD_MODE_MMAP : M::LLAMA_LOAD_MODE_NONE;
    } else {
        static_assert(has_use_mmap<P>::value, "autoglm_shim: llama_model_params has neither load_mode nor use_mmap");
        p.use_mmap = mmap;
    }
}

template <typename P> void set_flash_attn(P &p, int32_t v) {
    if constexpr (has_flash_attn_type<P>::value) {
        using F = decltype(p.flash_attn_type);
        p.flash_attn_type = v < 0 ? F::LLAMA_FLASH_ATTN_TYPE_AUTO
                                  : (v == 0 ? F::LLAMA_FLASH_ATTN_TYPE_DISABLED : F::LLAMA_FLASH_ATTN_TYPE_ENABLED);
    } else if constexpr (has_flash_attn<P>::value) {
        p.flash_attn = v > 0; // no "auto" before flash_attn_type
    }
}

template <typename P> void set_kv_unified(P &p, bool unified) {
    if constexpr (has_kv_unified<P>::value) {
        p.kv_unified = unified;
    } // before kv_unified the cache was always one buffer
}

template <typename P> void set_outputs(P &p, bool every_token, uint32_t n_batch) {
    if constexpr (has_n_outputs_max_per_seq<P>::value) {
        if (every_token) {
            p.n_outputs_max_per_seq = std::max<uint32_t>(1, n_batch); // its default is 1 output per sequence and ubatch
        }
    }
    if constexpr (has_logits_all<P>::value) {
        p.logits_all = false;
    }
}

template <typename C> void memory_clear(C *ctx) {
    if constexpr (has_memory_api<C>::value) {
        llama_memory_clear(llama_get_memory(ctx), true);
    } else {
        static_assert(has_kv_self_api<C>::value, "autoglm_shim: llama.h has neither llama_memory_* nor llama_kv_self_*");
        llama_kv_self_clear(ctx);
    }
}

template <typename C> bool memory_seq_rm(C *ctx, int32_t seq, int32_t p0, int32_t p1) {
    if constexpr (has_memory_api<C>::value) {
        return llama_memory_seq_rm(llama_get_memory(ctx), seq, p0, p1);
    } else {
        return llama_kv_self_seq_rm(ctx, seq, p0, p1);
    }
}

template <typename C> void memory_seq_cp(C *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1) {
    if constexpr (has_memory_api<C>::value) {
        llama_memory_seq_cp(llama_get_memory(ctx), src, dst, p0, p1);
    } else {
        llama_kv_self_seq_cp(ctx, src, dst, p0, p1);
    }
}

template <typename I> llama_sampler *penalties(I n_vocab, I last_n, float repeat, float frequency, float presence) {
    if constexpr (penalties_take_n_vocab<I>::value) {
        return llama_sampler_init_penalties(n_vocab, last_n, repeat, frequency, presence);
    } else {
        (void) n_vocab;
        return llama_sampler_init_penalties(last_n, repeat, frequency, presence);
    }
}

std::string features() {
    std::string f;
    f += has_memory_api<context>::value ? "memory=llama_memory_*" : "memory=llama_kv_self_*";
    f += has_load_mode<model_params>::value ? "; load=load_mode" : "; load=use_mmap";
    f += has_flash_attn_type<context_params>::value ? "; flash_attn=flash_attn_type"
                                                    : (has_flash_attn<context_params>::value ? "; flash_attn=bool" : "; flash_attn=none");
    f += has_kv_unified<context_params>::value ? "; kv_unified" : "";
    f += has_n_outputs_max_per_seq<context_params>::value ? "; n_outputs_max_per_seq" : "";
    f += penalties_take_n_vocab<int32_t>::value ? "; penalties(n_vocab, ...)" : "; penalties(last_n, ...)";
    f += "; ggml prefix " AG_GGML_PREFIX;
    return f;
}

using threadpool_new_fn = AG_GGML(threadpool_t) (*)(struct AG_GGML(threadpool_params) *);
using threadpool_free_fn = void (*)(AG_GGML(threadpool_t));

AG_GGML(backend_reg_t) cpu_reg() {
    AG_GGML(backend_dev_t) dev = AG_GGML(backend_dev_by_type)(AG_GGML_ENUM(BACKEND_DEVICE_TYPE_CPU));
    return dev ? AG_GGML(backend_dev_backend_reg)(dev) : nullptr;
}

} // namespace

struct autoglm_batch {
    llama_batch batch;
    int32_t capacity;
    int32_t *n_seq_id;
    llama_seq_id **seq_ptr;
    int32_t *token;
    int32_t *pos;
    int32_t *seq;
    int8_t *logits;
};

extern "C" {

int32_t autoglm_shim_abi_version(void) {
    return AUTOGLM_SHIM_ABI_VERSION;
}

const char *autoglm_shim_llama_release(void) {
    return AUTOGLM_LLAMA_RELEASE;
}

const char *autoglm_shim_features(void) {
    static const std::string f = features();
    return f.c_str();
}

int32_t autoglm_shim_header_size(int32_t what) {
    switch (what) {
        case 0: return (int32_t) sizeof(llama_model_params);
        case 1: return (int32_t) sizeof(llama_context_params);
        case 2: return (int32_t) sizeof(llama_batch);
        default: return -1;
    }
}

const char *autoglm_shim_llama_path(void) {
#if !defined(_WIN32)
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&llama_decode), &info) != 0 && info.dli_fname != nullptr) {
        return info.dli_fname;
    }
#endif
    return "";
}

int64_t autoglm_backend_load(const char *dir) {
    if (dir != nullptr && dir[0] != '\0') {
        AG_GGML(backend_load_all_from_path)(dir);
    }
    return (int64_t) AG_GGML(backend_dev_count)();
}

llama_model *autoglm_model_load(const char *path, const autoglm_model_settings *s) {
    if (path == nullptr || s == nullptr || s->struct_size < (int32_t) sizeof(autoglm_model_settings)) {
        return nullptr;
    }
    llama_model_params p = llama_model_default_params();
    p.n_gpu_layers = s->n_gpu_layers;
    p.vocab_only = s->vocab_only != 0;
    set_mmap(p, s->use_mmap != 0);
    p.progress_callback = s->progress_callback;
    p.progress_callback_user_data = s->progress_callback_user_data;
    return llama_model_load_from_file(path, p);
}

void autoglm_model_free(llama_model *model) {
    if (model != nullptr) {
        llama_model_free(model);
    }
}

llama_context *autoglm_context_new(llama_model *model, const autoglm_context_settings *s) {
    if (model == nullptr || s == nullptr || s->struct_size < (int32_t) sizeof(autoglm_context_settings)) {
        return nullptr;
    }
    llama_context_params p = llama_context_default_params();
    p.n_ctx = s->n_ctx;
    p.n_batch = s->n_batch;
    p.n_ubatch = s->n_ubatch;
    p.n_seq_max = s->n_seq_max;
    p.n_threads = s->n_threads;
    p.n_threads_batch = s->n_threads;
    p.pooling_type = static_cast<decltype(p.pooling_type)>(s->pooling_type);
    p.embeddings = s->embeddings != 0;
    p.no_perf = true;
    set_flash_attn(p, s->flash_attn);
    set_kv_unified(p, s->kv_unified != 0);
    set_outputs(p, s->outputs_per_token != 0, s->n_batch);
    return llama_init_from_model(model, p);
}

void autoglm_context_free(llama_context *ctx) {
    if (ctx != nullptr) {
        llama_free(ctx);
    }
}

void *autoglm_threadpool_new(int32_t n_threads) {
    AG_GGML(backend_reg_t) reg = n_threads > 1 ? cpu_reg() : nullptr;
    if (reg == nullptr) {
        return nullptr;
    }
    // from the CPU backend's registry: in builds with run-time loaded backends the function is not linkable
    auto create = reinterpret_cast<threadpool_new_fn>(
        AG_GGML(backend_reg_get_proc_address)(reg, AG_GGML_PREFIX "threadpool_new"));
    if (create == nullptr) {
        return nullptr;
    }
    struct AG_GGML(threadpool_params) params = AG_GGML(threadpool_params_default)(n_threads);
    return create(&params);
}

void autoglm_threadpool_attach(llama_context *ctx, void *threadpool) {
    if (ctx != nullptr && threadpool != nullptr) {
        auto tp = static_cast<AG_GGML(threadpool_t)>(threadpool);
        llama_attach_threadpool(ctx, tp, tp);
    }
}

void autoglm_threadpool_detach(llama_context *ctx) {
    if (ctx != nullptr) {
        llama_detach_threadpool(ctx);
    }
}

void autoglm_threadpool_free(void *threadpool) {
    AG_GGML(backend_reg_t) reg = threadpool != nullptr ? cpu_reg() : nullptr;
    if (reg == nullptr) {
        return;
    }
    auto release = reinterpret_cast<threadpool_free_fn>(
        AG_GGML(backend_reg_get_proc_address)(reg, AG_GGML_PREFIX "threadpool_free"));
    if (release != nullptr) {
        release(static_cast<AG_GGML(threadpool_t)>(threadpool));
    }
}

void autoglm_memory_clear(llama_context *ctx) {
    memory_clear(ctx);
}

int32_t autoglm_memory_seq_rm(llama_context *ctx, int32_t seq, int32_t p0, int32_t p1) {
    return memory_seq_rm(ctx, seq, p0, p1) ? 1 : 0;
}

void autoglm_memory_seq_cp(llama_context *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1) {
    memory_seq_cp(ctx, src, dst, p0, p1);
}

autoglm_batch *autoglm_batch_new(int32_t capacity, autoglm_batch_arrays *arrays) {
    if (capacity < 1 || arrays == nullptr) {
        return nullptr;
    }
    auto *b = static_cast<autoglm_batch *>(std::calloc(1, sizeof(autoglm_batch)));
    if (b == nullptr) {
        return nullptr;
    }
    size_t n = (size_t) capacity;
    b->capacity = capacity;
    b->n_seq_id = static_cast<int32_t *>(std::calloc(n, sizeof(int32_t)));
    b->seq_ptr = static_cast<llama_seq_id **>(std::calloc(n, sizeof(llama_seq_id *)));
    b->token = static_cast<int32_t *>(std::calloc(n, sizeof(int32_t)));
    b->pos = static_cast<int32_t *>(std::calloc(n, sizeof(int32_t)));
    b->seq = static_cast<int32_t *>(std::calloc(n, sizeof(int32_t)));
    b->logits = static_cast<int8_t *>(std::calloc(n, sizeof(int8_t)));
    if (!b->n_seq_id || !b->seq_ptr || !b->token || !b->pos || !b->seq || !b->logits) {
        autoglm_batch_free(b);
        return nullptr;
    }
    for (size_t i = 0; i < n; i++) {
        b->n_seq_id[i] = 1;
        b->seq_ptr[i] = &b->seq[i];
    }
    // members by name: a release that reorders or extends llama_batch is still filled correctly
    b->batch = llama_batch{};
    b->batch.token = b->token;
    b->batch.embd = nullptr;
    b->batch.pos = b->pos;
    b->batch.n_seq_id = b->n_seq_id;
    b->batch.seq_id = b->seq_ptr;
    b->batch.logits = b->logits;
    arrays->token = b->token;
    arrays->pos = b->pos;
    arrays->seq = b->seq;
    arrays->logits = b->logits;
    arrays->capacity = capacity;
    arrays->reserved = 0;
    return b;
}

void autoglm_batch_free(autoglm_batch *b) {
    if (b == nullptr) {
        return;
    }
    std::free(b->n_seq_id);
    std::free(b->seq_ptr);
    std::free(b->token);
    std::free(b->pos);
    std::free(b->seq);
    std::free(b->logits);
    std::free(b);
}

int32_t autoglm_decode(llama_context *ctx, autoglm_batch *b, int32_t n_tokens) {
    if (b == nullptr || n_tokens < 1 || n_tokens > b->capacity) {
        return -100;
    }
    b->batch.n_tokens = n_tokens;
    return llama_decode(ctx, b->batch); // 1: no KV slot for the batch, memory unchanged
}

int32_t autoglm_encode(llama_context *ctx, autoglm_batch *b, int32_t n_tokens) {
    if (b == nullptr || n_tokens < 1 || n_tokens > b->capacity) {
        return -100;
    }
    b->batch.n_tokens = n_tokens;
    return llama_encode(ctx, b->batch);
}

llama_sampler *autoglm_sampler_penalties(int32_t n_vocab, int32_t last_n, float repeat, float frequency, float presence) {
    return penalties<int32_t>(n_vocab, last_n, repeat, frequency, presence);
}

} // extern "C"
