package io.autoglm;

import java.util.List;
import java.util.Objects;

/**
 * The result of a text completion.
 *
 * @param text generated text (stop strings excluded)
 * @param tokens generated token ids, in order
 * @param finishReason why generation ended
 * @param usage token counts
 * @param timings timings
 * @param logprobs per generated token, its log-probability and alternatives; empty unless the request
 *     asked for {@link GenerationOptions#logprobs() logprobs}
 */
public record Completion(String text, int[] tokens, FinishReason finishReason, Usage usage, Timings timings,
        List<TokenLogprob> logprobs) {
    /** Validates and copies. */
    public Completion {
        Objects.requireNonNull(text, "text");
        tokens = Objects.requireNonNull(tokens, "tokens").clone();
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(timings, "timings");
        logprobs = List.copyOf(Objects.requireNonNull(logprobs, "logprobs"));
    }

    /**
     * A completion without log-probabilities.
     *
     * @param text generated text
     * @param tokens generated token ids
     * @param finishReason why generation ended
     * @param usage token counts
     * @param timings timings
     */
    public Completion(String text, int[] tokens, FinishReason finishReason, Usage usage, Timings timings) {
        this(text, tokens, finishReason, usage, timings, List.of());
    }

    /** @return a copy of the generated token ids */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Completion c && text.equals(c.text) && java.util.Arrays.equals(tokens, c.tokens)
                && finishReason == c.finishReason && usage.equals(c.usage) && logprobs.equals(c.logprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, java.util.Arrays.hashCode(tokens), finishReason, usage, logprobs);
    }

    @Override
    public String toString() {
        return "Completion[text=" + text + ", tokens=" + tokens.length + ", finishReason=" + finishReason + ", usage=" + usage + "]";
    }
}
