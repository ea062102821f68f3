package io.autoglm.quant.internal;

import io.autoglm.Quantization;
import io.autoglm.memory.QuantizationProvider;
import io.autoglm.quant.ModelQuantizer;
import io.autoglm.quant.TensorPlan;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@link QuantizationProvider} of autoglm-quant: sizes come from {@link ModelQuantizer#plan()}, copies from
 * {@link ModelQuantizer#quantize()}. Registered with {@code provides} and {@code META-INF/services}.
 */
public final class QuantizerProvider implements QuantizationProvider {
    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public QuantizerProvider() {
    }

    @Override
    public long estimateWeightBytes(Path model, Quantization preset) {
        Objects.requireNonNull(model, "model");
        long total = 0;
        for (TensorPlan p : ModelQuantizer.builder().input(model).output(sibling(model)).preset(preset).build().plan()) {
            long[] shape = p.shape();
            long rows = 1;
            for (int i = 1; i < shape.length; i++) {
                rows *= shape[i];
            }
            total += p.targetType().rowSize(shape[0]) * rows;
        }
        return total;
    }

    @Override
    public void quantize(Path source, Path target, Quantization preset, int threads) {
        ModelQuantizer.builder().input(source).output(target).preset(preset).threads(threads).build().quantize();
    }

    /** plan() never writes; the builder only needs an output different from the input. */
    private static Path sibling(Path model) {
        return model.resolveSibling(model.getFileName() + ".plan.gguf");
    }
}
