package io.autoglm.tune;

import io.autoglm.Quantization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One setting of the serving parameters a tune searches.
 *
 * @param quantization the preset the model runs at ({@link Quantization#NONE}: as stored)
 * @param threads CPU threads
 * @param batch logical batch size
 * @param ubatch micro-batch size (at most {@code batch})
 * @param parallel sequences decoded together
 * @param context context window per sequence, in tokens
 * @param flashAttention whether flash attention is on; null when it is not searched (b4916 library)
 */
public record Candidate(Quantization quantization, int threads, int batch, int ubatch, int parallel, int context,
        Boolean flashAttention) {
    /** Validates the values. */
    public Candidate {
        Objects.requireNonNull(quantization, "quantization");
        if (quantization == Quantization.AUTO) {
            throw new IllegalArgumentException("quantization must be none or a preset, was AUTO");
        }
        if (threads < 1 || batch < 1 || ubatch < 1 || parallel < 1 || context < 16) {
            throw new IllegalArgumentException("threads, batch, ubatch, parallel must be >= 1 and context >= 16, were "
                    + threads + ", " + batch + ", " + ubatch + ", " + parallel + ", " + context);
        }
        if (ubatch > batch) {
            throw new IllegalArgumentException("ubatch must be <= batch " + batch + ", was " + ubatch);
        }
    }

    /** @return the preset as a deploy config writes it: {@code none} or the preset's name */
    public String quantizeName() {
        return quantization == Quantization.NONE ? "none" : quantization.name();
    }

    /** @return the values as the study's parameters (kebab-case names as in the deploy config) */
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("quantize", quantizeName());
        p.put("threads", threads);
        p.put("batch", batch);
        p.put("ubatch", ubatch);
        p.put("parallel", parallel);
        p.put("context", context);
        if (flashAttention != null) {
            p.put("flash-attention", flashAttention);
        }
        return p;
    }

    @Override
    public String toString() {
        return quantizeName() + " threads=" + threads + " batch=" + batch + "/" + ubatch + " parallel=" + parallel
                + " context=" + context + (flashAttention == null ? "" : " fa=" + flashAttention);
    }
}
