package io.autoglm.memory;

import io.autoglm.Quantization;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@link PrecisionPlanner} decided for one model.
 *
 * @param requested what the caller asked for ({@link Quantization#AUTO} or a concrete preset)
 * @param chosen the preset to run at, or {@link Quantization#NONE} to run the file as stored
 * @param weightBytes tensor bytes at the chosen precision
 * @param kvCacheBytes F16 KV cache bytes for the context: {@code n_layer x n_ctx x (n_embd_k_gqa + n_embd_v_gqa) x 2}
 * @param overheadBytes allowance for compute buffers and runtime: {@link PrecisionPlanner#FIXED_OVERHEAD_BYTES} plus
 *                      5% of the weights
 * @param budgetBytes the memory budget the choice was checked against
 * @param budgetSource where the budget comes from ({@code "memoryBudget"} or how it was measured)
 * @param contextSize the context size used for the KV cache, in tokens
 * @param source the model file asked for
 * @param file the file to load: the source, or its quantized copy in the cache
 */
public record PrecisionDecision(Quantization requested, Quantization chosen, long weightBytes, long kvCacheBytes,
        long overheadBytes, long budgetBytes, String budgetSource, int contextSize, Path source, Path file) {

    /** @return weights + KV cache + overhead */
    public long requiredBytes() {
        return weightBytes + kvCacheBytes + overheadBytes;
    }

    /** @return true when the file to load is a quantized copy rather than the source */
    public boolean quantized() {
        return chosen != Quantization.NONE;
    }

    /** @return a one-line human summary, as logged and shown in {@link io.autoglm.ModelInfo#precisionDecision()} */
    public String summary() {
        String what = chosen == Quantization.NONE ? "as stored" : chosen.name();
        return String.format(Locale.ROOT,
                "%s -> %s: weights %s + KV cache %s (ctx %d) + overhead %s = %s of budget %s (%s)%s",
                requested.name(), what, mib(weightBytes), mib(kvCacheBytes), contextSize, mib(overheadBytes),
                mib(requiredBytes()), mib(budgetBytes), budgetSource, quantized() ? "; file " + file : "");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public String toString() {
        return summary();
    }
}
