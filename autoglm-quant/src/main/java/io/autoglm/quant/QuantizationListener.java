package io.autoglm.quant;

/**
 * Receives {@link ModelQuantizer} progress on the quantizing thread. Throwing from it cancels the run: the
 * exception reaches the caller of {@link ModelQuantizer#quantize()} and no output file is left.
 */
@FunctionalInterface
public interface QuantizationListener {
    /** @param progress the progress so far */
    void onProgress(QuantizationProgress progress);
}
