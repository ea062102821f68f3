package io.autoglm;

/**
 * Wall-clock timings of one request.
 *
 * @param queueMillis time spent waiting for a free sequence
 * @param promptMillis from admission to the first generated token: prompt evaluation (prefill of the
 *     tokens not reused from the prefix cache) and the first sampling — the time to first token
 *     once admitted
 * @param decodeMillis from the first generated token to the end
 * @param decodeTokens tokens generated in {@code decodeMillis} (all but the first)
 */
public record Timings(double queueMillis, double promptMillis, double decodeMillis, int decodeTokens) {
    /** @return generated tokens per second, or 0 when nothing was decoded */
    public double decodeTokensPerSecond() {
        return decodeMillis > 0 ? decodeTokens * 1000.0 / decodeMillis : 0.0;
    }
}
