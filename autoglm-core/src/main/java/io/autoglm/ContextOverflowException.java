package io.autoglm;

/**
 * A prompt does not fit the model's context window. Ask for truncation
 * ({@code truncatePrompt(true)} on the request) or build the model with a larger context.
 */
public class ContextOverflowException extends AutoGLMException {
    private static final long serialVersionUID = 1L;
    private final int promptTokens;
    private final int contextSize;

    /**
     * @param promptTokens number of tokens in the prompt
     * @param contextSize the context window size in tokens
     */
    public ContextOverflowException(int promptTokens, int contextSize) {
        super("prompt of " + promptTokens + " tokens does not fit the context of " + contextSize
                + " tokens; shorten it, set truncatePrompt(true) on the request, or build the model with a larger contextSize");
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    /** @return number of tokens in the rejected prompt */
    public int promptTokens() {
        return promptTokens;
    }

    /** @return the context window size in tokens */
    public int contextSize() {
        return contextSize;
    }
}
