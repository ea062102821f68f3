package io.autoglm;

/**
 * Token counts of one request.
 *
 * @param promptTokens tokens in the (possibly truncated) prompt
 * @param completionTokens tokens generated
 */
public record Usage(int promptTokens, int completionTokens) {
    /** Validates the counts. */
    public Usage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, were " + promptTokens + ", " + completionTokens);
        }
    }

    /** @return prompt plus completion tokens */
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
