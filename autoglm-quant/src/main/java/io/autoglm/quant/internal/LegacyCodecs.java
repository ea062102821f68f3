package io.autoglm.quant.internal;

import io.autoglm.gguf.GgmlType;

/** The 32-element block types Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1. */
final class LegacyCodecs {
    private LegacyCodecs() {
    }

    /** C's {@code roundf} (half away from zero) followed by the x86 float-to-int conversion. */
    static int roundf(float v) {
        if (!(Math.abs(v) < 2.0e9f)) {
            return Integer.MIN_VALUE;
        }
        int q = (int) (Math.abs((double) v) + 0.5);
        return v < 0 ? -q : q;
    }

    /**
     * The value of largest magnitude (first one on ties, NaN never picked, 0 when all are zero), sign kept: the scan
     * ggml uses for the Q4_0/Q5_0 scale, in make_qx_quants/make_q3_quants and to pick the Q3_K/Q6_K super-scale.
     */
    static float signedMaxAbs(float[] x, int o, int n) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            float a = Math.abs(v);
            if (amax < a) {
                amax = a;
                max = v;
            }
        }
        return max;
    }

    /** The smallest of x[o, o+n) by a strict-less scan from FLT_MAX (NaN skipped), as Q4_1/Q5_1 take it. */
    static float minOf(float[] x, int o, int n) {
        float min = Float.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            if (v < min) {
                min = v;
            }
        }
        return min;
    }

    /** The largest of x[o, o+n) by a strict-greater scan from -FLT_MAX (NaN skipped), as Q4_1/Q5_1 take it. */
    static float maxOf(float[] x, int o, int n) {
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            if (v > max) {
                max = v;
            }
        }
        return max;
    }

    static final class Q8_0 extends Codec {
        Q8_0() {
            super(GgmlType.Q8_0);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            for (int i = 0; i < blocks; i++, xo += 32, yo += 34) {
                if (LegacyVec.ENABLED && LegacyVec.q8_0(x, xo, y, yo)) {
                    continue;
                }
                float amax = 0f;
                for (int j = 0; j < 32; j++) {
                    float a = Math.abs(x[xo + j]);
                    amax = amax > a ? amax : a;
                }
                float d = amax / 127;
                float id = d != 0f ? 1.0f / d : 0f;
                putShort(y, yo, toHalf(d));
                for (int j = 0; j < 32; j++) {
                    y[yo + 2 + j] = (byte) roundf(x[xo + j] * id);
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q8_0(x, xo, y, yo, blocks);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 34, yo += 32) {
                float d = halfAt(x, xo);
                for (int j = 0; j < 32; j++) {
                    y[yo + j] = x[xo + 2 + j] * d;
                }
            }
        }
    }

    static final class Q4_0 extends Codec {
        Q4_0() {
            super(GgmlType.Q4_0);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            for (int i = 0; i < blocks; i++, xo += 32, yo += 18) {
                if (LegacyVec.ENABLED && LegacyVec.q4_0(x, xo, y, yo)) {
                    continue;
                }
                float max = signedMaxAbs(x, xo, 32);
                float d = max / -8;
                float id = d != 0f ? 1.0f / d : 0f;
                putShort(y, yo, toHalf(d));
                for (int j = 0; j < 16; j++) {
                    int q0 = Math.min(15, (byte) cvtt(x[xo + j] * id + 8.5f)) & 0xff;
                    int q1 = Math.min(15, (byte) cvtt(x[xo + 16 + j] * id + 8.5f)) & 0xff;
                    y[yo + 2 + j] = (byte) (q0 | (q1 << 4));
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q4_0(x, xo, y, yo, blocks);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 18, yo += 32) {
                float d = halfAt(x, xo);
                for (int j = 0; j < 16; j++) {
                    int b = x[xo + 2 + j] & 0xff;
                    y[yo + j] = ((b & 0x0f) - 8) * d;
                    y[yo + 16 + j] = ((b >> 4) - 8) * d;
                }
            }
        }
    }

    static final class Q4_1 extends Codec {
        Q4_1() {
            super(GgmlType.Q4_1);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            for (int i = 0; i < blocks; i++, xo += 32, yo += 20) {
                if (LegacyVec.ENABLED && LegacyVec.q41or51(x, xo, y, yo, 15)) {
                    continue;
                }
                float min = minOf(x, xo, 32);
                float max = maxOf(x, xo, 32);
                float d = (max - min) / 15;
                float id = d != 0f ? 1.0f / d : 0f;
                putShort(y, yo, toHalf(d));
                putShort(y, yo + 2, toHalf(min));
                for (int j = 0; j < 16; j++) {
                    int q0 = Math.min(15, (byte) cvtt((x[xo + j] - min) * id + 0.5f)) & 0xff;
                    int q1 = Math.min(15, (byte) cvtt((x[xo + 16 + j] - min) * id + 0.5f)) & 0xff;
                    y[yo + 4 + j] = (byte) (q0 | (q1 << 4));
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q4_1(x, xo, y, yo, blocks);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 20, yo += 32) {
                float d = halfAt(x, xo);
                float m = halfAt(x, xo + 2);
                for (int j = 0; j < 16; j++) {
                    int b = x[xo + 4 + j] & 0xff;
                    y[yo + j] = (b & 0x0f) * d + m;
                    y[yo + 16 + j] = (b >> 4) * d + m;
                }
            }
        }
    }

    static final class Q5_0 extends Codec {
        Q5_0() {
            super(GgmlType.Q5_0);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            for (int i = 0; i < blocks; i++, xo += 32, yo += 22) {
                if (LegacyVec.ENABLED && LegacyVec.q5_0(x, xo, y, yo)) {
                    continue;
                }
                float max = signedMaxAbs(x, xo, 32);
                float d = max / -16;
                float id = d != 0f ? 1.0f / d : 0f;
                putShort(y, yo, toHalf(d));
                int qh = 0;
                for (int j = 0; j < 16; j++) {
                    int q0 = Math.min(31, (byte) cvtt(x[xo + j] * id + 16.5f)) & 0xff;
                    int q1 = Math.min(31, (byte) cvtt(x[xo + 16 + j] * id + 16.5f)) & 0xff;
                    y[yo + 6 + j] = (byte) ((q0 & 0x0f) | ((q1 & 0x0f) << 4));
                    qh |= ((q0 & 0x10) >>> 4) << j;
                    qh |= ((q1 & 0x10) >>> 4) << (j + 16);
                }
                putInt(y, yo + 2, qh);
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q5(x, xo, y, yo, blocks, false);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 22, yo += 32) {
                float d = halfAt(x, xo);
                int qh = getInt(x, xo + 2);
                for (int j = 0; j < 16; j++) {
                    int b = x[xo + 6 + j] & 0xff;
                    int h0 = ((qh >>> j) << 4) & 0x10;
                    int h1 = (qh >>> (j + 12)) & 0x10;
                    y[yo + j] = (((b & 0x0f) | h0) - 16) * d;
                    y[yo + 16 + j] = (((b >> 4) | h1) - 16) * d;
                }
            }
        }
    }

    static final class Q5_1 extends Codec {
        Q5_1() {
            super(GgmlType.Q5_1);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            for (int i = 0; i < blocks; i++, xo += 32, yo += 24) {
                if (LegacyVec.ENABLED && LegacyVec.q41or51(x, xo, y, yo, 31)) {
                    continue;
                }
                float min = minOf(x, xo, 32);
                float max = maxOf(x, xo, 32);
                float d = (max - min) / 31;
                float id = d != 0f ? 1.0f / d : 0f;
                putShort(y, yo, toHalf(d));
                putShort(y, yo + 2, toHalf(min));
                int qh = 0;
                for (int j = 0; j < 16; j++) {
                    int q0 = cvtt((x[xo + j] - min) * id + 0.5f) & 0xff;
                    int q1 = cvtt((x[xo + 16 + j] - min) * id + 0.5f) & 0xff;
                    y[yo + 8 + j] = (byte) ((q0 & 0x0f) | ((q1 & 0x0f) << 4));
                    qh |= ((q0 & 0x10) >>> 4) << j;
                    qh |= ((q1 & 0x10) >>> 4) << (j + 16);
                }
                putInt(y, yo + 4, qh);
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q5(x, xo, y, yo, blocks, true);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 24, yo += 32) {
                float d = halfAt(x, xo);
                float m = halfAt(x, xo + 2);
                int qh = getInt(x, xo + 4);
                for (int j = 0; j < 16; j++) {
                    int b = x[xo + 8 + j] & 0xff;
                    int h0 = ((qh >>> j) << 4) & 0x10;
                    int h1 = (qh >>> (j + 12)) & 0x10;
                    y[yo + j] = ((b & 0x0f) | h0) * d + m;
                    y[yo + 16 + j] = ((b >> 4) | h1) * d + m;
                }
            }
        }
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
