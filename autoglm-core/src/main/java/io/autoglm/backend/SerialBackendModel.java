package io.autoglm.backend;

import io.autoglm.LogitsConsumer;

/**
 * A model whose backend runs one whole generation at a time (the JNI binding has no step API). The
 * engine serialises calls on one thread.
 */
public interface SerialBackendModel extends BackendModel {
    /**
     * Generates from a fresh context state (previous state is discarded).
     *
     * @param spec what to generate
     * @param sink receives each token
     * @return how it ended and timings
     */
    GenerationResult generate(GenerationSpec spec, TokenSink sink);

    /**
     * @param tokens tokens to embed (fit the context)
     * @param normalize L2-normalise
     * @return the pooled embedding
     */
    float[] embed(int[] tokens, boolean normalize);

    /**
     * Evaluates tokens from a fresh context state and hands the logits after every position to the consumer.
     *
     * @param tokens tokens (fit the context)
     * @param consumer receives logits per position
     * @throws UnsupportedOperationException when the backend cannot expose logits
     */
    void evaluate(int[] tokens, LogitsConsumer consumer);
}
