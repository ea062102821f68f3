package io.autoglm.automl;

/**
 * Root of the unchecked exceptions of {@code autoglm-automl} for failures that are not caller
 * mistakes (those are {@link IllegalArgumentException} / {@link IllegalStateException}).
 * automl does not depend on autoglm-core, so it has its own root.
 */
public class AutoMLException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and what to do */
    public AutoMLException(String message) {
        super(message);
    }

    /** @param message what went wrong and what to do @param cause underlying failure */
    public AutoMLException(String message, Throwable cause) {
        super(message, cause);
    }
}
