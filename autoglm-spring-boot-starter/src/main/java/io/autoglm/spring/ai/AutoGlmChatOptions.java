package io.autoglm.spring.ai;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptionsBuilder;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;

/**
 * Spring AI chat options for an AutoGLM model: the portable ones, the sampling settings Spring AI has no
 * name for (seed, min-p, repetition penalty), the chat template, and a JSON Schema for structured output
 * ({@link StructuredOutputChatOptions}): with it the reply is forced by a grammar to be JSON valid
 * against the schema. Temperature defaults to 0 (greedy).
 *
 * <pre>{@code
 * ChatOptions options = AutoGlmChatOptions.builder().temperature(0.7).seed(42L).maxTokens(64).build();
 * }</pre>
 */
public class AutoGlmChatOptions extends DefaultChatOptions implements StructuredOutputChatOptions {
    private final @Nullable Long seed;
    private final @Nullable Double minP;
    private final @Nullable Double repeatPenalty;
    private final @Nullable String chatTemplate;
    private final @Nullable String outputSchema;

    /** @param b the builder */
    protected AutoGlmChatOptions(Builder b) {
        super(b.model(), b.frequencyPenalty(), b.maxTokens(), b.presencePenalty(), b.stopSequences(), b.temperature(), b.topK(),
                b.topP());
        this.seed = b.seed;
        this.minP = b.minP;
        this.repeatPenalty = b.repeatPenalty;
        this.chatTemplate = b.chatTemplate;
        this.outputSchema = b.outputSchema;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the sampling seed, or null for the default (0) */
    public @Nullable Long getSeed() {
        return seed;
    }

    /** @return min-p, or null for the default */
    public @Nullable Double getMinP() {
        return minP;
    }

    /** @return the repetition penalty, or null for none */
    public @Nullable Double getRepeatPenalty() {
        return repeatPenalty;
    }

    /** @return the chat template (built-in name or template text), or null for the model's own */
    public @Nullable String getChatTemplate() {
        return chatTemplate;
    }

    @Override
    public @Nullable String getOutputSchema() {
        return outputSchema;
    }

    @Override
    public Builder mutate() {
        Builder b = new Builder();
        b.model(getModel()).frequencyPenalty(getFrequencyPenalty()).maxTokens(getMaxTokens()).presencePenalty(getPresencePenalty())
                .stopSequences(getStopSequences()).temperature(getTemperature()).topK(getTopK()).topP(getTopP());
        b.seed = seed;
        b.minP = minP;
        b.repeatPenalty = repeatPenalty;
        b.chatTemplate = chatTemplate;
        b.outputSchema = outputSchema;
        return b;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return super.equals(o) && o instanceof AutoGlmChatOptions that && Objects.equals(seed, that.seed)
                && Objects.equals(minP, that.minP) && Objects.equals(repeatPenalty, that.repeatPenalty)
                && Objects.equals(chatTemplate, that.chatTemplate) && Objects.equals(outputSchema, that.outputSchema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repeatPenalty, chatTemplate, outputSchema);
    }

    @Override
    public String toString() {
        return "AutoGlmChatOptions[temperature=" + getTemperature() + ", maxTokens=" + getMaxTokens() + ", topK=" + getTopK()
                + ", topP=" + getTopP() + ", seed=" + seed + ", chatTemplate=" + chatTemplate + ", outputSchema="
                + (outputSchema != null) + "]";
    }

    /** Builder for {@link AutoGlmChatOptions}. */
    public static class Builder extends DefaultChatOptionsBuilder<Builder> implements StructuredOutputChatOptions.Builder<Builder> {
        private @Nullable Long seed;
        private @Nullable Double minP;
        private @Nullable Double repeatPenalty;
        private @Nullable String chatTemplate;
        private @Nullable String outputSchema;

        /** Creates an empty builder. */
        public Builder() {
        }

        /** @param v the sampling seed, 0..4294967294, or null @return this */
        public Builder seed(@Nullable Long v) {
            if (v != null && (v < 0 || v >= 0xFFFFFFFFL)) {
                throw new IllegalArgumentException("seed must be in [0, 4294967294], was " + v);
            }
            seed = v;
            return this;
        }

        /** @param v min-p in [0, 1], or null @return this */
        public Builder minP(@Nullable Double v) {
            if (v != null && !(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("minP must be in [0, 1], was " + v);
            }
            minP = v;
            return this;
        }

        /** @param v repetition penalty, &gt; 0 and finite, or null @return this */
        public Builder repeatPenalty(@Nullable Double v) {
            if (v != null && !(v > 0 && v < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("repeatPenalty must be > 0 and finite, was " + v);
            }
            repeatPenalty = v;
            return this;
        }

        /** @param v a chat template (built-in name such as {@code chatml} or template text), or null for the model's own @return this */
        public Builder chatTemplate(@Nullable String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
            return this;
        }

        @Override
        public Builder outputSchema(@Nullable String v) {
            outputSchema = v;
            return this;
        }

        @Override
        public Builder combineWith(ChatOptions.Builder<?> other) {
            super.combineWith(other);
            if (other instanceof Builder that) {
                seed = that.seed != null ? that.seed : seed;
                minP = that.minP != null ? that.minP : minP;
                repeatPenalty = that.repeatPenalty != null ? that.repeatPenalty : repeatPenalty;
                chatTemplate = that.chatTemplate != null ? that.chatTemplate : chatTemplate;
                outputSchema = that.outputSchema != null ? that.outputSchema : outputSchema;
            } else if (other instanceof StructuredOutputChatOptions.Builder<?> && other.build() instanceof StructuredOutputChatOptions s
                    && s.getOutputSchema() != null) {
                outputSchema = s.getOutputSchema();
            }
            return this;
        }

        @Override
        public Builder clone() {
            return super.clone();
        }

        @Override
        public AutoGlmChatOptions build() {
            return new AutoGlmChatOptions(this);
        }

        @Nullable String model() {
            return model;
        }

        @Nullable Double frequencyPenalty() {
            return frequencyPenalty;
        }

        @Nullable Integer maxTokens() {
            return maxTokens;
        }

        @Nullable Double presencePenalty() {
            return presencePenalty;
        }

        @Nullable List<String> stopSequences() {
            return stopSequences;
        }

        @Nullable Double temperature() {
            return temperature;
        }

        @Nullable Integer topK() {
            return topK;
        }

        @Nullable Double topP() {
            return topP;
        }
    }
}
