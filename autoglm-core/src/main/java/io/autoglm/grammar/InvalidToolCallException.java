package io.autoglm.grammar;

import io.autoglm.AutoGLMException;

/**
 * Model output that is not a valid tool call: not JSON, the wrong shape, an unknown tool, or
 * arguments that break the tool's parameter schema. {@link #truncated()} is true when the text
 * only ended early (generation hit {@code maxTokens} before the grammar closed): raise the limit.
 */
public class InvalidToolCallException extends AutoGLMException {
    private static final long serialVersionUID = 1L;

    private final boolean truncated;

    /**
     * @param message what is wrong
     * @param truncated true when the text is an unfinished but so far valid beginning
     */
    public InvalidToolCallException(String message, boolean truncated) {
        super(message);
        this.truncated = truncated;
    }

    /** @return true when the output ended before the tool call was complete */
    public boolean truncated() {
        return truncated;
    }
}
