package io.autoglm.memory;

import io.autoglm.Quantization;
import java.nio.file.Path;

/**
 * Service interface implemented by {@code autoglm-quant} and found with {@link java.util.ServiceLoader}: estimates
 * the weight size of a model at a preset and writes quantized copies. Implementations must be thread-safe.
 */
public interface QuantizationProvider {
    /**
     * Computes the bytes the tensors of a model take once quantized to a preset, with the same per-tensor rules
     * {@link #quantize} applies (unquantizable tensors keep their size).
     *
     * @param model a GGUF model
     * @param preset a concrete preset (not NONE or AUTO)
     * @return total tensor data bytes at that preset
     * @throws io.autoglm.AutoGLMException when the model cannot be read
     */
    long estimateWeightBytes(Path model, Quantization preset);

    /**
     * Writes a quantized copy of a model; the target appears atomically (never half-written).
     *
     * @param source the GGUF model to read
     * @param target the file to write
     * @param preset a concrete preset (not NONE or AUTO)
     * @param threads worker threads, at least 1
     * @throws io.autoglm.AutoGLMException when reading, quantizing or writing fails
     */
    void quantize(Path source, Path target, Quantization preset, int threads);
}
