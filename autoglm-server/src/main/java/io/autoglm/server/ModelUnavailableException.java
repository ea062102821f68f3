package io.autoglm.server;

import io.autoglm.AutoGLMException;

/**
 * A {@link ModelRegistry} knows the model but cannot serve it yet (it is loading or downloading);
 * the server answers 503 with a {@code Retry-After}.
 */
public class ModelUnavailableException extends AutoGLMException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    /**
     * @param message why, naming the model
     * @param retryAfterSeconds when to try again, &gt;= 1
     */
    public ModelUnavailableException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** @return seconds a client should wait */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
