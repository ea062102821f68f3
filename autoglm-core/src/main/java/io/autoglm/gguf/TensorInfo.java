package io.autoglm.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a GGUF file. {@code shape[0]} is the row length (ggml's {@code ne0}, the fastest
 * varying dimension).
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape dimensions, 1 to 4, each positive (a copy is kept and returned)
 * @param type element type
 * @param offset offset of the data relative to the start of the data section
 * @param absoluteOffset offset of the data from the start of the file
 * @param byteSize bytes of data
 */
public record TensorInfo(String name, long[] shape, GgmlType type, long offset, long absoluteOffset, long byteSize) {

    /** Copies the shape. */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions */
    public int rank() {
        return shape.length;
    }

    /** @param i dimension index @return size of dimension {@code i} */
    public long dim(int i) {
        return shape[i];
    }

    /** @return the row length ({@code shape[0]}) */
    public long rowLength() {
        return shape[0];
    }

    /** @return the number of rows (product of the dimensions after the first) */
    public long rowCount() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** @return the number of elements */
    public long elementCount() {
        return shape[0] * rowCount();
    }

    /** @return bytes of one row */
    public long rowBytes() {
        return type.rowSize(shape[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.type == type
                && t.offset == offset && t.absoluteOffset == absoluteOffset && t.byteSize == byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), type, offset, absoluteOffset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + absoluteOffset + " (" + byteSize + " bytes)";
    }
}
