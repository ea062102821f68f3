package io.autoglm;

import java.util.Objects;

/**
 * The result of a text completion.
 *
 * @param text generated text (stop strings excluded)
 * @param tokens generated token ids, in order
 * @param finishReason why generation ended
 * @param usage token counts
 * @param timings timings
 */
public record Completion(String text, int[] tokens, FinishReason finishReason, Usage usage, Timings timings) {
    /** Validates and copies. */
    public Completion {
        Objects.requireNonNull(text, "text");
        tokens = Objects.requireNonNull(tokens, "tokens").clone();
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(timings, "timings");
    }

    /** @return a copy of the generated token ids */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Completion c && text.equals(c.text) && java.util.Arrays.equals(tokens, c.tokens)
                && finishReason == c.finishReason && usage.equals(c.usage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, java.util.Arrays.hashCode(tokens), finishReason, usage);
    }

    @Override
    public String toString() {
        return "Completion[text=" + text + ", tokens=" + tokens.length + ", finishReason=" + finishReason + ", usage=" + usage + "]";
    }
}
