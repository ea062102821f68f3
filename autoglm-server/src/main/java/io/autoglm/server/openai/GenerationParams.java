package io.autoglm.server.openai;

import java.util.List;
import java.util.Map;

/**
 * The generation parameters chat and text completions share, as parsed from a request (absent
 * optional values are null). Validated: every value is within OpenAI's documented range.
 *
 * @param maxTokens {@code max_completion_tokens} or {@code max_tokens}, or null for "until the context is full"
 * @param temperature 0..2, or null for OpenAI's default 1
 * @param topP 0..1, or null for 1
 * @param seed any integer, or null for a random seed per request
 * @param stop stop strings (at most {@value RequestParser#MAX_STOP}), none empty
 * @param presencePenalty -2..2
 * @param frequencyPenalty -2..2
 * @param logitBias token id to bias (-100..100)
 * @param logprobs whether to return log-probabilities
 * @param topLogprobs alternatives per token, 0..20
 * @param n choices, 1..{@value RequestParser#MAX_N}
 * @param topK extension (llama.cpp): top-k, or null
 * @param minP extension (llama.cpp): min-p, or null
 * @param repeatPenalty extension (llama.cpp): repetition penalty, or null
 */
public record GenerationParams(Integer maxTokens, Double temperature, Double topP, Long seed, List<String> stop,
        double presencePenalty, double frequencyPenalty, Map<Integer, Float> logitBias, boolean logprobs, int topLogprobs,
        int n, Integer topK, Double minP, Double repeatPenalty) {

    /** Copies the collections. */
    public GenerationParams {
        stop = List.copyOf(stop);
        logitBias = Map.copyOf(logitBias);
    }

    /** @return true when the same request always gives the same answer (temperature 0, or a fixed seed) */
    public boolean deterministic() {
        return (temperature != null && temperature == 0.0) || seed != null;
    }
}
