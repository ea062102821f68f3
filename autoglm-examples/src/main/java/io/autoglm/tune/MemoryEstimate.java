package io.autoglm.tune;

import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.memory.PrecisionPlanner;
import io.autoglm.memory.QuantizationProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The memory a candidate is estimated to need, before anything is loaded: weights (as stored, or as the quantizer's
 * per-tensor plan of the preset computes them), an F16 KV cache for every cell the engine allocates
 * ({@code parallel x context} plus one context for cached prefixes, as {@link PrecisionPlanner#kvCacheBytes}), the
 * compute buffers of one micro-batch and the logits of one batch (F32), and the planner's overhead
 * ({@link PrecisionPlanner#FIXED_OVERHEAD_BYTES} plus 5% of the weights).
 *
 * @param weightBytes model tensors
 * @param kvBytes KV cache
 * @param computeBytes compute buffers and logits
 * @param overheadBytes runtime allowance
 */
public record MemoryEstimate(long weightBytes, long kvBytes, long computeBytes, long overheadBytes) {
    /** @return the sum of the parts */
    public long totalBytes() {
        return weightBytes + kvBytes + computeBytes + overheadBytes;
    }

    /**
     * @param model the GGUF model as stored
     * @param c the candidate
     * @return the estimate
     * @throws ModelLoadException when a preset is asked for and autoglm-quant is missing
     */
    public static MemoryEstimate of(Path model, Candidate c) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(c, "candidate");
        try (GgufFile f = GgufFile.open(model)) {
            long weights;
            if (c.quantization() == Quantization.NONE) {
                weights = 0;
                for (TensorInfo t : f.tensors()) {
                    weights += t.byteSize();
                }
            } else {
                QuantizationProvider p = ServiceLoader.load(QuantizationProvider.class, MemoryEstimate.class.getClassLoader())
                        .findFirst().orElseThrow(() -> new ModelLoadException("quantization "
                                + c.quantizeName() + " needs autoglm-quant on the class path"));
                weights = p.estimateWeightBytes(model, c.quantization());
            }
            long cells = (long) c.parallel() * c.context() + c.context();
            long kv = PrecisionPlanner.kvCacheBytes(f, (int) Math.min(Integer.MAX_VALUE, cells));
            long embd = f.embeddingLength().orElse(0);
            String arch = f.architecture().orElse("llama");
            long ff = f.getLong(arch + ".feed_forward_length").orElse(4 * embd);
            long heads = Math.max(1, f.headCount().orElse(1));
            long vocab = f.vocabSize();
            // activations of one micro-batch (residual, norms, q/k/v, feed-forward), its attention scores over the
            // cache (not materialised with flash attention), and one batch of F32 logits
            long activations = (long) c.ubatch() * (6 * embd + 2 * ff + vocab) * 4;
            long scores = Boolean.TRUE.equals(c.flashAttention()) ? 0 : (long) c.ubatch() * heads * Math.min(cells, 1L << 20) * 4;
            long logits = (long) c.batch() * vocab * 4;
            return new MemoryEstimate(weights, kv, activations + scores + logits,
                    PrecisionPlanner.FIXED_OVERHEAD_BYTES + weights / 20);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f MiB (weights %.0f + KV %.0f + compute %.0f + overhead %.0f)", mib(totalBytes()),
                mib(weightBytes), mib(kvBytes), mib(computeBytes), mib(overheadBytes));
    }

    static double mib(long bytes) {
        return bytes / (double) (1L << 20);
    }
}
