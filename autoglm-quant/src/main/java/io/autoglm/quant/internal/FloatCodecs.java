package io.autoglm.quant.internal;

import io.autoglm.gguf.GgmlType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The unquantized element types: F32 (a copy), F16 and BF16 (per-element conversion). */
final class FloatCodecs {
    private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private FloatCodecs() {
    }

    static final class F32 extends Codec {
        F32() {
            super(GgmlType.F32);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                FLOAT_LE.set(y, yo + 4 * i, x[xo + i]);
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = (float) FLOAT_LE.get(x, xo + 4 * i);
            }
        }
    }

    static final class F16 extends Codec {
        F16() {
            super(GgmlType.F16);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                SHORT_LE.set(y, yo + 2 * i, Float.floatToFloat16(x[xo + i]));
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = Float.float16ToFloat((short) SHORT_LE.get(x, xo + 2 * i));
            }
        }
    }

    static final class BF16 extends Codec {
        BF16() {
            super(GgmlType.BF16);
        }

        /** ggml's fp32 to bf16: round to nearest even on the top 16 bits; NaN is made quiet. */
        static short toBf16(float f) {
            int u = Float.floatToRawIntBits(f);
            if ((u & 0x7fffffff) > 0x7f800000) {
                return (short) ((u >>> 16) | 64);
            }
            return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int n) {
            if (DequantVec.ENABLED) {
                DequantVec.floatToBf16(x, xo, y, yo, n);
                return;
            }
            for (int i = 0; i < n; i++) {
                SHORT_LE.set(y, yo + 2 * i, toBf16(x[xo + i]));
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int n) {
            if (DequantVec.ENABLED) {
                DequantVec.bf16ToFloat(x, xo, y, yo, n);
                return;
            }
            for (int i = 0; i < n; i++) {
                y[yo + i] = Float.intBitsToFloat(((short) SHORT_LE.get(x, xo + 2 * i) & 0xffff) << 16);
            }
        }
    }
}
