package io.autoglm;

/**
 * Root of every exception AutoGLM throws for a failure that is not a caller mistake
 * (caller mistakes are {@link IllegalArgumentException}, {@link IllegalStateException} or
 * {@link NullPointerException}).
 */
public class AutoGLMException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and, where possible, what to do about it */
    public AutoGLMException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and, where possible, what to do about it
     * @param cause the underlying failure
     */
    public AutoGLMException(String message, Throwable cause) {
        super(message, cause);
    }
}
