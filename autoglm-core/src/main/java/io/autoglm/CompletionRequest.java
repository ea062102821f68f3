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
    private final GenerationOptions options;

    private CompletionRequest(Builder b) {
        this.prompt = b.prompt;
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

    /** @return the prompt text */
    public String prompt() {
        return prompt;
    }

    /** @return the generation options */
    public GenerationOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "CompletionRequest[prompt=" + prompt.length() + " chars, " + options + "]";
    }

    /** Builder for {@link CompletionRequest}. */
    public static final class Builder extends GenerationOptions.Builder<Builder> {
        private String prompt;

        private Builder() {
        }

        /** @param v the prompt text @return this */
        public Builder prompt(String v) {
            prompt = Objects.requireNonNull(v, "prompt");
            return this;
        }

        /** @return the request @throws IllegalStateException when no prompt was set */
        public CompletionRequest build() {
            if (prompt == null) {
                throw new IllegalStateException("prompt is required");
            }
            return new CompletionRequest(this);
        }
    }
}
