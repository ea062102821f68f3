package io.autoglm;

/** The model's request queue is full (back-pressure): retry later or raise {@code maxQueuedRequests}. */
public class RequestRejectedException extends AutoGLMException {
    private static final long serialVersionUID = 1L;

    /** @param message why the request was rejected */
    public RequestRejectedException(String message) {
        super(message);
    }
}
