package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;

/**
 * Progress of a {@link ModelQuantizer} run, reported after each tensor is written.
 *
 * @param tensorsDone tensors written so far (1-based count)
 * @param tensorCount tensors in the model
 * @param tensorName the tensor just written
 * @param sourceType its input type
 * @param targetType its output type
 * @param bytesRead input tensor bytes processed so far
 * @param bytesTotal input tensor bytes in the model
 */
public record QuantizationProgress(int tensorsDone, int tensorCount, String tensorName, GgmlType sourceType,
        GgmlType targetType, long bytesRead, long bytesTotal) {

    /** @return the fraction done, in [0, 1] */
    public double fraction() {
        return bytesTotal == 0 ? 1.0 : (double) bytesRead / bytesTotal;
    }
}
