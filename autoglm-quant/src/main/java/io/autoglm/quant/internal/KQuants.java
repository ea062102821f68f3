package io.autoglm.quant.internal;

import static io.autoglm.quant.internal.Codec.nearestInt;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The search routines behind the K-quants (ggml's {@code make_qkx2_quants}, {@code make_qx_quants} with
 * rmse_type 1 and no weights, {@code make_q3_quants} with rmse on), in the same float arithmetic and order as
 * ggml's scalar reference so that the results match bit for bit. One instance per thread holds the scratch
 * arrays, so no block allocates.
 */
final class KQuants {
    static final float GROUP_MAX_EPS = 1e-15f;
    private static final VectorSpecies<Float> F = LegacyVec.F;
    private static final VectorSpecies<Integer> I = LegacyVec.I;
    private static final int L = LegacyVec.L;
    private static final boolean VEC = LegacyVec.ENABLED;
    private static final ThreadLocal<KQuants> SCRATCH = ThreadLocal.withInitial(KQuants::new);

    final int[] levels = new int[256];
    final int[] aux = new int[32];
    final float[] weights = new float[32];
    final float[] scales = new float[16];
    final float[] mins = new float[16];
    final float[] tmp0 = new float[32];
    final float[] tmp1 = new float[32];
    final float[] tmp2 = new float[32];
    final float[] tmp3 = new float[32];
    /** Second result of {@link #makeQkx2}: the (positive) offset to subtract. */
    float theMin;
    /** Results of {@link #symmetricPass}: sum of x²·x·l and of x²·l·l, summed in element order. */
    private float sumLx;
    private float sumL2;

    /** Lane-wise {@link Codec#nearestInt}: the same magic-number add and mantissa read. */
    private static IntVector nearestIntV(FloatVector v) {
        return v.add(12582912f).reinterpretAsInts().and(0x007fffff).sub(0x00400000);
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, F, 0);
    }

    /**
     * levels[lo + i] = clamp(nearest_int((x[xo+i] + dm) / d), qmin, qmax) + offset for i &lt; n, or with x/d when
     * {@code withMin} is false; the same float operations as ggml's final re-quantization pass.
     */
    void requantize(float[] x, int xo, int n, boolean withMin, float dm, float d, int qmin, int qmax, int offset, int lo) {
        final int[] lv = levels;
        int i = 0;
        if (VEC && n % L == 0) {
            for (; i < n; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + i);
                if (withMin) {
                    xv = xv.add(dm);
                }
                nearestIntV(xv.div(d)).max(qmin).min(qmax).add(offset).intoArray(lv, lo + i);
            }
            return;
        }
        for (; i < n; i++) {
            float v = withMin ? x[xo + i] + dm : x[xo + i];
            lv[lo + i] = Math.max(qmin, Math.min(qmax, Codec.nearestInt(v / d))) + offset;
        }
    }

    /**
     * One scalar pass of ggml's symmetric search: l = clamp(nearest_int(iscale * x), -nmax, nmax - 1) for each of
     * the n elements, stored as out[oo + i] = l + offset, with the x²-weighted sums accumulated in element order into
     * {@link #sumLx} and {@link #sumL2}.
     */
    private void symmetricPass(int n, int nmax, float[] x, int xo, float iscale, int[] out, int oo, int offset) {
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = nearestInt(iscale * v);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            out[oo + i] = l + offset;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        sumLx = sumlx;
        sumL2 = suml2;
    }

    static KQuants scratch() {
        return SCRATCH.get();
    }

    /**
     * Weighted least-squares search for scale and min of an asymmetric n-level grid over {@code x[xo, xo+n)}.
     * Writes levels into {@code levels[lo, lo+n)}, the min into {@link #theMin} and returns the scale.
     */
    float makeQkx2(int n, int nmax, float[] x, int xo, int lo, float rmin, float rdelta, int nstep, boolean useMad) {
        final float[] w = weights;
        final int[] lv = levels;
        final int[] la = aux;
        float min = x[xo];
        float max = x[xo];
        float sumW = w[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            float wi = w[i];
            sumW += wi;
            sumX += wi * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            Arrays.fill(lv, lo, lo + n, 0);
            theMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = nearestInt(iscale * (v - min));
            l = Math.max(0, Math.min(nmax, l));
            lv[lo + i] = l;
            float diff = scale * l + min - v;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += w[i] * diff;
        }
        final boolean vec = VEC && n % L == 0;
        final float[] t0 = tmp0;
        final float[] t1 = tmp1;
        final float[] t2 = tmp2;
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            if (vec) {
                for (int k = 0; k < n; k += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xo + k);
                    IntVector l = nearestIntV(xv.sub(min).mul(iscale)).max(0).min(nmax);
                    l.intoArray(la, k);
                    FloatVector lf = toFloat(l);
                    FloatVector wl = FloatVector.fromArray(F, w, k).mul(lf);
                    wl.intoArray(t0, k);
                    wl.mul(lf).intoArray(t1, k);
                    wl.mul(xv).intoArray(t2, k);
                }
                for (int i = 0; i < n; i++) {
                    sumL += t0[i];
                    sumL2 += t1[i];
                    sumXL += t2[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    int l = nearestInt(iscale * (v - min));
                    l = Math.max(0, Math.min(nmax, l));
                    la[i] = l;
                    float wi = w[i];
                    sumL += wi * l;
                    sumL2 += wi * l * l;
                    sumXL += wi * l * v;
                }
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                if (vec) {
                    for (int k = 0; k < n; k += L) {
                        FloatVector diff = toFloat(IntVector.fromArray(I, la, k)).mul(thisScale).add(thisMin)
                                .sub(FloatVector.fromArray(F, x, xo + k));
                        diff = useMad ? diff.abs() : diff.mul(diff);
                        FloatVector.fromArray(F, w, k).mul(diff).intoArray(t0, k);
                    }
                    for (int i = 0; i < n; i++) {
                        curError += t0[i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        float diff = thisScale * la[i] + thisMin - x[xo + i];
                        diff = useMad ? Math.abs(diff) : diff * diff;
                        curError += w[i] * diff;
                    }
                }
                if (curError < bestError) {
                    System.arraycopy(la, 0, lv, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin = -min;
        return scale;
    }

    /**
     * Symmetric signed grid of 2*nmax levels, scale refined by an x²-weighted search over 19 candidates
     * (ggml's make_qx_quants with rmse_type 1). Levels are stored offset by nmax.
     */
    float makeQx(int n, int nmax, float[] x, int xo, int lo) {
        final int[] lv = levels;
        float max = LegacyCodecs.signedMaxAbs(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(lv, lo, lo + n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        symmetricPass(n, nmax, x, xo, iscale, lv, lo, nmax);
        float sumlx = sumLx;
        float suml2 = sumL2;
        float scale = suml2 != 0f ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        final int[] la = aux;
        final boolean vec = VEC && n % L == 0;
        if (vec) {
            for (int k = 0; k < n; k += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + k);
                FloatVector w = xv.mul(xv);
                w.intoArray(tmp2, k);
                w.mul(xv).intoArray(tmp3, k);
            }
        }
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            if (vec) {
                for (int k = 0; k < n; k += L) {
                    IntVector l = nearestIntV(FloatVector.fromArray(F, x, xo + k).mul(iscale)).max(-nmax).min(nmax - 1);
                    l.intoArray(la, k);
                    FloatVector lf = toFloat(l);
                    FloatVector.fromArray(F, tmp3, k).mul(lf).intoArray(tmp0, k);
                    FloatVector.fromArray(F, tmp2, k).mul(lf).mul(lf).intoArray(tmp1, k);
                }
                for (int i = 0; i < n; i++) {
                    sumlx += tmp0[i];
                    suml2 += tmp1[i];
                }
            } else {
                symmetricPass(n, nmax, x, xo, iscale, la, 0, 0);
                sumlx = sumLx;
                suml2 = sumL2;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    lv[lo + i] = la[i] + nmax;
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Symmetric grid of 2*nmax levels refined by coordinate descent on the x²-weighted error
     * (ggml's make_q3_quants with do_rmse). Levels are stored offset by nmax.
     */
    float makeQ3(int n, int nmax, float[] x, int xo, int lo) {
        final int[] lv = levels;
        float max = LegacyCodecs.signedMaxAbs(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(lv, lo, lo + n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        symmetricPass(n, nmax, x, xo, iscale, lv, lo, 0);
        float sumlx = sumLx;
        float suml2 = sumL2;
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                float w = v * v;
                int li = lv[lo + i];
                float slx = sumlx - w * v * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int newL = nearestInt(v * sl2 / slx);
                    newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                    if (newL != li) {
                        slx += w * v * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            lv[lo + i] = newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            lv[lo + i] += nmax;
        }
        return suml2 > 0f ? sumlx / suml2 : 0f;
    }

    /** Packs 2-bit levels of one 256-element super-block the way Q2_K and Q3_K store them. */
    static void pack2bit(int[] lv, byte[] y, int qo) {
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; l++) {
                y[qo + j / 4 + l] = (byte) (lv[j + l] | (lv[j + l + 32] << 2) | (lv[j + l + 64] << 4) | (lv[j + l + 96] << 6));
            }
        }
    }

    /** The 6-bit scale (r=0) or min (r=1) of sub-block j from the 12-byte Q4_K/Q5_K scale field at so. */
    static int scaleMinK4(int j, byte[] q, int so, int r) {
        if (j < 4) {
            return q[so + j + 4 * r] & 63;
        }
        if (r == 0) {
            return (q[so + j + 4] & 0x0f) | (((q[so + j - 4] & 0xff) >> 6) << 4);
        }
        return ((q[so + j + 4] & 0xff) >> 4) | (((q[so + j] & 0xff) >> 6) << 4);
    }
}
