package io.autoglm.backend;

import io.autoglm.SamplingParams;
import java.util.Objects;

/**
 * One whole generation as a {@link SerialBackendModel} sees it. Stop strings and detokenisation are
 * handled above the backend, in the engine, so every backend behaves alike. Build with
 * {@link #builder(int[])}.
 */
public final class GenerationSpec {
    private final int[] prompt;
    private final SamplingParams sampling;
    private final int maxTokens;
    private final boolean ignoreEos;
    private final String grammar;

    private GenerationSpec(Builder b) {
        this.prompt = b.prompt;
        this.sampling = b.sampling;
        this.maxTokens = b.maxTokens;
        this.ignoreEos = b.ignoreEos;
        this.grammar = b.grammar;
    }

    /**
     * @param prompt prompt token ids (already fitted to the context), copied
     * @return a builder: greedy, 256 tokens, no grammar
     */
    public static Builder builder(int[] prompt) {
        return new Builder(prompt);
    }

    /** @return a copy of the prompt token ids */
    public int[] prompt() {
        return prompt.clone();
    }

    /** @return prompt length */
    public int promptLength() {
        return prompt.length;
    }

    /** @return sampling parameters */
    public SamplingParams sampling() {
        return sampling;
    }

    /** @return maximum tokens to generate */
    public int maxTokens() {
        return maxTokens;
    }

    /** @return true to keep going past end-of-generation tokens */
    public boolean ignoreEos() {
        return ignoreEos;
    }

    /** @return GBNF grammar, or null */
    public String grammar() {
        return grammar;
    }

    /** Builder for {@link GenerationSpec}. */
    public static final class Builder {
        private final int[] prompt;
        private SamplingParams sampling = SamplingParams.greedy();
        private int maxTokens = 256;
        private boolean ignoreEos;
        private String grammar;

        private Builder(int[] prompt) {
            this.prompt = Objects.requireNonNull(prompt, "prompt").clone();
        }

        /** @param v sampling parameters @return this */
        public Builder sampling(SamplingParams v) {
            sampling = Objects.requireNonNull(v, "sampling");
            return this;
        }

        /** @param v maximum tokens to generate, &gt;= 0 @return this */
        public Builder maxTokens(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0, was " + v);
            }
            maxTokens = v;
            return this;
        }

        /** @param v keep going past end-of-generation tokens @return this */
        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        /** @param v GBNF grammar, or null; not blank @return this */
        public Builder grammar(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("grammar must not be blank (pass null for no grammar)");
            }
            grammar = v;
            return this;
        }

        /** @return the spec */
        public GenerationSpec build() {
            return new GenerationSpec(this);
        }
    }
}
