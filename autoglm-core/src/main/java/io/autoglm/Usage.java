package io.autoglm;

/**
 * Token counts of one request.
 *
 * @param promptTokens tokens in the (possibly truncated) prompt
 * @param completionTokens tokens generated
 * @param cachedPromptTokens prompt tokens whose KV cells were reused from the prefix cache instead of
 *     being evaluated again (OpenAI's {@code prompt_tokens_details.cached_tokens}); at most {@code promptTokens}
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    /** Validates the counts. */
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, were " + promptTokens + ", " + completionTokens
                    + ", " + cachedPromptTokens);
        }
        if (cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("cachedPromptTokens must be <= promptTokens (" + promptTokens + "), was "
                    + cachedPromptTokens);
        }
    }

    /**
     * @param promptTokens tokens in the prompt
     * @param completionTokens tokens generated
     */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, 0);
    }

    /** @return prompt plus completion tokens */
    public int totalTokens() {
        return promptTokens + completionTokens;
    }

    /** @return prompt tokens that were evaluated for this request (not reused from the cache) */
    public int evaluatedPromptTokens() {
        return promptTokens - cachedPromptTokens;
    }
}
