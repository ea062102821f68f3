package io.autoglm;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How the next token is chosen. Temperature 0 means greedy decoding: the most likely token after
 * the logit bias and the repetition/frequency/presence penalties; top-k/p, min-p and the seed are
 * then ignored. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * SamplingParams p = SamplingParams.builder().temperature(0.7f).topK(40).topP(0.9f).seed(42).build();
 * }</pre>
 */
public final class SamplingParams {
    private static final SamplingParams GREEDY = builder().temperature(0f).build();

    private final float temperature;
    private final int topK;
    private final float topP;
    private final float minP;
    private final float repeatPenalty;
    private final int repeatLastN;
    private final float frequencyPenalty;
    private final float presencePenalty;
    private final long seed;
    private final Map<Integer, Float> logitBias;

    private SamplingParams(Builder b) {
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.minP = b.minP;
        this.repeatPenalty = b.repeatPenalty;
        this.repeatLastN = b.repeatLastN;
        this.frequencyPenalty = b.frequencyPenalty;
        this.presencePenalty = b.presencePenalty;
        this.seed = b.seed;
        this.logitBias = Collections.unmodifiableMap(new TreeMap<>(b.logitBias));
    }

    /** @return greedy decoding (temperature 0, no penalties) */
    public static SamplingParams greedy() {
        return GREEDY;
    }

    /** @return a builder with llama.cpp's defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, seed 0) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repeatPenalty = repeatPenalty;
        b.repeatLastN = repeatLastN;
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.seed = seed;
        b.logitBias.putAll(logitBias);
        return b;
    }

    /** @return true when decoding is greedy (temperature 0) */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** @return temperature, 0 for greedy */
    public float temperature() {
        return temperature;
    }

    /** @return top-k, 0 = disabled */
    public int topK() {
        return topK;
    }

    /** @return top-p (nucleus), 1 = disabled */
    public float topP() {
        return topP;
    }

    /** @return min-p, 0 = disabled */
    public float minP() {
        return minP;
    }

    /** @return repetition penalty, 1 = disabled */
    public float repeatPenalty() {
        return repeatPenalty;
    }

    /** @return how many recent tokens the penalties look at */
    public int repeatLastN() {
        return repeatLastN;
    }

    /** @return frequency penalty, 0 = disabled */
    public float frequencyPenalty() {
        return frequencyPenalty;
    }

    /** @return presence penalty, 0 = disabled */
    public float presencePenalty() {
        return presencePenalty;
    }

    /** @return the sampler's random seed (same seed, same request: same output) */
    public long seed() {
        return seed;
    }

    /**
     * @return bias added to the logits of token ids before sampling (also when greedy);
     *     {@link Float#NEGATIVE_INFINITY} bans a token. Sorted by token id, unmodifiable.
     */
    public Map<Integer, Float> logitBias() {
        return logitBias;
    }

    /** @return true when any of the repetition, frequency or presence penalties is active */
    public boolean hasPenalties() {
        return repeatPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && temperature == p.temperature && topK == p.topK && topP == p.topP
                && minP == p.minP && repeatPenalty == p.repeatPenalty && repeatLastN == p.repeatLastN
                && frequencyPenalty == p.frequencyPenalty && presencePenalty == p.presencePenalty && seed == p.seed
                && logitBias.equals(p.logitBias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, seed,
                logitBias);
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topK=" + topK + ", topP=" + topP + ", minP=" + minP
                + ", repeatPenalty=" + repeatPenalty + ", repeatLastN=" + repeatLastN + ", frequencyPenalty="
                + frequencyPenalty + ", presencePenalty=" + presencePenalty + ", seed=" + seed
                + (logitBias.isEmpty() ? "" : ", logitBias=" + logitBias) + "]";
    }

    /** Builder; every setter validates its argument at once. */
    public static final class Builder {
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repeatPenalty = 1.0f;
        private int repeatLastN = 64;
        private float frequencyPenalty = 0f;
        private float presencePenalty = 0f;
        private long seed = 0L;
        private final Map<Integer, Float> logitBias = new TreeMap<>();

        private Builder() {
        }

        /** @param v temperature, &gt;= 0 and finite; 0 = greedy @return this */
        public Builder temperature(float v) {
            if (!(v >= 0f) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("temperature must be >= 0 and finite, was " + v);
            }
            temperature = v;
            return this;
        }

        /** @param v top-k, &gt;= 0; 0 disables it @return this */
        public Builder topK(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("topK must be >= 0, was " + v);
            }
            topK = v;
            return this;
        }

        /** @param v top-p in (0, 1]; 1 disables it @return this */
        public Builder topP(float v) {
            if (!(v > 0f && v <= 1f)) {
                throw new IllegalArgumentException("topP must be in (0, 1], was " + v);
            }
            topP = v;
            return this;
        }

        /** @param v min-p in [0, 1]; 0 disables it @return this */
        public Builder minP(float v) {
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("minP must be in [0, 1], was " + v);
            }
            minP = v;
            return this;
        }

        /** @param v repetition penalty, &gt; 0 and finite; 1 disables it @return this */
        public Builder repeatPenalty(float v) {
            if (!(v > 0f) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("repeatPenalty must be > 0 and finite, was " + v);
            }
            repeatPenalty = v;
            return this;
        }

        /** @param v how many recent tokens penalties consider, &gt;= 0 @return this */
        public Builder repeatLastN(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("repeatLastN must be >= 0, was " + v);
            }
            repeatLastN = v;
            return this;
        }

        /** @param v frequency penalty in [-2, 2] @return this */
        public Builder frequencyPenalty(float v) {
            if (!(v >= -2f && v <= 2f)) {
                throw new IllegalArgumentException("frequencyPenalty must be in [-2, 2], was " + v);
            }
            frequencyPenalty = v;
            return this;
        }

        /** @param v presence penalty in [-2, 2] @return this */
        public Builder presencePenalty(float v) {
            if (!(v >= -2f && v <= 2f)) {
                throw new IllegalArgumentException("presencePenalty must be in [-2, 2], was " + v);
            }
            presencePenalty = v;
            return this;
        }

        /** @param v random seed, any value except 0xFFFFFFFF (llama.cpp's "random seed" marker) @return this */
        public Builder seed(long v) {
            if (v < 0 || v >= 0xFFFFFFFFL) {
                throw new IllegalArgumentException("seed must be in [0, 4294967294], was " + v);
            }
            seed = v;
            return this;
        }

        /**
         * @param token a token id, &gt;= 0 (checked against the vocabulary when the request runs)
         * @param bias added to the token's logit, in [-100, 100], or {@link Float#NEGATIVE_INFINITY} to ban it
         * @return this
         */
        public Builder logitBias(int token, float bias) {
            if (token < 0) {
                throw new IllegalArgumentException("logitBias token id must be >= 0, was " + token);
            }
            if (!(bias >= -100f && bias <= 100f) && bias != Float.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("logitBias for token " + token
                        + " must be in [-100, 100] or -Infinity, was " + bias);
            }
            logitBias.put(token, bias);
            return this;
        }

        /** @param v token id to bias; replaces earlier biases, each checked as {@link #logitBias(int, float)} @return this */
        public Builder logitBias(Map<Integer, Float> v) {
            Objects.requireNonNull(v, "logitBias");
            logitBias.clear();
            v.forEach((k, b) -> logitBias(Objects.requireNonNull(k, "logitBias token"), Objects.requireNonNull(b, "logitBias value")));
            return this;
        }

        /** @return the immutable parameters */
        public SamplingParams build() {
            return new SamplingParams(this);
        }
    }
}
