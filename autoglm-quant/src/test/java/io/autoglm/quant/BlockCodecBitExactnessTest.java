package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.autoglm.gguf.GgmlType;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java codec against ggml's own reference code (llama.cpp b4916 through FFM): identical quantized bytes and
 * bit-identical dequantized floats on many seeded inputs of many shapes and magnitudes.
 */
class BlockCodecBitExactnessTest {

    static Stream<GgmlType> types() {
        return Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1,
                GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    }

    /** A named input family; {@code fill} writes n values. */
    record Family(String name, Filler fill) {
    }

    interface Filler {
        void fill(float[] x, int n, SplittableRandom r, int blockSize);
    }

    static double gauss(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    static Filler each(java.util.function.ToDoubleFunction<SplittableRandom> f) {
        return (x, n, r, b) -> {
            for (int i = 0; i < n; i++) {
                x[i] = (float) f.applyAsDouble(r);
            }
        };
    }

    static Filler scaled(double scale) {
        return (x, n, r, b) -> {
            for (int i = 0; i < n; i++) {
                x[i] = (float) (gauss(r) * scale);
            }
        };
    }

    static final List<Family> FAMILIES = List.of(
            new Family("normal", scaled(1)),
            new Family("normal*0.02", scaled(0.02)),
            new Family("uniform[-1,1)", each(r -> r.nextDouble(-1, 1))),
            new Family("uniform[0,3) positive", each(r -> r.nextDouble(0, 3))),
            new Family("uniform[-5,-1) negative", each(r -> r.nextDouble(-5, -1))),
            new Family("cauchy", each(r -> Math.tan(Math.PI * (r.nextDouble() - 0.5)))),
            new Family("student-t3", each(r -> {
                double z = gauss(r);
                double c = 0;
                for (int k = 0; k < 3; k++) {
                    double g = gauss(r);
                    c += g * g;
                }
                return z / Math.sqrt(c / 3);
            })),
            new Family("all zero", (x, n, r, b) -> java.util.Arrays.fill(x, 0, n, 0f)),
            new Family("negative zero", (x, n, r, b) -> java.util.Arrays.fill(x, 0, n, -0f)),
            new Family("constant", (x, n, r, b) -> java.util.Arrays.fill(x, 0, n, (float) gauss(r))),
            new Family("constant per block", (x, n, r, b) -> {
                for (int i = 0; i < n; i += b) {
                    java.util.Arrays.fill(x, i, i + b, (float) (gauss(r) * 3));
                }
            }),
            new Family("tiny 1e-30", scaled(1e-30)),
            new Family("subnormal 1e-40", scaled(1e-40)),
            new Family("huge 1e30", scaled(1e30)),
            new Family("near fp16 overflow", scaled(65504.0 * 7)),
            new Family("around 65504", each(r -> (r.nextBoolean() ? 1 : -1) * r.nextDouble(60000, 70000))),
            new Family("block magnitudes 1e-20..1e20", (x, n, r, b) -> {
                for (int i = 0; i < n; i += 16) {
                    double s = Math.pow(10, r.nextDouble(-20, 20));
                    for (int j = i; j < Math.min(n, i + 16); j++) {
                        x[j] = (float) (gauss(r) * s);
                    }
                }
            }),
            new Family("quarter steps (rounding ties)", each(r -> Math.rint(gauss(r) * 8) / 4)),
            new Family("small integers", each(r -> r.nextInt(-16, 17))),
            new Family("sparse spikes", each(r -> r.nextInt(20) == 0 ? gauss(r) * 50 : 0)),
            new Family("mostly zero, few small", each(r -> r.nextInt(5) == 0 ? gauss(r) * 1e-3 : 0)),
            new Family("one outlier per block", (x, n, r, b) -> {
                for (int i = 0; i < n; i++) {
                    x[i] = (float) gauss(r);
                }
                for (int i = 0; i < n; i += b) {
                    x[i + r.nextInt(b)] = (float) (r.nextBoolean() ? 1e4 : -1e4);
                }
            }));

    private static final int[] BLOCK_COUNTS = {1, 2, 3, 7, 16, 33, 64};

    @ParameterizedTest
    @MethodSource("types")
    void quantize_matchesGgmlReferenceBytes_andDequantizeMatchesBitwise(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int bs = type.isQuantized() ? type.blockSize() : 32;
        SplittableRandom seeds = new SplittableRandom(0x5eed0000L + type.id());
        float[] x = new float[64 * bs];
        float[] javaOut = new float[64 * bs];
        int cases = 0;
        for (Family f : FAMILIES) {
            for (int blocks : BLOCK_COUNTS) {
                long seed = seeds.nextLong();
                int n = blocks * bs;
                f.fill().fill(x, n, new SplittableRandom(seed), bs);
                String what = type + " " + f.name() + " n=" + n + " seed=" + seed;
                byte[] expected = NativeQuants.quantize(type, x, n);
                byte[] actual = new byte[expected.length];
                try {
                    codec.quantize(x, 0, actual, 0, n);
                } catch (IllegalArgumentException e) {
                    throw new AssertionError(what + ": " + e.getMessage(), e);
                }
                assertSameBytes(type, expected, actual, what);

                float[] ref = NativeQuants.dequantize(type, expected, n);
                codec.dequantize(actual, 0, javaOut, 0, n);
                assertSameFloats(ref, javaOut, n, what + " (dequantize)");
                cases++;
            }
        }
        assertThat(cases).isEqualTo(FAMILIES.size() * BLOCK_COUNTS.length);
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantize_largeRowsOfSeveralDistributions_matchGgml(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int n = 32 * 4096; // 32 rows of 4096
        float[] x = new float[n];
        float[] back = new float[n];
        int bs = Math.max(type.blockSize(), 32);
        for (String name : List.of("normal", "student-t3", "uniform[-1,1)", "block magnitudes 1e-20..1e20")) {
            Family f = FAMILIES.stream().filter(fam -> fam.name().equals(name)).findFirst().orElseThrow();
            long seed = 0xb16L * type.id() + name.hashCode();
            f.fill().fill(x, n, new SplittableRandom(seed), bs);
            byte[] expected = NativeQuants.quantize(type, x, n);
            byte[] actual = new byte[expected.length];
            codec.quantize(x, 0, actual, 0, n);
            assertSameBytes(type, expected, actual, type + " bulk " + name + " seed=" + seed);
            codec.dequantize(actual, 0, back, 0, n);
            assertSameFloats(NativeQuants.dequantize(type, expected, n), back, n, type + " bulk " + name + " (dequantize)");
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantize_atOffsets_matchesQuantizeAtZero(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int bs = type.blockSize();
        int n = 4 * Math.max(bs, 32);
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[n + 13];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gauss(r);
        }
        byte[] atZero = new byte[(int) type.rowSize(n)];
        codec.quantize(java.util.Arrays.copyOfRange(x, 13, 13 + n), 0, atZero, 0, n);
        byte[] shifted = new byte[atZero.length + 5];
        codec.quantize(x, 13, shifted, 5, n);
        assertThat(java.util.Arrays.copyOfRange(shifted, 5, shifted.length)).isEqualTo(atZero);
        float[] back = new float[n + 3];
        codec.dequantize(shifted, 5, back, 3, n);
        assertSameFloats(NativeQuants.dequantize(type, atZero, n), java.util.Arrays.copyOfRange(back, 3, n + 3), n,
                type + " dequantize at offsets");
    }

    @org.junit.jupiter.api.Test
    void q8_0_roundingTiesAndJustBelowHalf_matchGgmlRoundf() {
        // amax 127 gives scale 1 and inverse 1, so each value reaches roundf unchanged: exact halves must round away
        // from zero and the float just below each half must round towards zero (a float "+0.5 then floor" gets
        // 0.49999997 wrong)
        int n = 32 * 64;
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(8);
        for (int b = 0; b < n; b += 32) {
            x[b] = r.nextBoolean() ? 127f : -127f;
            for (int j = 1; j < 32; j++) {
                float half = r.nextInt(127) + 0.5f;
                float v = switch (r.nextInt(4)) {
                    case 0 -> half;
                    case 1 -> Math.nextDown(half);
                    case 2 -> Math.nextUp(half);
                    default -> Math.nextDown(0.5f);
                };
                x[b + j] = r.nextBoolean() ? v : -v;
            }
        }
        BlockCodec codec = BlockCodecs.of(GgmlType.Q8_0);
        byte[] out = new byte[(int) GgmlType.Q8_0.rowSize(n)];
        codec.quantize(x, 0, out, 0, n);
        assertSameBytes(GgmlType.Q8_0, NativeQuants.quantize(GgmlType.Q8_0, x, n), out, "Q8_0 rounding ties");
    }

    @ParameterizedTest
    @MethodSource("types")
    void dequantize_ofRandomBytes_matchesGgmlBitwise(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        SplittableRandom r = new SplittableRandom(0xdecaf + type.id());
        int n = 16 * Math.max(type.blockSize(), 32);
        byte[] q = new byte[(int) type.rowSize(n)];
        float[] out = new float[n];
        for (int iter = 0; iter < 40; iter++) {
            r.nextBytes(q);
            if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
                clearNonFiniteHalves(type, q);
            }
            codec.dequantize(q, 0, out, 0, n);
            assertSameFloats(NativeQuants.dequantize(type, q, n), out, n, type + " random bytes iteration " + iter);
        }
    }

    /** Random fp16 scales may be NaN/Inf, which ggml's row validation rejects on load; keep them finite. */
    private static void clearNonFiniteHalves(GgmlType type, byte[] q) {
        int[] halfOffsets = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        for (int b = 0; b < q.length; b += type.typeSize()) {
            for (int o : halfOffsets) {
                q[b + o + 1] &= (byte) 0xbb; // exponent bits 0x7c00 never all set
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantize_rejectsNaNAndInfinity_namingTheElement(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int bs = Math.max(type.blockSize(), 32);
        int n = 3 * bs;
        byte[] out = new byte[(int) type.rowSize(n)];
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7f800001)}) {
            for (int pos : new int[] {0, bs + 5, n - 1}) {
                float[] x = new float[n];
                java.util.Arrays.fill(x, 0.5f);
                x[pos] = bad;
                assertThatThrownBy(() -> codec.quantize(x, 0, out, 0, n))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("element " + pos + " ")
                        .hasMessageContaining(String.valueOf(bad));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void badSizes_areRejectedWithClearMessages(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int bs = type.blockSize();
        float[] x = new float[1024];
        byte[] q = new byte[4096];
        if (bs > 1) {
            assertThatThrownBy(() -> codec.quantize(x, 0, q, 0, bs + 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("multiple of " + bs);
            assertThatThrownBy(() -> codec.dequantize(q, 0, x, 0, bs - 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("multiple of " + bs);
        }
        assertThatThrownBy(() -> codec.quantize(x, 0, q, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.quantize(x, 1000, q, 0, 256)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> codec.quantize(x, 0, new byte[1], 0, 256)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> codec.dequantize(new byte[1], 0, x, 0, 256)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> codec.quantize(null, 0, q, 0, 256)).isInstanceOf(NullPointerException.class);
        assertThat(codec.type()).isEqualTo(type);
    }

    static void assertSameBytes(GgmlType type, byte[] expected, byte[] actual, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                int bsz = type.typeSize();
                int block = i / bsz;
                int from = block * bsz;
                int to = Math.min(expected.length, from + bsz);
                HexFormat hex = HexFormat.of();
                fail(what + ": first difference in block " + block + " at byte " + (i - from) + " of the block (offset " + i
                        + "): native=" + String.format("%02x", expected[i]) + " java=" + String.format("%02x", actual[i])
                        + "\n native block: " + hex.formatHex(expected, from, to)
                        + "\n java   block: " + hex.formatHex(actual, from, to));
            }
        }
    }

    static void assertSameFloats(float[] expected, float[] actual, int n, String what) {
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": first difference at element " + i + ": native=" + expected[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") java=" + actual[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

}
