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
