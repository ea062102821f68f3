package io.autoglm;

import java.util.Objects;

/**
 * The result of a chat request.
 *
 * @param message the assistant's reply
 * @param completion the underlying completion: tokens, finish reason, usage, timings
 */
public record ChatResponse(ChatMessage message, Completion completion) {
    /** Validates the components. */
    public ChatResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(completion, "completion");
    }

    /** @return the reply text */
    public String text() {
        return message.content();
    }

    /** @return why generation ended */
    public FinishReason finishReason() {
        return completion.finishReason();
    }

    /** @return token counts */
    public Usage usage() {
        return completion.usage();
    }
}
