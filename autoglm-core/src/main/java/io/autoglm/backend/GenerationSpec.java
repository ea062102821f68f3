package io.autoglm.backend;

import io.autoglm.SamplingParams;

/**
 * One generation as a backend sees it. Stop strings and detokenisation are handled above the
 * backend, in the engine, so both backends behave alike.
 *
 * @param prompt prompt token ids (already fitted to the context)
 * @param sampling sampling parameters
 * @param maxTokens maximum tokens to generate
 * @param ignoreEos true to keep going past end-of-generation tokens
 * @param grammar GBNF grammar, or null
 */
public record GenerationSpec(int[] prompt, SamplingParams sampling, int maxTokens, boolean ignoreEos, String grammar) {
}
