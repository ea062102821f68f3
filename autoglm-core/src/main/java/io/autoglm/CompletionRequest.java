package io.autoglm;

import java.util.Objects;

/**
 * A raw text completion request: the prompt is tokenized as is (with the model's BOS token).
 *
 * <pre>{@code
 * CompletionRequest r = CompletionRequest.builder().prompt("Once upon a time").maxTokens(64).stop("\n").build();
 * }</pre>
 */
public final class CompletionRequest {
    private final String prompt;
    private final int[] promptTokens;
    private final GenerationOptions options;

    private CompletionRequest(Builder b) {
        this.prompt = b.prompt == null ? "" : b.prompt;
        this.promptTokens = b.promptTokens;
        this.options = b.buildOptions();
    }

    /** @param prompt the prompt @return a greedy request with default options */
    public static CompletionRequest of(String prompt) {
        return builder().prompt(prompt).build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the prompt text; empty when the prompt was given as {@link #promptTokens() tokens} */
    public String prompt() {
        return prompt;
    }

    /** @return the prompt as token ids, when it was given that way (used as is: no BOS is added) */
    public java.util.Optional<int[]> promptTokens() {
        return java.util.Optional.ofNullable(promptTokens).map(int[]::clone);
    }

    /** @return the generation options */
    public GenerationOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "CompletionRequest[prompt=" + (promptTokens != null ? promptTokens.length + " tokens" : prompt.length() + " chars")
                + ", " + options + "]";
    }

    /** Builder for {@link CompletionRequest}. */
    public static final class Builder extends GenerationOptions.Builder<Builder> {
        private String prompt;
        private int[] promptTokens;

        private Builder() {
        }

        /** @param v the prompt text (replaces prompt tokens set earlier) @return this */
        public Builder prompt(String v) {
            prompt = Objects.requireNonNull(v, "prompt");
            promptTokens = null;
            return this;
        }

        /**
         * @param v the prompt as token ids, used as they are (no BOS added), at least one, each &gt;= 0
         *     (checked against the vocabulary when the request runs); replaces a prompt text set earlier
         * @return this
         */
        public Builder promptTokens(int[] v) {
            Objects.requireNonNull(v, "promptTokens");
            if (v.length == 0) {
                throw new IllegalArgumentException("promptTokens must hold at least one token");
            }
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0) {
                    throw new IllegalArgumentException("promptTokens[" + i + "] must be >= 0, was " + v[i]);
                }
            }
            promptTokens = v.clone();
            prompt = null;
            return this;
        }

        /** @return the request @throws IllegalStateException when no prompt was set */
        public CompletionRequest build() {
            if (prompt == null && promptTokens == null) {
                throw new IllegalStateException("prompt is required: call prompt(String) or promptTokens(int[])");
            }
            return new CompletionRequest(this);
        }
    }
}
