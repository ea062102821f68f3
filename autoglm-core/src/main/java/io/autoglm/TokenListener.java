package io.autoglm;

/** Receives generated chunks as they come, on the model's worker thread; keep it quick. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param chunk the next chunk
     * @return true to go on, false to cancel the generation (finish reason {@link FinishReason#CANCELLED})
     */
    boolean onToken(TokenChunk chunk);
}
