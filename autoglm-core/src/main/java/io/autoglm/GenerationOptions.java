package io.autoglm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What every generation request shares: sampling, length limit, stop strings, grammar, and what
 * to do with an over-long prompt. Built through the builders of {@link CompletionRequest} and
 * {@link ChatRequest}.
 */
public final class GenerationOptions {
    /** Default {@code maxTokens}. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    /** Most alternatives {@link Builder#topLogprobs(int)} accepts (OpenAI's limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    private final SamplingParams sampling;
    private final int maxTokens;
    private final List<String> stop;
    private final String grammar;
    private final boolean ignoreEos;
    private final boolean truncatePrompt;
    private final boolean logprobs;
    private final int topLogprobs;
    private final boolean renderSpecialTokens;

    GenerationOptions(Builder<?> b) {
        this.sampling = b.sampling;
        this.maxTokens = b.maxTokens;
        this.stop = List.copyOf(b.stop);
        this.grammar = b.grammar;
        this.ignoreEos = b.ignoreEos;
        this.truncatePrompt = b.truncatePrompt;
        this.logprobs = b.logprobs;
        this.topLogprobs = b.topLogprobs;
        this.renderSpecialTokens = b.renderSpecialTokens;
    }

    /** @return the sampling parameters */
    public SamplingParams sampling() {
        return sampling;
    }

    /** @return the maximum number of tokens to generate */
    public int maxTokens() {
        return maxTokens;
    }

    /** @return stop strings; generation ends before the first one produced */
    public List<String> stop() {
        return stop;
    }

    /** @return the GBNF grammar that constrains the output, if any */
    public Optional<String> grammar() {
        return Optional.ofNullable(grammar);
    }

    /** @return true when end-of-generation tokens are ignored (always produce {@code maxTokens}) */
    public boolean ignoreEos() {
        return ignoreEos;
    }

    /** @return true when a prompt longer than the context keeps its last tokens instead of failing */
    public boolean truncatePrompt() {
        return truncatePrompt;
    }

    /** @return true when every generated token reports its log-probability ({@link TokenChunk#logprobs()}) */
    public boolean logprobs() {
        return logprobs;
    }

    /** @return how many most likely alternatives each generated token reports, 0..{@value #MAX_TOP_LOGPROBS} */
    public int topLogprobs() {
        return topLogprobs;
    }

    /** @return true when control tokens ({@code <s>}, {@code </s>}, chat-turn markers) appear in the text */
    public boolean renderSpecialTokens() {
        return renderSpecialTokens;
    }

    @Override
    public String toString() {
        return "GenerationOptions[sampling=" + sampling + ", maxTokens=" + maxTokens + ", stop=" + stop
                + ", grammar=" + (grammar != null) + ", ignoreEos=" + ignoreEos + ", truncatePrompt=" + truncatePrompt
                + (logprobs ? ", logprobs=" + topLogprobs : "") + "]";
    }

    /**
     * The setters shared by request builders.
     *
     * @param <B> the concrete builder type
     */
    public abstract static class Builder<B extends Builder<B>> {
        private SamplingParams sampling = SamplingParams.greedy();
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private final List<String> stop = new ArrayList<>();
        private String grammar;
        private boolean ignoreEos;
        private boolean truncatePrompt;
        private boolean logprobs;
        private int topLogprobs;
        private boolean renderSpecialTokens;

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** @param v sampling parameters (default: greedy) @return this */
        public B sampling(SamplingParams v) {
            sampling = Objects.requireNonNull(v, "sampling");
            return self();
        }

        /** @param v maximum tokens to generate, &gt;= 1 @return this */
        public B maxTokens(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + v);
            }
            maxTokens = v;
            return self();
        }

        /** @param v a stop string, not empty; may be called repeatedly @return this */
        public B stop(String v) {
            Objects.requireNonNull(v, "stop");
            if (v.isEmpty()) {
                throw new IllegalArgumentException("stop string must not be empty");
            }
            stop.add(v);
            return self();
        }

        /** @param v stop strings, none empty; replaces earlier ones @return this */
        public B stop(List<String> v) {
            Objects.requireNonNull(v, "stop");
            stop.clear();
            v.forEach(this::stop);
            return self();
        }

        /** @param v a GBNF grammar (root rule {@code root}), or null for none @return this */
        public B grammar(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("grammar must not be blank");
            }
            grammar = v;
            return self();
        }

        /** @param v true to ignore end-of-generation tokens @return this */
        public B ignoreEos(boolean v) {
            ignoreEos = v;
            return self();
        }

        /** @param v true to keep the last tokens of an over-long prompt instead of failing @return this */
        public B truncatePrompt(boolean v) {
            truncatePrompt = v;
            return self();
        }

        /**
         * @param v true to report each generated token's log-probability under the model's raw
         *     distribution (softmax of the logits before temperature, penalties and grammar)
         * @return this
         */
        public B logprobs(boolean v) {
            logprobs = v;
            if (!v) {
                topLogprobs = 0;
            }
            return self();
        }

        /**
         * @param v how many most likely alternatives to report with each generated token,
         *     0..{@value GenerationOptions#MAX_TOP_LOGPROBS}; more than 0 also turns {@link #logprobs(boolean)} on
         * @return this
         */
        public B topLogprobs(int v) {
            if (v < 0 || v > MAX_TOP_LOGPROBS) {
                throw new IllegalArgumentException("topLogprobs must be in [0, " + MAX_TOP_LOGPROBS + "], was " + v);
            }
            topLogprobs = v;
            if (v > 0) {
                logprobs = true;
            }
            return self();
        }

        /**
         * @param v true to render control tokens the model generates ({@code <s>}, {@code </s>},
         *     chat-turn markers) in the text; by default they are left out (their ids stay in the tokens)
         * @return this
         */
        public B renderSpecialTokens(boolean v) {
            renderSpecialTokens = v;
            return self();
        }

        GenerationOptions buildOptions() {
            return new GenerationOptions(this);
        }
    }
}
