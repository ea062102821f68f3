package io.autoglm.quant;

import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Summary of a finished {@link ModelQuantizer} run.
 *
 * @param output the written file
 * @param preset the preset used
 * @param tensorsPerType number of output tensors of each type
 * @param fallbacks tensors whose row length forced a fallback type
 * @param inputBytes size of the input file
 * @param outputBytes size of the output file
 * @param elapsed wall time
 */
public record QuantizationResult(Path output, Quantization preset, Map<GgmlType, Integer> tensorsPerType, int fallbacks,
        long inputBytes, long outputBytes, Duration elapsed) {

    /** Copies the map. */
    public QuantizationResult {
        tensorsPerType = Map.copyOf(tensorsPerType);
    }

    /** @return input megabytes (10^6) per second */
    public double megabytesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : inputBytes / 1e6 / s;
    }
}
