package io.autoglm.quant.internal;

import static io.autoglm.quant.internal.LegacyVec.F;
import static io.autoglm.quant.internal.LegacyVec.I;
import static io.autoglm.quant.internal.LegacyVec.L;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API dequantization. Every output element is the same single multiply (and subtract or add, never fused)
 * of the same operands as in ggml's scalar loops, so the results are bit-identical.
 */
final class DequantVec {
    /** L bytes per load. */
    private static final VectorSpecies<Byte> B8 = LegacyVec.B;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    /** Enabled when a byte load fills exactly one int vector (L = 8 or 16). */
    static final boolean ENABLED = LegacyVec.ENABLED && B8.length() == L && S.length() == L;
    /** 2L bytes per load (L shorts). */
    private static final VectorSpecies<Byte> B16 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    private DequantVec() {
    }

    private static IntVector bytes(byte[] a, int off) {
        return (IntVector) ByteVector.fromArray(B8, a, off).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector f(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, F, 0);
    }

    static void q8_0(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 34, yo += 32) {
            float d = Codec.halfAt(x, xo);
            for (int k = 0; k < 32; k += L) {
                f(bytes(x, xo + 2 + k)).mul(d).intoArray(y, yo + k);
            }
        }
    }

    static void q4_0(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 18, yo += 32) {
            float d = Codec.halfAt(x, xo);
            for (int k = 0; k < 16; k += L) {
                IntVector b = bytes(x, xo + 2 + k);
                f(b.and(15).sub(8)).mul(d).intoArray(y, yo + k);
                f(b.lanewise(VectorOperators.ASHR, 4).and(15).sub(8)).mul(d).intoArray(y, yo + 16 + k);
            }
        }
    }

    static void q4_1(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 20, yo += 32) {
            float d = Codec.halfAt(x, xo);
            float m = Codec.halfAt(x, xo + 2);
            for (int k = 0; k < 16; k += L) {
                IntVector b = bytes(x, xo + 4 + k);
                f(b.and(15)).mul(d).add(m).intoArray(y, yo + k);
                f(b.lanewise(VectorOperators.ASHR, 4).and(15)).mul(d).add(m).intoArray(y, yo + 16 + k);
            }
        }
    }

    /** Q5_0 (bias 16, no min) or Q5_1 (with min): qh sits at qho, nibbles at qso. */
    static void q5(byte[] x, int xo, float[] y, int yo, int blocks, boolean hasMin) {
        int stride = hasMin ? 24 : 22;
        int qho = hasMin ? 4 : 2;
        int bias = hasMin ? 0 : 16;
        for (int i = 0; i < blocks; i++, xo += stride, yo += 32) {
            float d = Codec.halfAt(x, xo);
            float m = hasMin ? Codec.halfAt(x, xo + 2) : 0f;
            IntVector qh = IntVector.broadcast(I, LegacyCodecs.getInt(x, xo + qho));
            for (int k = 0; k < 16; k += L) {
                IntVector b = bytes(x, xo + qho + 4 + k);
                IntVector h0 = qh.lanewise(VectorOperators.LSHR, IOTA.add(k)).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector h1 = qh.lanewise(VectorOperators.LSHR, IOTA.add(16 + k)).and(1).lanewise(VectorOperators.LSHL, 4);
                FloatVector lo = f(b.and(15).or(h0).sub(bias)).mul(d);
                FloatVector hi = f(b.lanewise(VectorOperators.ASHR, 4).and(15).or(h1).sub(bias)).mul(d);
                if (hasMin) {
                    lo = lo.add(m);
                    hi = hi.add(m);
                }
                lo.intoArray(y, yo + k);
                hi.intoArray(y, yo + 16 + k);
            }
        }
    }

    static void q2_K(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 84) {
            float d = Codec.halfAt(x, xo + 80);
            float min = Codec.halfAt(x, xo + 82);
            int is = 0;
            for (int n = 0; n < 256; n += 128) {
                int q = xo + 16 + n / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++, yo += 16) {
                        int sc = x[xo + is++] & 0xff;
                        float dl = d * (sc & 0x0f);
                        float ml = min * (sc >> 4);
                        for (int l = 0; l < 16; l += L) {
                            IntVector b = bytes(x, q + 16 * half + l);
                            f(b.lanewise(VectorOperators.ASHR, shift).and(3)).mul(dl).sub(ml).intoArray(y, yo + l);
                        }
                    }
                }
            }
        }
    }

    static void q3_K(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 110) {
            float dAll = Codec.halfAt(x, xo + 108);
            int is = 0;
            int m = 1;
            for (int n = 0; n < 256; n += 128) {
                int q = xo + 32 + n / 4;
                for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                    for (int half = 0; half < 2; half++, yo += 16) {
                        float dl = dAll * KCodecs.Q3_K.q3Scale(x, xo + 96, is++);
                        for (int l = 0; l < 16; l += L) {
                            IntVector b = bytes(x, q + 16 * half + l).lanewise(VectorOperators.ASHR, shift).and(3);
                            IntVector h = bytes(x, xo + 16 * half + l).and(m);
                            f(b.sub(4, h.compare(VectorOperators.EQ, 0))).mul(dl).intoArray(y, yo + l);
                        }
                    }
                }
            }
        }
    }

    /** Q4_K (qh &lt; 0) or Q5_K (high bits at xo+16). */
    static void q45_K(byte[] x, int xo, float[] y, int yo, int blocks, boolean five) {
        int stride = five ? 176 : 144;
        for (int i = 0; i < blocks; i++, xo += stride) {
            float d = Codec.halfAt(x, xo);
            float min = Codec.halfAt(x, xo + 2);
            int ql = xo + (five ? 48 : 16);
            int u1 = 1;
            int u2 = 2;
            for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2, yo += 64) {
                float d1 = d * KQuants.scaleMinK4(is, x, xo + 4, 0);
                float m1 = min * KQuants.scaleMinK4(is, x, xo + 4, 1);
                float d2 = d * KQuants.scaleMinK4(is + 1, x, xo + 4, 0);
                float m2 = min * KQuants.scaleMinK4(is + 1, x, xo + 4, 1);
                for (int l = 0; l < 32; l += L) {
                    IntVector b = bytes(x, ql + l);
                    IntVector lo = b.and(15);
                    IntVector hi = b.lanewise(VectorOperators.ASHR, 4).and(15);
                    if (five) {
                        IntVector h = bytes(x, xo + 16 + l);
                        lo = lo.add(16, h.and(u1).compare(VectorOperators.NE, 0));
                        hi = hi.add(16, h.and(u2).compare(VectorOperators.NE, 0));
                    }
                    f(lo).mul(d1).sub(m1).intoArray(y, yo + l);
                    f(hi).mul(d2).sub(m2).intoArray(y, yo + 32 + l);
                }
            }
        }
    }

    static void q6_K(byte[] x, int xo, float[] y, int yo, int blocks) {
        for (int i = 0; i < blocks; i++, xo += 210) {
            float d = Codec.halfAt(x, xo + 208);
            for (int half = 0; half < 2; half++, yo += 128) {
                int ql = xo + 64 * half;
                int qh = xo + 128 + 32 * half;
                int sc = xo + 192 + 8 * half;
                // quarter r of the half: nibbles from ql[+32*(r&1)], low/high by r>>1; high bits 2r of qh
                for (int r = 0; r < 4; r++) {
                    int src = ql + 32 * (r & 1);
                    int nib = 4 * (r >> 1);
                    int hs = 2 * r;
                    for (int l = 0; l < 32; l += L) {
                        IntVector low = bytes(x, src + l).lanewise(VectorOperators.ASHR, nib).and(15);
                        IntVector high = bytes(x, qh + l).lanewise(VectorOperators.ASHR, hs).and(3);
                        IntVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32);
                        f(q).mul(d * x[sc + l / 16 + 2 * r]).intoArray(y, yo + 32 * r + l);
                    }
                }
            }
        }
    }

    static void bf16ToFloat(byte[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            ShortVector s = ByteVector.fromArray(B16, x, xo + 2 * i).reinterpretAsShorts();
            IntVector v = ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16);
            v.reinterpretAsFloats().intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Float.intBitsToFloat((Codec.getShort(x, xo + 2 * i) & 0xffff) << 16);
        }
    }

    /** fp32 to bf16 for finite input (NaN was rejected before): round to nearest even on the top half. */
    static void floatToBf16(float[] x, int xo, byte[] y, int yo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector u = FloatVector.fromArray(F, x, xo + i).reinterpretAsInts();
            IntVector r = u.add(u.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
            ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).reinterpretAsBytes().intoArray(y, yo + 2 * i);
        }
        for (; i < n; i++) {
            Codec.putShort(y, yo + 2 * i, FloatCodecs.BF16.toBf16(x[xo + i]));
        }
    }
}
