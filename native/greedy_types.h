/*
 * greedy_types.h: the llama.cpp C API types whose layout is the same in the b4916 and current ABI
 * generations (llama_token, struct llama_batch, struct llama_sampler_chain_params); shared by the
 * greedy loop programs (greedy_common.h) and the in-process loop (greedy_inproc.c).
 */
#ifndef AUTOGLM_GREEDY_TYPES_H
#define AUTOGLM_GREEDY_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t llama_token;

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

#endif
