package io.autoglm.server.openai;

/**
 * Token counts of one answer, with the prompt tokens reused from the engine's prefix cache.
 *
 * @param promptTokens prompt tokens
 * @param completionTokens generated tokens
 * @param totalTokens their sum
 * @param promptTokensDetails the cached part of the prompt
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, PromptTokensDetails promptTokensDetails) {

    /**
     * @param prompt prompt tokens
     * @param completion generated tokens
     * @param cached prompt tokens reused from the prefix cache
     * @return the usage
     */
    public static Usage of(int prompt, int completion, int cached) {
        return new Usage(prompt, completion, prompt + completion, new PromptTokensDetails(cached));
    }

    /** @param cachedTokens prompt tokens whose KV cells were reused */
    public record PromptTokensDetails(int cachedTokens) {
    }
}
