package io.autoglm.automl;

/**
 * Root of the unchecked exceptions thrown by {@code autoglm-automl} for failures that are not a
 * caller mistake (caller mistakes are {@link IllegalArgumentException} / {@link IllegalStateException}).
 */
public class AutoMLException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and what to do about it */
    public AutoMLException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do about it
     * @param cause the underlying failure
     */
    public AutoMLException(String message, Throwable cause) {
        super(message, cause);
    }
}
