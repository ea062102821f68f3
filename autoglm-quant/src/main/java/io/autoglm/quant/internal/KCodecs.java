package io.autoglm.quant.internal;

import static io.autoglm.quant.internal.KQuants.pack2bit;
import static io.autoglm.quant.internal.KQuants.scaleMinK4;

import io.autoglm.gguf.GgmlType;
import java.util.Arrays;

/** The 256-element super-block types Q2_K, Q3_K, Q4_K, Q5_K and Q6_K. */
final class KCodecs {
    private KCodecs() {
    }

    static final class Q2_K extends Codec {
        Q2_K() {
            super(GgmlType.Q2_K);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            KQuants k = KQuants.scratch();
            int[] lv = k.levels;
            float[] scales = k.scales;
            float[] mins = k.mins;
            for (int i = 0; i < blocks; i++, xo += 256, yo += 84) {
                float maxScale = 0;
                float maxMin = 0;
                for (int j = 0; j < 16; j++) {
                    for (int l = 0; l < 16; l++) {
                        k.weights[l] = Math.abs(x[xo + 16 * j + l]);
                    }
                    float scale = k.makeQkx2(16, 3, x, xo + 16 * j, 16 * j, -0.5f, 0.1f, 15, true);
                    scales[j] = scale;
                    mins[j] = k.theMin;
                    if (scale > maxScale) {
                        maxScale = scale;
                    }
                    if (k.theMin > maxMin) {
                        maxMin = k.theMin;
                    }
                }
                short dh;
                if (maxScale > 0) {
                    float iscale = 15f / maxScale;
                    for (int j = 0; j < 16; j++) {
                        y[yo + j] = (byte) Codec.nearestInt(iscale * scales[j]);
                    }
                    dh = Codec.toHalf(maxScale / 15f);
                } else {
                    Arrays.fill(y, yo, yo + 16, (byte) 0);
                    dh = Codec.toHalf(0f);
                }
                short mh;
                if (maxMin > 0) {
                    float iscale = 15f / maxMin;
                    for (int j = 0; j < 16; j++) {
                        y[yo + j] |= (byte) (Codec.nearestInt(iscale * mins[j]) << 4);
                    }
                    mh = Codec.toHalf(maxMin / 15f);
                } else {
                    mh = Codec.toHalf(0f);
                }
                Codec.putShort(y, yo + 80, dh);
                Codec.putShort(y, yo + 82, mh);
                float df = Codec.fromHalf(dh);
                float mf = Codec.fromHalf(mh);
                for (int j = 0; j < 16; j++) {
                    int sc = y[yo + j] & 0xff;
                    float d = df * (sc & 0x0f);
                    if (d == 0f) {
                        continue;
                    }
                    float dm = mf * (sc >> 4);
                    k.requantize(x, xo + 16 * j, 16, true, dm, d, 0, 3, 0, 16 * j);
                }
                pack2bit(lv, y, yo + 16);
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q2_K(x, xo, y, yo, blocks);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 84) {
                float d = Codec.halfAt(x, xo + 80);
                float min = Codec.halfAt(x, xo + 82);
                int is = 0;
                for (int n = 0; n < 256; n += 128) {
                    int q = xo + 16 + n / 4;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int half = 0; half < 2; half++) {
                            int sc = x[xo + is++] & 0xff;
                            float dl = d * (sc & 0x0f);
                            float ml = min * (sc >> 4);
                            int qb = q + 16 * half;
                            for (int l = 0; l < 16; l++) {
                                y[yo++] = dl * ((x[qb + l] >> shift) & 3) - ml;
                            }
                        }
                    }
                }
            }
        }
    }

    static final class Q3_K extends Codec {
        Q3_K() {
            super(GgmlType.Q3_K);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            KQuants k = KQuants.scratch();
            int[] lv = k.levels;
            float[] scales = k.scales;
            for (int i = 0; i < blocks; i++, xo += 256, yo += 110) {
                for (int j = 0; j < 16; j++) {
                    scales[j] = k.makeQ3(16, 4, x, xo + 16 * j, 16 * j);
                }
                float maxScale = LegacyCodecs.signedMaxAbs(scales, 0, 16);
                int so = yo + 96;
                Arrays.fill(y, so, so + 12, (byte) 0);
                short dh;
                if (maxScale != 0f) {
                    float iscale = -32f / maxScale;
                    for (int j = 0; j < 16; j++) {
                        int l = (byte) Codec.nearestInt(iscale * scales[j]);
                        l = Math.max(-32, Math.min(31, l)) + 32;
                        if (j < 8) {
                            y[so + j] = (byte) (l & 0x0f);
                        } else {
                            y[so + j - 8] |= (byte) ((l & 0x0f) << 4);
                        }
                        l >>= 4;
                        y[so + 8 + j % 4] |= (byte) (l << (2 * (j / 4)));
                    }
                    dh = Codec.toHalf(1 / iscale);
                } else {
                    dh = Codec.toHalf(0f);
                }
                Codec.putShort(y, yo + 108, dh);
                float df = Codec.fromHalf(dh);
                for (int j = 0; j < 16; j++) {
                    float d = df * q3Scale(y, so, j);
                    if (d == 0f) {
                        continue;
                    }
                    k.requantize(x, xo + 16 * j, 16, false, 0f, d, -4, 3, 4, 16 * j);
                }
                Arrays.fill(y, yo, yo + 32, (byte) 0);
                for (int j = 0; j < 256; j++) {
                    if (lv[j] > 3) {
                        y[yo + (j & 31)] |= (byte) (1 << (j >> 5));
                        lv[j] -= 4;
                    }
                }
                pack2bit(lv, y, yo + 32);
            }
        }

        /** Signed 6-bit scale j (already minus 32) from the 12-byte Q3_K scale field at so. */
        static int q3Scale(byte[] b, int so, int j) {
            int low = j < 8 ? b[so + j] & 0x0f : (b[so + j - 8] & 0xff) >> 4;
            int high = ((b[so + 8 + j % 4] & 0xff) >> (2 * (j / 4))) & 3;
            return (low | (high << 4)) - 32;
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q3_K(x, xo, y, yo, blocks);
                return;
            }
            int[] sc = new int[16];
            for (int i = 0; i < blocks; i++, xo += 110) {
                float dAll = Codec.halfAt(x, xo + 108);
                for (int j = 0; j < 16; j++) {
                    sc[j] = q3Scale(x, xo + 96, j);
                }
                int is = 0;
                int m = 1;
                for (int n = 0; n < 256; n += 128) {
                    int q = xo + 32 + n / 4;
                    for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                        for (int half = 0; half < 2; half++) {
                            float dl = dAll * sc[is++];
                            int qb = q + 16 * half;
                            int hb = xo + 16 * half;
                            for (int l = 0; l < 16; l++) {
                                int v = ((x[qb + l] >> shift) & 3) - ((x[hb + l] & m) != 0 ? 0 : 4);
                                y[yo++] = dl * v;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Q4_K and Q5_K share the scale search; they differ in level count and search range. */
    abstract static class Q45K extends Codec {
        private final int nmax;
        private final float rmin;
        private final int nstep;

        Q45K(GgmlType t, int nmax, float rmin, int nstep) {
            super(t);
            this.nmax = nmax;
            this.rmin = rmin;
            this.nstep = nstep;
        }

        /** Searches scales and mins, writes d, dmin and the 12 scale bytes at yo and final levels into k.levels. */
        final void quantizeSuperBlock(KQuants k, float[] x, int xo, byte[] y, int yo) {
            int[] lv = k.levels;
            float[] w = k.weights;
            float[] scales = k.scales;
            float[] mins = k.mins;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 8; j++) {
                int xb = xo + 32 * j;
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) {
                    sumX2 += x[xb + l] * x[xb + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    w[l] = avX + Math.abs(x[xb + l]);
                }
                float scale = k.makeQkx2(32, nmax, x, xb, 32 * j, rmin, 0.1f, nstep, false);
                scales[j] = scale;
                mins[j] = k.theMin;
                if (scale > maxScale) {
                    maxScale = scale;
                }
                if (k.theMin > maxMin) {
                    maxMin = k.theMin;
                }
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            int so = yo + 4;
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, Codec.nearestInt(invScale * scales[j]) & 0xff);
                int lm = Math.min(63, Codec.nearestInt(invMin * mins[j]) & 0xff);
                if (j < 4) {
                    y[so + j] = (byte) ls;
                    y[so + j + 4] = (byte) lm;
                } else {
                    y[so + j + 4] = (byte) ((ls & 0x0f) | ((lm & 0x0f) << 4));
                    y[so + j - 4] |= (byte) ((ls >> 4) << 6);
                    y[so + j] |= (byte) ((lm >> 4) << 6);
                }
            }
            short dh = Codec.toHalf(maxScale / 63f);
            short mh = Codec.toHalf(maxMin / 63f);
            Codec.putShort(y, yo, dh);
            Codec.putShort(y, yo + 2, mh);
            float df = Codec.fromHalf(dh);
            float mf = Codec.fromHalf(mh);
            for (int j = 0; j < 8; j++) {
                float d = df * scaleMinK4(j, y, so, 0);
                if (d == 0f) {
                    continue;
                }
                float dm = mf * scaleMinK4(j, y, so, 1);
                k.requantize(x, xo + 32 * j, 32, true, dm, d, 0, nmax, 0, 32 * j);
            }
        }
    }

    static final class Q4_K extends Q45K {
        Q4_K() {
            super(GgmlType.Q4_K, 15, -1f, 20);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            KQuants k = KQuants.scratch();
            int[] lv = k.levels;
            for (int i = 0; i < blocks; i++, xo += 256, yo += 144) {
                quantizeSuperBlock(k, x, xo, y, yo);
                int q = yo + 16;
                for (int j = 0; j < 256; j += 64, q += 32) {
                    for (int l = 0; l < 32; l++) {
                        y[q + l] = (byte) (lv[j + l] | (lv[j + l + 32] << 4));
                    }
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q45_K(x, xo, y, yo, blocks, false);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 144) {
                float d = Codec.halfAt(x, xo);
                float min = Codec.halfAt(x, xo + 2);
                int q = xo + 16;
                for (int is = 0; is < 8; is += 2, q += 32) {
                    float d1 = d * scaleMinK4(is, x, xo + 4, 0);
                    float m1 = min * scaleMinK4(is, x, xo + 4, 1);
                    float d2 = d * scaleMinK4(is + 1, x, xo + 4, 0);
                    float m2 = min * scaleMinK4(is + 1, x, xo + 4, 1);
                    for (int l = 0; l < 32; l++) {
                        y[yo + l] = d1 * (x[q + l] & 0x0f) - m1;
                    }
                    for (int l = 0; l < 32; l++) {
                        y[yo + 32 + l] = d2 * ((x[q + l] & 0xff) >> 4) - m2;
                    }
                    yo += 64;
                }
            }
        }
    }

    static final class Q5_K extends Q45K {
        Q5_K() {
            super(GgmlType.Q5_K, 31, -0.5f, 15);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            KQuants k = KQuants.scratch();
            int[] lv = k.levels;
            for (int i = 0; i < blocks; i++, xo += 256, yo += 176) {
                quantizeSuperBlock(k, x, xo, y, yo);
                int qh = yo + 16;
                int ql = yo + 48;
                Arrays.fill(y, qh, qh + 32, (byte) 0);
                int m1 = 1;
                int m2 = 2;
                for (int n = 0; n < 256; n += 64, ql += 32, m1 <<= 2, m2 <<= 2) {
                    for (int j = 0; j < 32; j++) {
                        int l1 = lv[n + j];
                        if (l1 > 15) {
                            l1 -= 16;
                            y[qh + j] |= (byte) m1;
                        }
                        int l2 = lv[n + j + 32];
                        if (l2 > 15) {
                            l2 -= 16;
                            y[qh + j] |= (byte) m2;
                        }
                        y[ql + j] = (byte) (l1 | (l2 << 4));
                    }
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q45_K(x, xo, y, yo, blocks, true);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 176) {
                float d = Codec.halfAt(x, xo);
                float min = Codec.halfAt(x, xo + 2);
                int qh = xo + 16;
                int ql = xo + 48;
                int u1 = 1;
                int u2 = 2;
                for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
                    float d1 = d * scaleMinK4(is, x, xo + 4, 0);
                    float m1 = min * scaleMinK4(is, x, xo + 4, 1);
                    float d2 = d * scaleMinK4(is + 1, x, xo + 4, 0);
                    float m2 = min * scaleMinK4(is + 1, x, xo + 4, 1);
                    for (int l = 0; l < 32; l++) {
                        y[yo + l] = d1 * ((x[ql + l] & 0x0f) + ((x[qh + l] & u1) != 0 ? 16 : 0)) - m1;
                    }
                    for (int l = 0; l < 32; l++) {
                        y[yo + 32 + l] = d2 * (((x[ql + l] & 0xff) >> 4) + ((x[qh + l] & u2) != 0 ? 16 : 0)) - m2;
                    }
                    yo += 64;
                }
            }
        }
    }

    static final class Q6_K extends Codec {
        Q6_K() {
            super(GgmlType.Q6_K);
        }

        @Override
        protected void quantizeBlocks(float[] x, int xo, byte[] y, int yo, int blocks) {
            KQuants k = KQuants.scratch();
            int[] lv = k.levels;
            float[] scales = k.scales;
            for (int i = 0; i < blocks; i++, xo += 256, yo += 210) {
                for (int ib = 0; ib < 16; ib++) {
                    scales[ib] = k.makeQx(16, 32, x, xo + 16 * ib, 16 * ib);
                }
                float maxScale = LegacyCodecs.signedMaxAbs(scales, 0, 16);
                if (Math.abs(maxScale) < KQuants.GROUP_MAX_EPS) {
                    Arrays.fill(y, yo, yo + 210, (byte) 0);
                    continue;
                }
                float iscale = -128f / maxScale;
                short dh = Codec.toHalf(1 / iscale);
                Codec.putShort(y, yo + 208, dh);
                int so = yo + 192;
                for (int ib = 0; ib < 16; ib++) {
                    y[so + ib] = (byte) Math.min(127, Codec.nearestInt(iscale * scales[ib]));
                }
                float df = Codec.fromHalf(dh);
                for (int j = 0; j < 16; j++) {
                    float d = df * y[so + j];
                    if (d == 0f) {
                        continue;
                    }
                    k.requantize(x, xo + 16 * j, 16, false, 0f, d, -32, 31, 32, 16 * j);
                }
                int ql = yo;
                int qh = yo + 128;
                for (int j = 0; j < 256; j += 128, ql += 64, qh += 32) {
                    for (int l = 0; l < 32; l++) {
                        int a = lv[j + l];
                        int b = lv[j + l + 32];
                        int c = lv[j + l + 64];
                        int e = lv[j + l + 96];
                        y[ql + l] = (byte) ((a & 0x0f) | ((c & 0x0f) << 4));
                        y[ql + l + 32] = (byte) ((b & 0x0f) | ((e & 0x0f) << 4));
                        y[qh + l] = (byte) ((a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6));
                    }
                }
            }
        }

        @Override
        protected void dequantizeBlocks(byte[] x, int xo, float[] y, int yo, int blocks) {
            if (DequantVec.ENABLED) {
                DequantVec.q6_K(x, xo, y, yo, blocks);
                return;
            }
            for (int i = 0; i < blocks; i++, xo += 210) {
                float d = Codec.halfAt(x, xo + 208);
                int ql = xo;
                int qh = xo + 128;
                int sc = xo + 192;
                for (int n = 0; n < 256; n += 128, ql += 64, qh += 32, sc += 8, yo += 128) {
                    for (int l = 0; l < 32; l++) {
                        int is = l / 16;
                        int h = x[qh + l] & 0xff;
                        int a = x[ql + l] & 0xff;
                        int b = x[ql + l + 32] & 0xff;
                        int q1 = ((a & 0x0f) | ((h & 3) << 4)) - 32;
                        int q2 = ((b & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
                        int q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
                        int q4 = ((b >> 4) | (((h >> 6) & 3) << 4)) - 32;
                        y[yo + l] = d * x[sc + is] * q1;
                        y[yo + l + 32] = d * x[sc + is + 2] * q2;
                        y[yo + l + 64] = d * x[sc + is + 4] * q3;
                        y[yo + l + 96] = d * x[sc + is + 6] * q4;
                    }
                }
            }
        }
    }
}
