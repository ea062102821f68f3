package io.autoglm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The log-probability of one token under the model's next-token distribution (the softmax of its
 * raw logits, before temperature, penalties or grammar), as OpenAI's {@code logprobs} report it.
 *
 * @param token the token id
 * @param bytes the token's raw UTF-8 bytes (a token may hold part of a character)
 * @param logprob natural-log probability, {@code <= 0}
 * @param topLogprobs the most likely alternatives at this position, most likely first (empty when
 *     none were asked for, and for the entries of such a list themselves)
 */
public record TokenLogprob(int token, byte[] bytes, double logprob, List<TokenLogprob> topLogprobs) {
    /** Validates and copies. */
    public TokenLogprob {
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
        if (!(logprob <= 0.0)) {
            throw new IllegalArgumentException("logprob must be <= 0, was " + logprob);
        }
        topLogprobs = List.copyOf(Objects.requireNonNull(topLogprobs, "topLogprobs"));
    }

    /** @return a copy of the token's bytes */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the token's bytes decoded as UTF-8 (an incomplete character shows as U+FFFD) */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLogprob t && token == t.token && Arrays.equals(bytes, t.bytes)
                && Double.compare(logprob, t.logprob) == 0 && topLogprobs.equals(t.topLogprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(token, Arrays.hashCode(bytes), logprob, topLogprobs);
    }

    @Override
    public String toString() {
        return "TokenLogprob[token=" + token + ", text=" + text() + ", logprob=" + logprob + ", top=" + topLogprobs.size() + "]";
    }
}
