package io.autoglm.tune;

import io.autoglm.Quantization;
import io.autoglm.automl.search.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The values a tune may choose from. Every list is searched as a categorical parameter (so that the sampler learns
 * which values are good, whatever their order), threads as an integer range. {@link #builder()} starts from the
 * defaults below; each setter validates at once.
 *
 * <ul>
 *   <li>presets: none, Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0</li>
 *   <li>threads: 1 to the available processors (at most 8)</li>
 *   <li>batch: 64, 128, 256, 512, 1024; ubatch: 32, 64, 128, 256, 512 (capped at the batch)</li>
 *   <li>parallel: 1, 2, 4, 8, 16; context: 512, 1024, 2048, 4096</li>
 *   <li>flash attention: off and on, when the library is of the current llama.cpp generation</li>
 * </ul>
 */
public final class TuneSpace {
    /** The defaults of {@link io.autoglm.AutoGLM.Builder}, the baseline a tune measures first. */
    static final int DEFAULT_BATCH = 512;
    static final int DEFAULT_UBATCH = 512;
    static final int DEFAULT_PARALLEL = 4;
    static final int DEFAULT_CONTEXT = 2048;

    private final List<Quantization> presets;
    private final int maxThreads;
    private final List<Integer> batches;
    private final List<Integer> ubatches;
    private final List<Integer> parallels;
    private final List<Integer> contexts;
    private final boolean flashAttention;

    private TuneSpace(Builder b) {
        presets = List.copyOf(b.presets);
        maxThreads = b.maxThreads;
        batches = List.copyOf(b.batches);
        ubatches = List.copyOf(b.ubatches);
        parallels = List.copyOf(b.parallels);
        contexts = List.copyOf(b.contexts);
        flashAttention = b.flashAttention;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the presets searched */
    public List<Quantization> presets() {
        return presets;
    }

    /** @return the largest thread count searched */
    public int maxThreads() {
        return maxThreads;
    }

    /** @return the batch sizes searched */
    public List<Integer> batches() {
        return batches;
    }

    /** @return the micro-batch sizes searched */
    public List<Integer> ubatches() {
        return ubatches;
    }

    /** @return the parallel sequence counts searched */
    public List<Integer> parallels() {
        return parallels;
    }

    /** @return the context sizes searched */
    public List<Integer> contexts() {
        return contexts;
    }

    /** @return whether flash attention is searched */
    public boolean flashAttention() {
        return flashAttention;
    }

    /** @return this space without flash attention (for a library that cannot be told) */
    TuneSpace withoutFlashAttention() {
        Builder b = toBuilder();
        b.flashAttention = false;
        return new TuneSpace(b);
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.presets = presets;
        b.maxThreads = maxThreads;
        b.batches = batches;
        b.ubatches = ubatches;
        b.parallels = parallels;
        b.contexts = contexts;
        b.flashAttention = flashAttention;
        return b;
    }

    /**
     * Asks the trial for one candidate.
     *
     * @param t the trial
     * @return the candidate (ubatch capped at the batch)
     */
    Candidate suggest(Trial t) {
        List<String> names = presets.stream().map(q -> q == Quantization.NONE ? "none" : q.name()).toList();
        String q = t.suggestCategorical("quantize", names);
        int threads = t.suggestInt("threads", 1, maxThreads);
        int batch = t.suggestCategorical("batch", batches);
        int ubatch = t.suggestCategorical("ubatch", ubatches);
        int parallel = t.suggestCategorical("parallel", parallels);
        int context = t.suggestCategorical("context", contexts);
        Boolean fa = flashAttention ? t.suggestCategorical("flash-attention", List.of(false, true)) : null;
        return new Candidate(q.equals("none") ? Quantization.NONE : Quantization.valueOf(q), threads, batch,
                Math.min(ubatch, batch), parallel, context, fa);
    }

    /**
     * @return the library's defaults (as stored, threads = processors at most 8, batch 512/512, parallel 4, context
     *     2048, no flash attention), each moved to the nearest value of this space
     */
    Candidate defaults() {
        Quantization q = presets.contains(Quantization.NONE) ? Quantization.NONE : presets.get(0);
        int threads = Math.min(maxThreads, Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8)));
        int batch = nearest(batches, DEFAULT_BATCH);
        return new Candidate(q, threads, batch, Math.min(batch, nearest(ubatches, DEFAULT_UBATCH)),
                nearest(parallels, DEFAULT_PARALLEL), nearest(contexts, DEFAULT_CONTEXT), flashAttention ? Boolean.FALSE : null);
    }

    /** @return the parameters of {@link #defaults()} as the study sees them (before the ubatch cap) */
    java.util.Map<String, Object> defaultParams() {
        Candidate d = defaults();
        java.util.Map<String, Object> p = d.params();
        p.put("ubatch", nearest(ubatches, DEFAULT_UBATCH));
        return p;
    }

    private static int nearest(List<Integer> values, int target) {
        int best = values.get(0);
        for (int v : values) {
            if (Math.abs(v - target) < Math.abs(best - target)) {
                best = v;
            }
        }
        return best;
    }

    /** @return a stable description, part of the study's identity */
    String describe() {
        return "presets=" + presets + ";threads=1.." + maxThreads + ";batch=" + batches + ";ubatch=" + ubatches
                + ";parallel=" + parallels + ";context=" + contexts + ";fa=" + flashAttention;
    }

    @Override
    public String toString() {
        return "TuneSpace[" + describe() + "]";
    }

    /** Builder of a {@link TuneSpace}; setters validate at once. */
    public static final class Builder {
        private List<Quantization> presets = List.of(Quantization.NONE, Quantization.Q8_0, Quantization.Q6_K,
                Quantization.Q5_K_M, Quantization.Q4_K_M, Quantization.Q4_0);
        private int maxThreads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        private List<Integer> batches = List.of(64, 128, 256, 512, 1024);
        private List<Integer> ubatches = List.of(32, 64, 128, 256, 512);
        private List<Integer> parallels = List.of(1, 2, 4, 8, 16);
        private List<Integer> contexts = List.of(512, 1024, 2048, 4096);
        private boolean flashAttention = true;

        private Builder() {
        }

        /** @param v presets to try, NONE for the file as stored; not AUTO, no repeats @return this */
        public Builder presets(List<Quantization> v) {
            Objects.requireNonNull(v, "presets");
            if (v.isEmpty() || v.stream().anyMatch(q -> q == null || q == Quantization.AUTO)
                    || v.stream().distinct().count() != v.size()) {
                throw new IllegalArgumentException("presets must be a non-empty list of distinct presets (or none), not auto, was " + v);
            }
            presets = List.copyOf(v);
            return this;
        }

        /** @param v largest thread count to try, 1..512 @return this */
        public Builder maxThreads(int v) {
            if (v < 1 || v > 512) {
                throw new IllegalArgumentException("maxThreads must be in [1, 512], was " + v);
            }
            maxThreads = v;
            return this;
        }

        /** @param v batch sizes, each 1..65536 @return this */
        public Builder batches(List<Integer> v) {
            batches = values("batches", v, 1, 65536);
            return this;
        }

        /** @param v micro-batch sizes, each 1..65536 @return this */
        public Builder ubatches(List<Integer> v) {
            ubatches = values("ubatches", v, 1, 65536);
            return this;
        }

        /** @param v parallel sequence counts, each 1..64 @return this */
        public Builder parallels(List<Integer> v) {
            parallels = values("parallels", v, 1, 64);
            return this;
        }

        /** @param v context sizes, each 16..1048576 @return this */
        public Builder contexts(List<Integer> v) {
            contexts = values("contexts", v, 16, 1 << 20);
            return this;
        }

        /** @param v whether to search flash attention (only honoured on the current llama.cpp generation) @return this */
        public Builder flashAttention(boolean v) {
            flashAttention = v;
            return this;
        }

        private static List<Integer> values(String name, List<Integer> v, int min, int max) {
            Objects.requireNonNull(v, name);
            if (v.isEmpty() || v.stream().anyMatch(Objects::isNull) || v.stream().distinct().count() != v.size()) {
                throw new IllegalArgumentException(name + " must be a non-empty list of distinct values, was " + v);
            }
            List<Integer> out = new ArrayList<>();
            for (int x : v) {
                if (x < min || x > max) {
                    throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + x);
                }
                out.add(x);
            }
            return out;
        }

        /** @return the space */
        public TuneSpace build() {
            return new TuneSpace(this);
        }
    }
}
