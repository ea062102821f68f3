package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.internal.Codecs;
import java.util.Objects;
import java.util.Set;

/**
 * Entry point to the block codecs: one bit-exact {@link BlockCodec} per supported ggml type
 * (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K).
 *
 * <pre>{@code
 * BlockCodec codec = BlockCodecs.of(GgmlType.Q6_K);
 * byte[] out = new byte[(int) GgmlType.Q6_K.rowSize((long) rows * cols)];
 * BlockCodecs.quantizeRows(codec, weights, rows, cols, out, 2);   // rows split over 2 threads
 * }</pre>
 */
public final class BlockCodecs {
    private BlockCodecs() {
    }

    /**
     * @param t a ggml type
     * @return its codec
     * @throws IllegalArgumentException when {@code t} has no Java codec
     */
    public static BlockCodec of(GgmlType t) {
        Objects.requireNonNull(t, "t");
        BlockCodec c = Codecs.get(t);
        if (c == null) {
            throw new IllegalArgumentException("no block codec for type " + t + "; supported: " + supported());
        }
        return c;
    }

    /** @return true when {@link #of(GgmlType)} has a codec for {@code t} */
    public static boolean isSupported(GgmlType t) {
        return t != null && Codecs.get(t) != null;
    }

    /** @return the types with a codec */
    public static Set<GgmlType> supported() {
        return Codecs.supported();
    }

    /**
     * Checks packed data the way ggml's {@code ggml_validate_row_data} does before a model is used: every fp16
     * scale (and min) of a quantized block, and every element of F32/F16/BF16 data, must be finite. Quantizing
     * finite but huge input (beyond the fp16 range of a block scale, about 65504 times the level count) gives
     * infinite scales exactly as ggml does; call this to refuse such output.
     *
     * @param type the data's type (one of {@link #supported()})
     * @param data packed data
     * @param off  first byte
     * @param n    number of elements, a multiple of the block size
     * @throws IllegalArgumentException naming the first bad block (or element) when a value is NaN or infinite
     */
    public static void validate(GgmlType type, byte[] data, int off, int n) {
        Objects.requireNonNull(data, "data");
        of(type);
        long bytes = type.rowSize(n);
        Objects.checkFromIndexSize(off, bytes, data.length);
        int[] halves = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            case F16 -> new int[] {0};
            default -> new int[0];
        };
        int stride = type.typeSize();
        for (long b = 0, blocks = bytes / stride; b < blocks; b++) {
            int base = (int) (off + b * stride);
            if (type == GgmlType.F32 || type == GgmlType.BF16) {
                int bits = type == GgmlType.F32
                        ? (data[base] & 0xff) | (data[base + 1] & 0xff) << 8 | (data[base + 2] & 0xff) << 16 | data[base + 3] << 24
                        : ((data[base] & 0xff) | (data[base + 1] & 0xff) << 8) << 16;
                if ((bits & 0x7f800000) == 0x7f800000) {
                    throw new IllegalArgumentException(type + " element " + b + " is " + Float.intBitsToFloat(bits));
                }
                continue;
            }
            for (int h : halves) {
                int v = (data[base + h] & 0xff) | (data[base + h + 1] & 0xff) << 8;
                if ((v & 0x7c00) == 0x7c00) {
                    String what = type.isQuantized() ? "block " + b + " has a non-finite fp16 scale at byte " + h
                            : "element " + b + " is non-finite";
                    throw new IllegalArgumentException(type + " " + what + " (0x" + Integer.toHexString(v)
                            + "): the input is too large for this type's fp16 scales");
                }
            }
        }
    }

    /**
     * Quantizes a row-major matrix, rows shared out over {@code threads} threads. The output does not depend on
     * the thread count. A bad value is reported with its row and column.
     *
     * @param codec   the codec
     * @param src     {@code rows * rowLen} floats from index 0
     * @param rows    number of rows
     * @param rowLen  elements per row, a multiple of the codec's block size
     * @param dst     receives {@code rows * rowSize(rowLen)} bytes from index 0
     * @param threads threads to use, at least 1
     */
    public static void quantizeRows(BlockCodec codec, float[] src, int rows, int rowLen, byte[] dst, int threads) {
        try (RowQuantizer rq = new RowQuantizer(threads)) {
            rq.quantize(codec, src, 0, rows, rowLen, dst, 0);
        }
    }
}
