package io.autoglm.backend;

/**
 * How a backend generation ended.
 *
 * @param promptTokens tokens evaluated for the prompt
 * @param generatedTokens tokens generated (handed to the sink)
 * @param promptMillis prompt evaluation time
 * @param decodeMillis generation time
 * @param end why it ended
 */
public record GenerationResult(int promptTokens, int generatedTokens, double promptMillis, double decodeMillis, End end) {
    /** Why a backend generation ended. */
    public enum End {
        /** An end-of-generation token was sampled (it is not handed to the sink). */
        END_OF_GENERATION,
        /** {@code maxTokens} reached. */
        LENGTH,
        /** The sink returned false. */
        SINK_STOPPED,
        /** The context window is full. */
        CONTEXT_FULL
    }
}
