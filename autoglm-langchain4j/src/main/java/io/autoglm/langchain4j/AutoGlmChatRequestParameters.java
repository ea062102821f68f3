package io.autoglm.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;

/**
 * LangChain4j's request parameters plus the sampling settings of an AutoGLM model that LangChain4j has
 * no name for: the random seed, min-p and the repetition penalty. Use it for
 * {@code ChatRequest.builder().parameters(...)} or a model's {@code defaultRequestParameters(...)}; it
 * merges with {@link DefaultChatRequestParameters} as LangChain4j's provider-specific parameters do
 * (values set on the request win, the AutoGLM-specific ones are kept).
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *         .messages(UserMessage.from("Tell me a story."))
 *         .parameters(AutoGlmChatRequestParameters.builder().temperature(0.8).seed(42L).build())
 *         .build();
 * }</pre>
 */
public class AutoGlmChatRequestParameters extends DefaultChatRequestParameters {
    private final Long seed;
    private final Double minP;
    private final Double repeatPenalty;

    /** @param builder the builder */
    protected AutoGlmChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.minP = builder.minP;
        this.repeatPenalty = builder.repeatPenalty;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the sampling seed, or null for the default (0: sampled requests repeat themselves) */
    public Long seed() {
        return seed;
    }

    /** @return min-p in [0, 1], or null for the default (0.05 when sampling) */
    public Double minP() {
        return minP;
    }

    /** @return the repetition penalty (&gt; 0; 1 disables it), or null for none */
    public Double repeatPenalty() {
        return repeatPenalty;
    }

    @Override
    public ChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public ChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof AutoGlmChatRequestParameters p && Objects.equals(seed, p.seed)
                && Objects.equals(minP, p.minP) && Objects.equals(repeatPenalty, p.repeatPenalty);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repeatPenalty);
    }

    @Override
    public String toString() {
        return "AutoGlmChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP
                + ", repeatPenalty=" + repeatPenalty + "}";
    }

    /** Builder for {@link AutoGlmChatRequestParameters}. */
    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Double minP;
        private Double repeatPenalty;

        /** Creates an empty builder. */
        protected Builder() {
        }

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof AutoGlmChatRequestParameters p) {
                seed = p.seed != null ? p.seed : seed;
                minP = p.minP != null ? p.minP : minP;
                repeatPenalty = p.repeatPenalty != null ? p.repeatPenalty : repeatPenalty;
            }
            return this;
        }

        /** @param v the sampling seed, 0..4294967294, or null for the default @return this */
        public Builder seed(Long v) {
            if (v != null && (v < 0 || v >= 0xFFFFFFFFL)) {
                throw new IllegalArgumentException("seed must be in [0, 4294967294], was " + v);
            }
            seed = v;
            return this;
        }

        /** @param v min-p in [0, 1], or null for the default @return this */
        public Builder minP(Double v) {
            if (v != null && !(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("minP must be in [0, 1], was " + v);
            }
            minP = v;
            return this;
        }

        /** @param v repetition penalty, &gt; 0 and finite (1 disables it), or null for none @return this */
        public Builder repeatPenalty(Double v) {
            if (v != null && !(v > 0 && v < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("repeatPenalty must be > 0 and finite, was " + v);
            }
            repeatPenalty = v;
            return this;
        }

        /** @return the parameters */
        @Override
        public AutoGlmChatRequestParameters build() {
            return new AutoGlmChatRequestParameters(this);
        }
    }
}
