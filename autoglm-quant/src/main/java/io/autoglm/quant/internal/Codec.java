package io.autoglm.quant.internal;

import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.BlockCodec;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Common argument checking and the small numeric primitives every codec shares. Subclasses see only
 * validated, finite input and whole blocks.
 */
public abstract class Codec implements BlockCodec {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int EXP_MASK = 0x7f800000;

    private final GgmlType type;

    protected Codec(GgmlType type) {
        this.type = type;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        int bytes = checkArgs(n);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, bytes, dst.length);
        int bad = firstNonFinite(src, srcOff, n);
        if (bad >= 0) {
            int e = bad - srcOff;
            throw new IllegalArgumentException("cannot quantize to " + type + ": element " + e + " (block "
                    + e / type.blockSize() + ", index " + e % type.blockSize() + " in the block) is " + src[bad]
                    + "; input must be finite");
        }
        quantizeBlocks(src, srcOff, dst, dstOff, n / type.blockSize());
    }

    @Override
    public final void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        int bytes = checkArgs(n);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOff, bytes, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        dequantizeBlocks(src, srcOff, dst, dstOff, n / type.blockSize());
    }

    private int checkArgs(int n) {
        if (n <= 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException("n must be a positive multiple of " + type.blockSize() + " for " + type
                    + ", was " + n);
        }
        long bytes = type.rowSize(n);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("n=" + n + " needs " + bytes + " bytes of " + type + ", more than an array holds");
        }
        return (int) bytes;
    }

    /** Quantizes {@code blocks} whole blocks of finite input. */
    protected abstract void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks);

    /** Dequantizes {@code blocks} whole blocks. */
    protected abstract void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks);

    @Override
    public String toString() {
        return "BlockCodec[" + type + "]";
    }

    // ---- shared primitives -------------------------------------------------------------------

    /** @return the index of the first NaN or infinite value in {@code a[off, off+n)}, or -1 */
    static int firstNonFinite(float[] a, int off, int n) {
        int i = 0;
        int bound = FS.loopBound(n);
        if (bound > 0) {
            IntVector acc = IntVector.zero(IS);
            for (; i < bound; i += FS.length()) {
                IntVector bits = (IntVector) FloatVector.fromArray(FS, a, off + i).reinterpretShape(IS, 0);
                acc = acc.max(bits.and(EXP_MASK));
            }
            if (acc.reduceLanes(VectorOperators.MAX) == EXP_MASK) {
                i = 0; // rescan to name the first bad element
            }
        }
        for (; i < n; i++) {
            if ((Float.floatToRawIntBits(a[off + i]) & EXP_MASK) == EXP_MASK) {
                return off + i;
            }
        }
        return -1;
    }

    /** ggml's {@code nearest_int}: the magic-number trick, reproduced bit for bit (round half to even in range). */
    static int nearestInt(float f) {
        return (Float.floatToRawIntBits(f + 12582912f) & 0x007fffff) - 0x00400000;
    }

    /** x86 {@code cvttss2si}: truncation, with the "integer indefinite" value for NaN and out-of-range input. */
    static int cvtt(float f) {
        return f > -2.14748365E9f && f < 2.14748365E9f ? (int) f : Integer.MIN_VALUE;
    }

    /** fp32 to IEEE half, round to nearest even (ggml's software conversion). */
    static short toHalf(float f) {
        return Float.floatToFloat16(f);
    }

    /** IEEE half to fp32. */
    static float fromHalf(short h) {
        return Float.float16ToFloat(h);
    }

    static void putShort(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    static short getShort(byte[] b, int off) {
        return (short) ((b[off] & 0xff) | (b[off + 1] << 8));
    }

    static float halfAt(byte[] b, int off) {
        return Float.float16ToFloat(getShort(b, off));
    }
}
