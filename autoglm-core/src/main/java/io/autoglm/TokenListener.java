package io.autoglm;

/**
 * Receives generated chunks as they come, on the calling thread of
 * {@link LanguageModel#complete(CompletionRequest, TokenListener)} (never on the model's decode
 * thread, so a slow listener slows only its own request).
 */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param chunk the next chunk
     * @return true to go on, false to cancel the generation (finish reason {@link FinishReason#CANCELLED})
     */
    boolean onToken(TokenChunk chunk);
}
