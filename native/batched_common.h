/*
 * batched_common.h: the part batched_loop.c (b4916 ABI) and batched_loop_current.c (current ABI)
 * share: the C API declarations whose layout is the same in both generations, the command line, the
 * context settings of the Java side (io.autoglm.bench.BatchedComparison), and the three timed
 * experiments with their output:
 *
 *   batched     N sequences with different prompts: the N prompts prefilled in one llama_decode (each
 *               its own sequence id), then every step one llama_decode carrying one token per
 *               sequence, each sequence sampled at its own batch row: greedily (argmax), or with
 *               --temp T by its own seeded chain (AutoGLM's default top-k/top-p/min-p at temperature T);
 *   sequential  the same N requests one after another, each alone in the cache (sequence 0, memory
 *               cleared in between): the single-sequence rate the batched one is compared with;
 *   prefix      a PREFIX-token text prefix shared by 4 sequences: decoded once on sequence 0 and
 *               given to sequences 1..3 with seq_cp (no copy on a unified cache), then the 4 different
 *               suffixes in one batch -- against each sequence prefilling prefix + suffix itself.
 *
 * Each program declares its own struct llama_model_params / llama_context_params (their layouts
 * differ between the generations), loads the model, creates the context and passes batched_main the
 * way its ABI clears memory, removes and copies sequences.
 *
 * Timing (the definitions of io.autoglm.Timings): the prefill time runs from before the first prompt
 * decode to after the first token of every sequence was sampled; the decode time from there to the
 * last sample. Aggregate decode tok/s = sequences x (tokens - 1) / decode time (the first token of a
 * sequence belongs to its prefill). The same over the process's CPU time of the decode phase is printed
 * too (*_cpu_tok_s), and all generated tokens over the CPU time of the whole run, prefill included
 * (*_run_cpu_tok_s, what BatchedComparison compares with the JVM's process CPU time): with 1 thread CPU
 * time is the work done, little disturbed by other load on the machine.
 *
 * Per decode step of the batched run (one llama_decode of N rows, then N samples) the medians of the
 * step's wall time, of the time inside llama_decode and of the sampling are printed (batched_median_step_*):
 * the floor of the per-step cost, that BatchedComparison's steps section sets the engine's step against.
 *
 * --occupy CELLS: before each run an extra, idle sequence fills CELLS cells of the cache, as the
 * engine's cached prefixes do. llama.cpp attends over every cell below the highest one in use (masking
 * the other sequences' cells), so this measures what a resident prefix cache costs each decode step.
 */
#ifndef AUTOGLM_BATCHED_COMMON_H
#define AUTOGLM_BATCHED_COMMON_H

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
uint32_t llama_n_ctx(const void *ctx);
const void *llama_model_get_vocab(const void *model);
int32_t llama_tokenize(const void *vocab, const char *text, int32_t text_len, llama_token *tokens,
                       int32_t n_tokens_max, bool add_special, bool parse_special);
llama_token llama_vocab_bos(const void *vocab);
int32_t llama_decode(void *ctx, struct llama_batch batch);
struct llama_batch llama_batch_init(int32_t n_tokens, int32_t embd, int32_t n_seq_max);
void llama_batch_free(struct llama_batch batch);
void *llama_sampler_chain_init(struct llama_sampler_chain_params params);
void llama_sampler_chain_add(void *chain, void *smpl);
void *llama_sampler_init_greedy(void);
void *llama_sampler_init_top_k(int32_t k);
void *llama_sampler_init_top_p(float p, size_t min_keep);
void *llama_sampler_init_min_p(float p, size_t min_keep);
void *llama_sampler_init_temp(float t);
void *llama_sampler_init_dist(uint32_t seed);
llama_token llama_sampler_sample(void *smpl, void *ctx, int32_t idx);
void llama_sampler_free(void *smpl);

/* what differs between the ABI generations: how the KV memory is cleared and a sequence's cells shared */
struct batched_abi {
    void (*clear)(void *ctx);
    void (*seq_cp)(void *ctx, int32_t src, int32_t dst, int32_t p0, int32_t p1);
};

static void batched_quiet(int level, const char *text, void *user_data) {
    (void) level; (void) text; (void) user_data;
}

static double batched_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the whole process (all its threads): less sensitive than wall time to other load on the machine */
static double batched_cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int batched_cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double batched_median(double *v, int n) {
    qsort(v, (size_t) n, sizeof(double), batched_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define BATCHED_MAX_SEQ 64
#define BATCHED_PREFIX_SEQ 4
#define BATCHED_MAX_PROMPT 512

/* the default prompts (io.autoglm.bench.BatchedComparison.PROMPTS has the same list); sequence i gets i % 16 */
static const char *const BATCHED_PROMPTS[16] = {
    "Once upon a time", "The little dog", "Lily wanted to", "One day, a boy named Tom",
    "The sun was shining", "There was a big red ball", "Mom said to", "The cat and the bird",
    "In the park,", "Sam had a toy car", "The old tree", "A little girl found",
    "It was a rainy day", "The fish swam", "Ben and Mia", "The king was sad",
};

/* the suffixes of the prefix experiment, one per sequence */
static const char *const BATCHED_SUFFIXES[BATCHED_PREFIX_SEQ] = {
    " Who is the hero?", " Where does it happen?", " What happens next?", " Tell it again.",
};

struct batched_args {
    const char *path;
    int threads;
    int n_seq;
    int n_gen;
    int reps;
    const char *mode;          /* batched | sequential | both | prefix */
    int ctx_per_seq;           /* context of one sequence: n_ctx = kv cells */
    int kv_cells;              /* n_ctx of the context; 0 = n_seq x ctx_per_seq */
    int seq_max;               /* n_seq_max; 0 = n_seq */
    int n_batch;
    const char *prompts_file;  /* one prompt per line, or NULL for BATCHED_PROMPTS */
    const char *prefix_file;   /* text whose first prefix_tokens tokens are the shared prefix */
    int prefix_tokens;
    int occupy;                /* cells filled by an idle extra sequence before each run (a resident prefix cache) */
    float temp;                /* 0: greedy (argmax); else AutoGLM's default chain with this temperature */
    unsigned seed;             /* seed of sequence s's chain: seed + s (the same in batched and sequential runs) */
    int split_kv;              /* current generation only: one KV stream per sequence (kv_unified false) */
};

static void batched_usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s MODEL.gguf THREADS N_SEQ N_TOKENS REPS [--mode batched|sequential|both|prefix]\n"
            "       [--ctx PER_SEQUENCE (512)] [--kv CELLS (N_SEQ x ctx)] [--seq-max N (N_SEQ)] [--batch N (512)]\n"
            "       [--prompts FILE (one per line)] [--prefix-file TEXT_FILE] [--prefix-tokens N (400)]\n"
            "       [--occupy CELLS (0): before each run an extra sequence fills CELLS cells, as cached prefixes would]\n"
            "       [--temp T (0 = greedy): sample with top-k 40, top-p 0.95, min-p 0.05, temperature T] [--seed S (42)]\n"
            "       [--split-kv 1: current generation only, one KV stream per sequence instead of the unified cache]\n",
            argv0);
}

/* Reads the command line; returns 0, or exit code 2 after saying why. */
static int batched_parse_args(int argc, char **argv, struct batched_args *a) {
    if (argc < 6) {
        batched_usage(argv[0]);
        return 2;
    }
    memset(a, 0, sizeof *a);
    a->path = argv[1];
    a->threads = atoi(argv[2]);
    a->n_seq = atoi(argv[3]);
    a->n_gen = atoi(argv[4]);
    a->reps = atoi(argv[5]);
    a->mode = "both";
    a->ctx_per_seq = 512;
    a->n_batch = 512;
    a->prefix_tokens = 400;
    a->seed = 42;
    for (int i = 6; i < argc; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "%s needs a value\n", o);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(o, "--mode")) {
            a->mode = v;
        } else if (!strcmp(o, "--ctx")) {
            a->ctx_per_seq = atoi(v);
        } else if (!strcmp(o, "--kv")) {
            a->kv_cells = atoi(v);
        } else if (!strcmp(o, "--seq-max")) {
            a->seq_max = atoi(v);
        } else if (!strcmp(o, "--batch")) {
            a->n_batch = atoi(v);
        } else if (!strcmp(o, "--prompts")) {
            a->prompts_file = v;
        } else if (!strcmp(o, "--prefix-file")) {
            a->prefix_file = v;
        } else if (!strcmp(o, "--occupy")) {
            a->occupy = atoi(v);
        } else if (!strcmp(o, "--prefix-tokens")) {
            a->prefix_tokens = atoi(v);
        } else if (!strcmp(o, "--temp")) {
            a->temp = (float) atof(v);
        } else if (!strcmp(o, "--split-kv")) {
            a->split_kv = atoi(v);
        } else if (!strcmp(o, "--seed")) {
            a->seed = (unsigned) strtoul(v, NULL, 10);
        } else {
            fprintf(stderr, "unknown option %s\n", o);
            batched_usage(argv[0]);
            return 2;
        }
    }
    if (strcmp(a->mode, "batched") && strcmp(a->mode, "sequential") && strcmp(a->mode, "both") && strcmp(a->mode, "prefix")) {
        fprintf(stderr, "--mode must be batched, sequential, both or prefix, was %s\n", a->mode);
        return 2;
    }
    if (!strcmp(a->mode, "prefix")) {
        a->n_seq = BATCHED_PREFIX_SEQ;
    }
    if (a->threads < 1 || a->n_gen < 1 || a->reps < 1 || a->n_batch < 1 || a->ctx_per_seq < 32 || a->prefix_tokens < 2) {
        fprintf(stderr, "threads, n_tokens, reps and --batch must be >= 1, --ctx >= 32, --prefix-tokens >= 2\n");
        return 2;
    }
    if (a->n_seq < 1 || a->n_seq > BATCHED_MAX_SEQ) {
        fprintf(stderr, "n_seq must be 1..%d, was %d\n", BATCHED_MAX_SEQ, a->n_seq);
        return 2;
    }
    if (a->temp < 0) {
        fprintf(stderr, "--temp must be >= 0, was %g\n", a->temp);
        return 2;
    }
    if (a->occupy < 0 || (a->occupy > 0 && !strcmp(a->mode, "prefix"))) {
        fprintf(stderr, "--occupy must be >= 0, and is not used by --mode prefix\n");
        return 2;
    }
    int seqs = a->n_seq + (a->occupy > 0);  /* the filler has its own sequence id, n_seq */
    if (a->seq_max == 0) {
        a->seq_max = seqs;
    }
    if (a->seq_max < seqs) {
        fprintf(stderr, "--seq-max must be >= %d, was %d\n", seqs, a->seq_max);
        return 2;
    }
    if (a->kv_cells == 0) {
        a->kv_cells = a->n_seq * a->ctx_per_seq + a->occupy;
    }
    return 0;
}

/*
 * The context settings of the Java side (AutoGLM.builder().parallel(N).contextSize(CTX).batchSize(512)
 * .prefixCache(false)): n_ctx = kv cells (N x CTX), n_batch = n_ubatch = 512, n_seq_max = N (unified
 * KV cache: b4916 has only that; the current ABI sets kv_unified when n_seq_max > 1), F16 cache.
 */
#define BATCHED_SET_CONTEXT(cp, a) do {        \
        (cp).n_ctx = (uint32_t) (a).kv_cells;  \
        (cp).n_batch = (uint32_t) (a).n_batch; \
        (cp).n_ubatch = (uint32_t) (a).n_batch; \
        (cp).n_seq_max = (uint32_t) (a).seq_max; \
        (cp).n_threads = (a).threads;          \
        (cp).n_threads_batch = (a).threads;    \
        (cp).no_perf = true;                   \
    } while (0)

struct batched_ctx {
    void *ctx;
    const void *vocab;
    const struct batched_abi *abi;
    const struct batched_args *a;
    struct llama_batch batch;
    int n_batch;
};

static void batch_clear(struct llama_batch *b) {
    b->n_tokens = 0;
}

static void batch_add(struct llama_batch *b, llama_token tok, int32_t pos, int32_t seq, bool logits) {
    int i = b->n_tokens++;
    b->token[i] = tok;
    b->pos[i] = pos;
    b->n_seq_id[i] = 1;
    b->seq_id[i][0] = seq;
    b->logits[i] = logits ? 1 : 0;
}

static void *greedy_chain(void) {
    struct llama_sampler_chain_params sp = { true };
    void *chain = llama_sampler_chain_init(sp);
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    return chain;
}

/*
 * The chain of sequence s: greedy, or (--temp > 0) the chain AutoGLM's FfmSampler builds for
 * SamplingParams' defaults (top-k 40, top-p 0.95, min-p 0.05, no penalties) at that temperature, seeded
 * with seed + s -- the Java side gives request s the same seed, so batch-invariant decoding gives the
 * same ids on both sides.
 */
static void *sequence_chain(const struct batched_args *a, int s) {
    if (a->temp <= 0) {
        return greedy_chain();
    }
    struct llama_sampler_chain_params sp = { true };
    void *chain = llama_sampler_chain_init(sp);
    llama_sampler_chain_add(chain, llama_sampler_init_top_k(40));
    llama_sampler_chain_add(chain, llama_sampler_init_top_p(0.95f, 1));
    llama_sampler_chain_add(chain, llama_sampler_init_min_p(0.05f, 1));
    llama_sampler_chain_add(chain, llama_sampler_init_temp(a->temp));
    llama_sampler_chain_add(chain, llama_sampler_init_dist(a->seed + (unsigned) s));
    return chain;
}

/* tokenizes text (BOS added); returns the count, or -1 after saying why */
static int tokenize(const void *vocab, const char *text, llama_token *out, int max) {
    int n = llama_tokenize(vocab, text, (int32_t) strlen(text), out, max, true, false);
    if (n <= 0) {
        fprintf(stderr, "cannot tokenize \"%.40s\" into at most %d tokens (%d)\n", text, max, n);
        return -1;
    }
    return n;
}

/* the token lists of the N prompts */
struct batched_prompts {
    int n;
    int len[BATCHED_MAX_SEQ];
    llama_token tok[BATCHED_MAX_SEQ][BATCHED_MAX_PROMPT];
};

static int load_prompts(const struct batched_ctx *c, struct batched_prompts *p) {
    const struct batched_args *a = c->a;
    char *lines[BATCHED_MAX_SEQ];
    int n_lines = 0;
    char *buf = NULL;
    if (a->prompts_file) {
        FILE *f = fopen(a->prompts_file, "rb");
        if (!f) {
            fprintf(stderr, "cannot read --prompts %s\n", a->prompts_file);
            return 3;
        }
        buf = calloc(1, 1 << 16);
        size_t got = fread(buf, 1, (1 << 16) - 1, f);
        fclose(f);
        buf[got] = 0;
        for (char *s = strtok(buf, "\n"); s && n_lines < BATCHED_MAX_SEQ; s = strtok(NULL, "\n")) {
            size_t l = strlen(s);
            if (l && s[l - 1] == '\r') {
                s[l - 1] = 0;
            }
            if (*s) {
                lines[n_lines++] = s;
            }
        }
        if (n_lines == 0) {
            fprintf(stderr, "--prompts %s has no prompt\n", a->prompts_file);
            free(buf);
            return 3;
        }
    }
    p->n = a->n_seq;
    for (int i = 0; i < a->n_seq; i++) {
        const char *text = n_lines ? lines[i % n_lines] : BATCHED_PROMPTS[i % 16];
        int n = tokenize(c->vocab, text, p->tok[i], BATCHED_MAX_PROMPT);
        if (n < 0) {
            free(buf);
            return 3;
        }
        if (n + a->n_gen > a->ctx_per_seq) {
            fprintf(stderr, "prompt %d (%d tokens) plus %d tokens does not fit --ctx %d\n", i, n, a->n_gen, a->ctx_per_seq);
            free(buf);
            return 3;
        }
        p->len[i] = n;
    }
    free(buf);
    return 0;
}

/*
 * Decodes rows [0, n) of the token/pos/seq/logits arrays in batches of at most n_batch rows, the last
 * batch being the last min(n, n_batch) rows. Callers put the rows that want logits last (at most
 * n_batch of them), so they are all in that batch. Returns the row offset of the last batch (its
 * logits rows are indexed from there), or -1.
 */
static int decode_rows(struct batched_ctx *c, int n, const llama_token *tok, const int32_t *pos, const int32_t *seq,
                       const bool *logits) {
    int last = n > c->n_batch ? n - c->n_batch : 0;
    int from = 0;
    while (from < n) {
        int to = from < last ? (from + c->n_batch < last ? from + c->n_batch : last) : n;
        batch_clear(&c->batch);
        for (int i = from; i < to; i++) {
            batch_add(&c->batch, tok[i], pos[i], seq[i], logits[i]);
        }
        int rc = llama_decode(c->ctx, c->batch);
        if (rc != 0) {
            fprintf(stderr, "llama_decode of %d rows failed: %d\n", to - from, rc);
            return -1;
        }
        if (to == n) {
            return from;
        }
        from = to;
    }
    return 0;
}

static void print_ids(const char *label, int seq, const llama_token *ids, int n) {
    printf("%s[%d]=", label, seq);
    for (int i = 0; i < n; i++) {
        printf(i ? ",%d" : "%d", ids[i]);
    }
    printf("\n");
}

/* --occupy: fills a->occupy cells with an idle sequence (id n_seq) that no step attends to. Returns 0 or 3. */
static int occupy_cells(struct batched_ctx *c, const struct batched_prompts *p) {
    int n = c->a->occupy;
    for (int from = 0; from < n; from += c->n_batch) {
        batch_clear(&c->batch);
        for (int i = from; i < n && i < from + c->n_batch; i++) {
            batch_add(&c->batch, p->tok[0][i % p->len[0]], i, c->a->n_seq, false);
        }
        if (llama_decode(c->ctx, c->batch) != 0) {
            fprintf(stderr, "llama_decode of the --occupy filler failed\n");
            return 3;
        }
    }
    return 0;
}

/*
 * One batched run: all prompts in as few decodes as n_batch allows (each its own sequence id, logits
 * at each prompt's last row), then n_gen - 1 steps of one token per sequence. out[s][i] = the ids.
 * Returns 0 and sets *prefill_ms / *decode_ms, or 3.
 */
static int run_batched(struct batched_ctx *c, const struct batched_prompts *p, llama_token (*out)[BATCHED_MAX_PROMPT],
                       double *prefill_ms, double *decode_ms, double *decode_cpu_ms, double *run_cpu_ms,
                       double *steps_decode_ms, double *steps_sample_ms) {
    int n_seq = p->n;
    int n_gen = c->a->n_gen;
    size_t cap = (size_t) BATCHED_MAX_SEQ * BATCHED_MAX_PROMPT; /* every prompt is shorter than BATCHED_MAX_PROMPT */
    llama_token *tok = malloc(sizeof(llama_token) * cap);
    int32_t *pos = malloc(sizeof(int32_t) * cap);
    int32_t *seq = malloc(sizeof(int32_t) * cap);
    bool *logits = malloc(sizeof(bool) * cap);
    int row_of[BATCHED_MAX_SEQ];
    void *chain[BATCHED_MAX_SEQ];
    for (int s = 0; s < n_seq; s++) {
        chain[s] = sequence_chain(c->a, s);
    }
    c->abi->clear(c->ctx);
    int rc = 3;
    if (occupy_cells(c, p) != 0) {
        goto done;
    }

    double t0 = batched_now_ms();
    double cpu0 = batched_cpu_ms();
    /* prompt rows without logits first, then each prompt's last row (so all logits rows share the last batch) */
    int n = 0;
    for (int s = 0; s < n_seq; s++) {
        for (int i = 0; i < p->len[s] - 1; i++, n++) {
            tok[n] = p->tok[s][i]; pos[n] = i; seq[n] = s; logits[n] = false;
        }
    }
    for (int s = 0; s < n_seq; s++, n++) {
        tok[n] = p->tok[s][p->len[s] - 1]; pos[n] = p->len[s] - 1; seq[n] = s; logits[n] = true;
        row_of[s] = n;
    }
    int base = decode_rows(c, n, tok, pos, seq, logits);
    if (base < 0) {
        goto done;
    }
    for (int s = 0; s < n_seq; s++) {
        out[s][0] = llama_sampler_sample(chain[s], c->ctx, row_of[s] - base);
    }
    double t1 = batched_now_ms();
    double cpu1 = batched_cpu_ms();
    double in_decode = 0, in_sample = 0;
    for (int k = 1; k < n_gen; k++) {
        batch_clear(&c->batch);
        for (int s = 0; s < n_seq; s++) {
            batch_add(&c->batch, out[s][k - 1], p->len[s] + k - 1, s, true);
        }
        double d0 = batched_now_ms();
        int r = llama_decode(c->ctx, c->batch);
        double d1 = batched_now_ms();
        if (r != 0) {
            fprintf(stderr, "llama_decode of step %d (%d sequences) failed: %d\n", k, n_seq, r);
            goto done;
        }
        for (int s = 0; s < n_seq; s++) {
            out[s][k] = llama_sampler_sample(chain[s], c->ctx, s);
        }
        in_decode += d1 - d0;
        in_sample += batched_now_ms() - d1;
    }
    double t2 = batched_now_ms();
    *steps_decode_ms = in_decode;
    *steps_sample_ms = in_sample;
    *prefill_ms = t1 - t0;
    *decode_ms = t2 - t1;
    *decode_cpu_ms = batched_cpu_ms() - cpu1;
    *run_cpu_ms = batched_cpu_ms() - cpu0;
    rc = 0;
done:
    for (int s = 0; s < n_seq; s++) {
        llama_sampler_free(chain[s]);
    }
    free(tok); free(pos); free(seq); free(logits);
    return rc;
}

/* One request alone (sequence 0 of an emptied cache), as the sequential mode runs each. Returns 0 or 3. */
static int run_one(struct batched_ctx *c, const struct batched_prompts *p, int index, llama_token *out, double *prefill_ms,
                   double *decode_ms, double *decode_cpu_ms, double *run_cpu_ms) {
    const llama_token *prompt = p->tok[index];
    int len = p->len[index];
    int n_gen = c->a->n_gen;
    llama_token tok[BATCHED_MAX_PROMPT];
    int32_t pos[BATCHED_MAX_PROMPT], seq[BATCHED_MAX_PROMPT];
    bool logits[BATCHED_MAX_PROMPT];
    void *chain = sequence_chain(c->a, index);
    c->abi->clear(c->ctx);
    int rc = 3;
    if (occupy_cells(c, p) != 0) {
        goto done;
    }
    double t0 = batched_now_ms();
    double cpu0 = batched_cpu_ms();
    for (int i = 0; i < len; i++) {
        tok[i] = prompt[i]; pos[i] = i; seq[i] = 0; logits[i] = i == len - 1;
    }
    int base = decode_rows(c, len, tok, pos, seq, logits);
    if (base < 0) {
        goto done;
    }
    out[0] = llama_sampler_sample(chain, c->ctx, len - 1 - base);
    double t1 = batched_now_ms();
    double cpu1 = batched_cpu_ms();
    for (int k = 1; k < n_gen; k++) {
        batch_clear(&c->batch);
        batch_add(&c->batch, out[k - 1], len + k - 1, 0, true);
        if (llama_decode(c->ctx, c->batch) != 0) {
            fprintf(stderr, "llama_decode of step %d failed\n", k);
            goto done;
        }
        out[k] = llama_sampler_sample(chain, c->ctx, 0);
    }
    *prefill_ms = t1 - t0;
    *decode_ms = batched_now_ms() - t1;
    *decode_cpu_ms = batched_cpu_ms() - cpu1;
    *run_cpu_ms = batched_cpu_ms() - cpu0;
    rc = 0;
done:
    llama_sampler_free(chain);
    return rc;
}

/* batched and/or sequential mode: prints per-rep lines, medians, the speedup and the ids of the last rep */
static int batched_throughput(struct batched_ctx *c) {
    const struct batched_args *a = c->a;
    bool do_batched = strcmp(a->mode, "sequential") != 0;
    bool do_sequential = strcmp(a->mode, "batched") != 0;
    struct batched_prompts *p = calloc(1, sizeof *p);
    int rc = load_prompts(c, p);
    if (rc != 0) {
        free(p);
        return rc;
    }
    if (a->n_gen > BATCHED_MAX_PROMPT) {
        fprintf(stderr, "n_tokens must be <= %d\n", BATCHED_MAX_PROMPT);
        free(p);
        return 2;
    }
    llama_token (*bat)[BATCHED_MAX_PROMPT] = calloc(BATCHED_MAX_SEQ, sizeof *bat);
    llama_token (*one)[BATCHED_MAX_PROMPT] = calloc(BATCHED_MAX_SEQ, sizeof *one);
    double *b_rate = calloc((size_t) a->reps, sizeof(double));
    double *b_prefill = calloc((size_t) a->reps, sizeof(double));
    double *s_rate = calloc((size_t) a->reps, sizeof(double));
    double *s_prefill = calloc((size_t) a->reps, sizeof(double));
    double *b_cpu = calloc((size_t) a->reps, sizeof(double));
    double *s_cpu = calloc((size_t) a->reps, sizeof(double));
    double *b_run_cpu = calloc((size_t) a->reps, sizeof(double));
    double *s_run_cpu = calloc((size_t) a->reps, sizeof(double));
    double *b_step = calloc((size_t) a->reps, sizeof(double));
    double *b_step_decode = calloc((size_t) a->reps, sizeof(double));
    double *b_step_sample = calloc((size_t) a->reps, sizeof(double));
    double all_tokens = (double) a->n_seq * a->n_gen;
    double tokens = (double) a->n_seq * (a->n_gen - 1);
    for (int r = 0; r < a->reps && rc == 0; r++) {
        /* alternate which mode goes first, so slow drifts of the machine hit both alike */
        for (int half = 0; half < 2 && rc == 0; half++) {
            bool batched_now = (half == 0) == (r % 2 == 0);
            if (batched_now && do_batched) {
                double pf, dm, cpu, run_cpu, in_decode, in_sample;
                rc = run_batched(c, p, bat, &pf, &dm, &cpu, &run_cpu, &in_decode, &in_sample);
                if (rc == 0 && a->n_gen > 1) {
                    b_step[r] = dm / (a->n_gen - 1);
                    b_step_decode[r] = in_decode / (a->n_gen - 1);
                    b_step_sample[r] = in_sample / (a->n_gen - 1);
                }
                if (rc == 0) {
                    b_run_cpu[r] = all_tokens / (run_cpu / 1e3);
                    b_rate[r] = tokens / (dm / 1e3);
                    b_prefill[r] = pf;
                    b_cpu[r] = tokens / (cpu / 1e3);
                    printf("batched rep %d: %.1f tok/s aggregate (%d sequences x %d tokens; prefill %.2f ms, decode %.2f ms, "
                           "decode cpu %.2f ms)\n", r + 1, b_rate[r], a->n_seq, a->n_gen, pf, dm, cpu);
                }
            } else if (!batched_now && do_sequential) {
                double pf_sum = 0, dm_sum = 0, cpu_sum = 0, run_cpu_sum = 0;
                for (int s = 0; s < a->n_seq && rc == 0; s++) {
                    double pf, dm, cpu, run_cpu;
                    rc = run_one(c, p, s, one[s], &pf, &dm, &cpu, &run_cpu);
                    pf_sum += pf;
                    dm_sum += dm;
                    cpu_sum += cpu;
                    run_cpu_sum += run_cpu;
                }
                if (rc == 0) {
                    s_run_cpu[r] = all_tokens / (run_cpu_sum / 1e3);
                    s_rate[r] = tokens / (dm_sum / 1e3);
                    s_prefill[r] = pf_sum;
                    s_cpu[r] = tokens / (cpu_sum / 1e3);
                    printf("sequential rep %d: %.1f tok/s aggregate (%d requests one after another; prefill %.2f ms, decode %.2f ms, "
                           "decode cpu %.2f ms)\n", r + 1, s_rate[r], a->n_seq, pf_sum, dm_sum, cpu_sum);
                }
            }
        }
    }
    if (rc == 0) {
        double bm = 0, sm = 0;
        if (do_batched) {
            bm = batched_median(b_rate, a->reps);
            printf("batched_median_tok_s=%.2f\n", bm);
            printf("batched_median_prefill_ms=%.3f\n", batched_median(b_prefill, a->reps));
            printf("batched_median_cpu_tok_s=%.2f\n", batched_median(b_cpu, a->reps));
            printf("batched_median_run_cpu_tok_s=%.2f\n", batched_median(b_run_cpu, a->reps));
            /* per decode step (one llama_decode of n_seq rows, then n_seq samples): wall, in llama_decode, sampling */
            printf("batched_median_step_ms=%.4f\n", batched_median(b_step, a->reps));
            printf("batched_median_step_decode_ms=%.4f\n", batched_median(b_step_decode, a->reps));
            printf("batched_median_step_sample_ms=%.4f\n", batched_median(b_step_sample, a->reps));
            for (int s = 0; s < a->n_seq; s++) {
                print_ids("batched_ids", s, bat[s], a->n_gen);
            }
        }
        if (do_sequential) {
            sm = batched_median(s_rate, a->reps);
            printf("sequential_median_tok_s=%.2f\n", sm);
            printf("sequential_median_prefill_ms=%.3f\n", batched_median(s_prefill, a->reps));
            printf("sequential_median_cpu_tok_s=%.2f\n", batched_median(s_cpu, a->reps));
            printf("sequential_median_run_cpu_tok_s=%.2f\n", batched_median(s_run_cpu, a->reps));
            for (int s = 0; s < a->n_seq; s++) {
                print_ids("sequential_ids", s, one[s], a->n_gen);
            }
        }
        if (do_batched && do_sequential) {
            int same = 0;
            for (int s = 0; s < a->n_seq; s++) {
                same += memcmp(bat[s], one[s], sizeof(llama_token) * (size_t) a->n_gen) == 0;
            }
            printf("speedup=%.3f\n", bm / sm);
            printf("same_ids=%d/%d\n", same, a->n_seq);
        }
    }
    free(bat); free(one); free(b_rate); free(b_prefill); free(s_rate); free(s_prefill); free(b_cpu); free(s_cpu); free(b_run_cpu); free(s_run_cpu);
    free(b_step); free(b_step_decode); free(b_step_sample); free(p);
    return rc;
}

/* the shared prefix: the first prefix_tokens tokens (BOS included) of --prefix-file, or of a built-in text */
static int load_prefix(const struct batched_ctx *c, llama_token *out, int want) {
    const char *file = c->a->prefix_file;
    char *text = NULL;
    if (file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            fprintf(stderr, "cannot read --prefix-file %s\n", file);
            return -1;
        }
        size_t cap = (size_t) want * 16 + 1;   /* enough text for `want` tokens of any vocabulary */
        text = calloc(1, cap + 1);
        size_t got = fread(text, 1, cap, f);
        fclose(f);
        text[got] = 0;
    } else {
        const char *para = "The old house at the end of the lane had stood empty for many years, and the children of the "
                           "village told stories about the lights that were sometimes seen in its windows at night. ";
        size_t cap = strlen(para) * (size_t) (want / 8 + 2) + 1;
        text = calloc(1, cap);
        while (strlen(text) + strlen(para) < cap) {
            strcat(text, para);
        }
    }
    int max = want * 16 + 16;
    llama_token *all = malloc(sizeof(llama_token) * (size_t) max);
    int n = llama_tokenize(c->vocab, text, (int32_t) strlen(text), all, max, true, false);
    free(text);
    if (n < want) {
        fprintf(stderr, "the prefix text has %d tokens, fewer than --prefix-tokens %d\n", n, want);
        free(all);
        return -1;
    }
    memcpy(out, all, sizeof(llama_token) * (size_t) want);
    free(all);
    return want;
}

/*
 * The prefix experiment. shared: decode the prefix once on sequence 0, seq_cp it to sequences 1..3,
 * then the four suffixes in one batch. separate: every sequence prefills prefix + its suffix itself
 * (all rows packed into batches of n_batch). Each then generates n_gen tokens per sequence in batched
 * steps, and the ids of both ways are compared. Prints prefill times and their medians.
 */
static int batched_prefix(struct batched_ctx *c) {
    const struct batched_args *a = c->a;
    int np = a->prefix_tokens;
    int ns = BATCHED_PREFIX_SEQ;
    llama_token *prefix = malloc(sizeof(llama_token) * (size_t) np);
    llama_token suffix[BATCHED_PREFIX_SEQ][64];
    int slen[BATCHED_PREFIX_SEQ];
    if (load_prefix(c, prefix, np) < 0) {
        free(prefix);
        return 3;
    }
    for (int s = 0; s < ns; s++) {
        /* no BOS inside the text: tokenize without special tokens */
        slen[s] = llama_tokenize(c->vocab, BATCHED_SUFFIXES[s], (int32_t) strlen(BATCHED_SUFFIXES[s]), suffix[s], 64, false, false);
        if (slen[s] <= 0 || np + slen[s] + a->n_gen > a->ctx_per_seq) {
            fprintf(stderr, "prefix %d + suffix %d + %d tokens does not fit --ctx %d\n", np, slen[s], a->n_gen, a->ctx_per_seq);
            free(prefix);
            return 3;
        }
    }
    int cap = ns * (np + 64);
    llama_token *tok = malloc(sizeof(llama_token) * (size_t) cap);
    int32_t *pos = malloc(sizeof(int32_t) * (size_t) cap);
    int32_t *seq = malloc(sizeof(int32_t) * (size_t) cap);
    bool *logits = malloc(sizeof(bool) * (size_t) cap);
    double *t_shared = calloc((size_t) a->reps, sizeof(double));
    double *t_separate = calloc((size_t) a->reps, sizeof(double));
    llama_token ids[2][BATCHED_PREFIX_SEQ][BATCHED_MAX_PROMPT];
    int rc = 0;
    for (int r = 0; r < a->reps && rc == 0; r++) {
        for (int half = 0; half < 2 && rc == 0; half++) {
            int shared = (half == 0) == (r % 2 == 0);
            void *chain[BATCHED_PREFIX_SEQ];
            for (int s = 0; s < ns; s++) {
                chain[s] = greedy_chain();
            }
            c->abi->clear(c->ctx);
            double t0 = batched_now_ms();
            int n = 0, base;
            if (shared) {
                for (int i = 0; i < np; i++, n++) {
                    tok[n] = prefix[i]; pos[n] = i; seq[n] = 0; logits[n] = false;
                }
                base = decode_rows(c, n, tok, pos, seq, logits);
                for (int s = 1; s < ns && base >= 0; s++) {
                    c->abi->seq_cp(c->ctx, 0, s, 0, np);
                }
                n = 0;
            } else {
                for (int s = 0; s < ns; s++) {
                    for (int i = 0; i < np; i++, n++) {
                        tok[n] = prefix[i]; pos[n] = i; seq[n] = s; logits[n] = false;
                    }
                }
                base = 0;
            }
            /* the suffixes (their last rows carry the logits, last in the rows) */
            for (int s = 0; s < ns && base >= 0; s++) {
                for (int i = 0; i < slen[s] - 1; i++, n++) {
                    tok[n] = suffix[s][i]; pos[n] = np + i; seq[n] = s; logits[n] = false;
                }
            }
            int row_of[BATCHED_PREFIX_SEQ];
            for (int s = 0; s < ns && base >= 0; s++, n++) {
                tok[n] = suffix[s][slen[s] - 1]; pos[n] = np + slen[s] - 1; seq[n] = s; logits[n] = true;
                row_of[s] = n;
            }
            if (base >= 0) {
                base = decode_rows(c, n, tok, pos, seq, logits);
            }
            if (base < 0) {
                rc = 3;
            } else {
                for (int s = 0; s < ns; s++) {
                    ids[shared][s][0] = llama_sampler_sample(chain[s], c->ctx, row_of[s] - base);
                }
                double t1 = batched_now_ms();
                (shared ? t_shared : t_separate)[r] = (t1 - t0) / 1e3;
                printf("prefix rep %d %s: prefill %.3f s\n", r + 1, shared ? "shared (decoded once, seq_cp)" : "separate (each prefills)",
                       (t1 - t0) / 1e3);
                for (int k = 1; k < a->n_gen && rc == 0; k++) {
                    batch_clear(&c->batch);
                    for (int s = 0; s < ns; s++) {
                        batch_add(&c->batch, ids[shared][s][k - 1], np + slen[s] + k - 1, s, true);
                    }
                    if (llama_decode(c->ctx, c->batch) != 0) {
                        fprintf(stderr, "llama_decode of step %d failed\n", k);
                        rc = 3;
                        break;
                    }
                    for (int s = 0; s < ns; s++) {
                        ids[shared][s][k] = llama_sampler_sample(chain[s], c->ctx, s);
                    }
                }
            }
            for (int s = 0; s < ns; s++) {
                llama_sampler_free(chain[s]);
            }
        }
    }
    if (rc == 0) {
        double ms = batched_median(t_shared, a->reps);
        double me = batched_median(t_separate, a->reps);
        int same = 0;
        for (int s = 0; s < ns; s++) {
            same += memcmp(ids[0][s], ids[1][s], sizeof(llama_token) * (size_t) a->n_gen) == 0;
            print_ids("prefix_ids", s, ids[1][s], a->n_gen);
        }
        printf("prefix_tokens=%d\n", np);
        printf("prefix_shared_median_s=%.4f\n", ms);
        printf("prefix_separate_median_s=%.4f\n", me);
        printf("prefix_ratio=%.3f\n", ms / me);
        printf("same_ids=%d/%d\n", same, ns);
    }
    free(prefix); free(tok); free(pos); free(seq); free(logits); free(t_shared); free(t_separate);
    return rc;
}

/*
 * Runs the experiment of a->mode on a created context: warms it up (one BOS decode on this thread, as
 * the FFM backend does on its decode thread), prints the settings, then the results. Returns 0, or the
 * exit code (3) after saying why.
 */
static int batched_main(void *ctx, const void *vocab, const struct batched_args *a, const struct batched_abi *abi) {
    struct batched_ctx c = { ctx, vocab, abi, a, llama_batch_init(a->n_batch, 0, 1), a->n_batch };
    llama_token bos = llama_vocab_bos(vocab);
    batch_clear(&c.batch);
    batch_add(&c.batch, bos >= 0 ? bos : 0, 0, 0, true);
    if (llama_decode(ctx, c.batch) != 0) {
        fprintf(stderr, "warm-up decode failed\n");
        llama_batch_free(c.batch);
        return 3;
    }
    abi->clear(ctx);
    printf("settings: mode %s, %d threads, %d sequences, %d tokens each, %d reps, n_ctx %u (asked %d = kv cells), "
           "per-sequence context %d, n_seq_max %d, n_batch = n_ubatch %d, unified KV cache, F16 K/V, %d cells occupied\n",
           a->mode, a->threads, a->n_seq, a->n_gen, a->reps, llama_n_ctx(ctx), a->kv_cells, a->ctx_per_seq, a->seq_max,
           a->n_batch, a->occupy);
    int rc = strcmp(a->mode, "prefix") == 0 ? batched_prefix(&c) : batched_throughput(&c);
    llama_batch_free(c.batch);
    return rc;
}

#endif
