package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;
import java.util.Arrays;

/**
 * What {@link ModelQuantizer} does with one tensor.
 *
 * @param name tensor name
 * @param shape dimensions (a copy)
 * @param sourceType type in the input file
 * @param targetType type in the output file
 * @param quantizable false for tensors llama.cpp never quantizes (norms, 1-D tensors, routers ...): copied unchanged
 * @param fallback true when the row length did not divide into the chosen type's blocks and a fallback type was used
 */
public record TensorPlan(String name, long[] shape, GgmlType sourceType, GgmlType targetType, boolean quantizable,
        boolean fallback) {

    /** Copies the shape. */
    public TensorPlan {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return true when the bytes are copied unchanged */
    public boolean copied() {
        return sourceType == targetType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorPlan p && p.name.equals(name) && Arrays.equals(p.shape, shape) && p.sourceType == sourceType
                && p.targetType == targetType && p.quantizable == quantizable && p.fallback == fallback;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + targetType.hashCode();
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + sourceType + " -> " + targetType + (fallback ? " (fallback)" : "");
    }
}
