package io.autoglm.quant.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API paths for the 32-element block types. They compute exactly what the scalar code computes: min, max
 * and max-abs reductions are exact, each element goes through the same single float operations in the same order,
 * and float-to-int truncation only sees values whose range is known, so it equals the x86 conversion the C code
 * uses. A block whose scale is subnormal (where 1/d may overflow) is left to the scalar path.
 */
final class LegacyVec {
    static final VectorSpecies<Float> F = pick();
    static final int L = F.length();
    static final boolean ENABLED = L == 4 || L == 8 || L == 16;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));

    private LegacyVec() {
    }

    private static VectorSpecies<Float> pick() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        return s.length() > 16 ? FloatVector.SPECIES_512 : s;
    }

    /** Whether 1/d is safe for the vector path: d is zero or a normal float. */
    static boolean normalScale(float d) {
        float a = Math.abs(d);
        return a == 0f || a >= Float.MIN_NORMAL;
    }

    /** Exact max |x| over 32 elements. */
    static float maxAbs32(float[] x, int xo) {
        FloatVector m = FloatVector.fromArray(F, x, xo).abs();
        for (int k = L; k < 32; k += L) {
            m = m.max(FloatVector.fromArray(F, x, xo + k).abs());
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /** The first element whose magnitude equals amax (0 when amax is 0), as ggml's strict-less scan finds it. */
    static float firstWithAbs(float[] x, int xo, float amax) {
        if (amax == 0f) {
            return 0f;
        }
        for (int k = 0; k < 32; k += L) {
            VectorMask<Float> hit = FloatVector.fromArray(F, x, xo + k).abs().compare(VectorOperators.EQ, amax);
            if (hit.anyTrue()) {
                return x[xo + k + hit.firstTrue()];
            }
        }
        throw new AssertionError("max not found");
    }

    private static IntVector trunc(FloatVector v) {
        return (IntVector) v.convertShape(VectorOperators.F2I, I, 0);
    }

    /** Stores the low byte of each of the L lanes of q at y[off, off+L). */
    private static void storeBytes(IntVector q, byte[] y, int off) {
        ByteVector b = (ByteVector) q.convertShape(VectorOperators.I2B, B, 0);
        if (B.length() == L) {
            b.intoArray(y, off);
        } else {
            b.intoArray(y, off, B.indexInRange(0, L));
        }
    }

    private static void storeNibbles(IntVector lo, IntVector hi, byte[] y, int off) {
        storeBytes(lo.or(hi.lanewise(VectorOperators.LSHL, 4)), y, off);
    }

    /**
     * Q8_0 block; returns false when the scalar path must do it. C's {@code roundf} is reproduced exactly: the
     * magnitude is split into its truncated integer part and the (exactly computed) fraction, and a fraction of at
     * least one half rounds the magnitude up; the sign is put back afterwards. The products are at most about 127 in
     * magnitude, so truncation is exact and no float addition can round.
     */
    static boolean q8_0(float[] x, int xo, byte[] y, int yo) {
        float amax = maxAbs32(x, xo);
        float d = amax / 127;
        if (!normalScale(d)) {
            return false;
        }
        float id = d != 0f ? 1.0f / d : 0f;
        Codec.putShort(y, yo, Codec.toHalf(d));
        for (int k = 0; k < 32; k += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + k).mul(id);
            FloatVector a = v.abs();
            IntVector t = trunc(a);
            FloatVector frac = a.sub((FloatVector) t.convertShape(VectorOperators.I2F, F, 0));
            IntVector q = t.add(1, frac.compare(VectorOperators.GE, 0.5f).cast(I));
            q = q.lanewise(VectorOperators.NEG, v.compare(VectorOperators.LT, 0f).cast(I));
            storeBytes(q, y, yo + 2 + k);
        }
        return true;
    }

    /** Q4_0 block; returns false when the scalar path must do it. */
    static boolean q4_0(float[] x, int xo, byte[] y, int yo) {
        float max = firstWithAbs(x, xo, maxAbs32(x, xo));
        float d = max / -8;
        if (!normalScale(d)) {
            return false;
        }
        float id = d != 0f ? 1.0f / d : 0f;
        Codec.putShort(y, yo, Codec.toHalf(d));
        for (int k = 0; k < 16; k += L) {
            IntVector q0 = trunc(FloatVector.fromArray(F, x, xo + k).mul(id).add(8.5f)).min(15);
            IntVector q1 = trunc(FloatVector.fromArray(F, x, xo + 16 + k).mul(id).add(8.5f)).min(15);
            storeNibbles(q0, q1, y, yo + 2 + k);
        }
        return true;
    }

    /** Q5_0 block; returns false when the scalar path must do it. */
    static boolean q5_0(float[] x, int xo, byte[] y, int yo) {
        float max = firstWithAbs(x, xo, maxAbs32(x, xo));
        float d = max / -16;
        if (!normalScale(d)) {
            return false;
        }
        float id = d != 0f ? 1.0f / d : 0f;
        Codec.putShort(y, yo, Codec.toHalf(d));
        long qh = 0;
        for (int k = 0; k < 16; k += L) {
            IntVector q0 = trunc(FloatVector.fromArray(F, x, xo + k).mul(id).add(16.5f)).min(31);
            IntVector q1 = trunc(FloatVector.fromArray(F, x, xo + 16 + k).mul(id).add(16.5f)).min(31);
            qh |= q0.and(0x10).compare(VectorOperators.NE, 0).toLong() << k;
            qh |= q1.and(0x10).compare(VectorOperators.NE, 0).toLong() << (16 + k);
            storeNibbles(q0.and(0x0f), q1.and(0x0f), y, yo + 6 + k);
        }
        LegacyCodecs.putInt(y, yo + 2, (int) qh);
        return true;
    }

    private static float min32(float[] x, int xo) {
        FloatVector m = FloatVector.fromArray(F, x, xo);
        for (int k = L; k < 32; k += L) {
            m = m.min(FloatVector.fromArray(F, x, xo + k));
        }
        return m.reduceLanes(VectorOperators.MIN);
    }

    private static float max32(float[] x, int xo) {
        FloatVector m = FloatVector.fromArray(F, x, xo);
        for (int k = L; k < 32; k += L) {
            m = m.max(FloatVector.fromArray(F, x, xo + k));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /** Q4_1 (levels 15) or Q5_1 (levels 31) block; returns false when the scalar path must do it. */
    static boolean q41or51(float[] x, int xo, byte[] y, int yo, int levels) {
        float min = min32(x, xo);
        float max = max32(x, xo);
        if (min == 0f || max == 0f) {
            return false; // the sign of a zero extreme depends on scan order
        }
        float d = (max - min) / levels;
        if (!normalScale(d)) {
            return false;
        }
        float id = d != 0f ? 1.0f / d : 0f;
        Codec.putShort(y, yo, Codec.toHalf(d));
        Codec.putShort(y, yo + 2, Codec.toHalf(min));
        if (levels == 15) {
            for (int k = 0; k < 16; k += L) {
                IntVector q0 = trunc(FloatVector.fromArray(F, x, xo + k).sub(min).mul(id).add(0.5f)).min(15);
                IntVector q1 = trunc(FloatVector.fromArray(F, x, xo + 16 + k).sub(min).mul(id).add(0.5f)).min(15);
                storeNibbles(q0, q1, y, yo + 4 + k);
            }
            return true;
        }
        long qh = 0;
        for (int k = 0; k < 16; k += L) {
            IntVector q0 = trunc(FloatVector.fromArray(F, x, xo + k).sub(min).mul(id).add(0.5f));
            IntVector q1 = trunc(FloatVector.fromArray(F, x, xo + 16 + k).sub(min).mul(id).add(0.5f));
            qh |= q0.and(0x10).compare(VectorOperators.NE, 0).toLong() << k;
            qh |= q1.and(0x10).compare(VectorOperators.NE, 0).toLong() << (16 + k);
            storeNibbles(q0.and(0x0f), q1.and(0x0f), y, yo + 8 + k);
        }
        LegacyCodecs.putInt(y, yo + 4, (int) qh);
        return true;
    }
}
