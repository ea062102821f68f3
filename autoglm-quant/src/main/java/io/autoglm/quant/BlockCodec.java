package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;

/**
 * Quantizes and dequantizes rows of one ggml tensor type, byte for byte as ggml's reference code does
 * ({@code quantize_row_<type>_ref} and {@code dequantize_row_<type>} of llama.cpp b4916).
 *
 * <p>Implementations are stateless and thread-safe. Obtain one with {@link BlockCodecs#of(GgmlType)}:
 * <pre>{@code
 * BlockCodec q4k = BlockCodecs.of(GgmlType.Q4_K);
 * byte[] packed = new byte[(int) GgmlType.Q4_K.rowSize(row.length)];
 * q4k.quantize(row, 0, packed, 0, row.length);
 * }</pre>
 */
public interface BlockCodec {

    /** @return the ggml type this codec writes and reads */
    GgmlType type();

    /**
     * Quantizes {@code n} floats.
     *
     * @param src    input values
     * @param srcOff first input index
     * @param dst    output buffer
     * @param dstOff first output byte
     * @param n      number of elements, a multiple of {@code type().blockSize()}; writes {@code type().rowSize(n)} bytes
     * @throws IllegalArgumentException  when {@code n} is not a positive multiple of the block size, or an input value is
     *                                   NaN or infinite (the message names the element)
     * @throws IndexOutOfBoundsException when a range falls outside its array
     */
    void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n);

    /**
     * Dequantizes {@code n} elements.
     *
     * @param src    packed blocks, {@code type().rowSize(n)} bytes from {@code srcOff}
     * @param srcOff first input byte
     * @param dst    output values
     * @param dstOff first output index
     * @param n      number of elements, a multiple of {@code type().blockSize()}
     * @throws IllegalArgumentException  when {@code n} is not a positive multiple of the block size
     * @throws IndexOutOfBoundsException when a range falls outside its array
     */
    void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n);
}
