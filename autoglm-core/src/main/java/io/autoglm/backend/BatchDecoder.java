package io.autoglm.backend;

import io.autoglm.SamplingParams;

/**
 * Step-wise access to one native context holding many sequences (llama.cpp's {@code llama_batch},
 * {@code llama_decode} and KV-cache sequence operations). The engine owns the loop: each step it
 * fills the batch with one token for every generating sequence plus chunks of waiting prompts,
 * decodes once, and samples each sequence at its own batch row with its own {@link Sampler}.
 *
 * <p>Sequence ids are {@code 0 .. sequenceIds()-1}; positions of a sequence start at 0 and stay below
 * {@link #contextSize()}. KV cells are shared between sequences only through {@link #copyPrefix}.
 * Confined: every method runs on the engine's decode thread, which runs no user code.
 */
public interface BatchDecoder {
    /** What a {@link #decode()} call did. */
    enum Status {
        /** The batch was evaluated; logits of the flagged rows can be sampled. */
        OK,
        /**
         * The KV cache had no room for the batch; nothing changed. Free cells, or (where a micro-batch
         * needs contiguous cells, as in b4916) decode fewer tokens at a time, and try again.
         */
        NO_KV_SPACE
    }

    /** @return sequence ids the context accepts */
    int sequenceIds();

    /** @return KV cells of the whole cache */
    int kvCells();

    /** @return the context window of one sequence: its positions stay below this */
    int contextSize();

    /** @return most tokens one {@link #decode()} takes */
    int batchCapacity();

    /** Empties the batch. */
    void clear();

    /**
     * Appends a token to the batch.
     *
     * @param token a token id (checked by the engine)
     * @param position its position in its sequence
     * @param sequence its sequence id
     * @param logits true to compute the logits of this row (to sample after it)
     * @return the row index of the token in the batch
     */
    int add(int token, int position, int sequence, boolean logits);

    /** @return tokens in the batch */
    int size();

    /**
     * Evaluates the batch.
     *
     * @return {@link Status#OK}, or {@link Status#NO_KV_SPACE} when nothing was changed for want of cells
     * @throws io.autoglm.NativeException for any other native failure
     */
    Status decode();

    /**
     * Creates a sampler chain for one sequence.
     *
     * @param params sampling parameters (logit bias included)
     * @param grammar a GBNF grammar with root rule {@code root}, or null
     * @return the sampler; close it when the sequence ends
     * @throws IllegalArgumentException when the grammar is rejected or a biased token is outside the vocabulary
     */
    Sampler newSampler(SamplingParams params, String grammar);

    /**
     * Copies the logits of a row flagged in the last successful {@link #decode()}.
     *
     * @param row the row
     * @param out receives {@code vocabSize} values
     */
    void logits(int row, float[] out);

    /** Removes every sequence's cells. */
    void clearMemory();

    /**
     * Removes a sequence's cells from a position on (cells shared with other sequences stay theirs).
     *
     * @param sequence the sequence id
     * @param fromPosition first position to drop; 0 drops the whole sequence
     */
    void removeFrom(int sequence, int fromPosition);

    /**
     * Lets {@code target} share the cells of {@code source}'s first {@code length} positions (no copy on
     * a unified cache).
     *
     * @param source a sequence holding at least {@code length} positions
     * @param target a sequence holding none
     * @param length positions to share, from 0
     */
    void copyPrefix(int source, int target, int length);

    /** @return most inputs {@link #embed} packs into one native call */
    int embeddingSequences();

    /**
     * Embeds several token sequences, as many at a time as fit one decode call of the embedding
     * context (per-sequence pooling).
     *
     * @param inputs token sequences, each non-empty and at most {@link #contextSize()} long
     * @param normalize L2-normalise each vector
     * @return one vector per input, in order
     */
    float[][] embed(int[][] inputs, boolean normalize);

    /** A sequence's sampler chain (temperature, top-k/p, min-p, penalties, logit bias, grammar, seed). */
    interface Sampler extends AutoCloseable {
        /**
         * Samples the next token at a row of the last decode and advances the sampler's state
         * (grammar, penalties, random generator) with it.
         *
         * @param row a row flagged for logits in the last successful decode
         * @return the token
         */
        int sample(int row);

        /** Frees the native sampler. Idempotent. */
        @Override
        void close();
    }
}
