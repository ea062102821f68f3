package io.autoglm;

/**
 * Wall-clock timings of one request.
 *
 * @param queueMillis time spent waiting for the model
 * @param promptMillis time to evaluate the prompt (prefill)
 * @param decodeMillis time spent generating tokens
 * @param decodeTokens number of tokens decoded in {@code decodeMillis}
 */
public record Timings(double queueMillis, double promptMillis, double decodeMillis, int decodeTokens) {
    /** @return generated tokens per second, or 0 when nothing was decoded */
    public double decodeTokensPerSecond() {
        return decodeMillis > 0 ? decodeTokens * 1000.0 / decodeMillis : 0.0;
    }
}
