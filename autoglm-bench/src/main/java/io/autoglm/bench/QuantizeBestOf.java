package io.autoglm.bench;

import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.BlockCodec;
import io.autoglm.quant.BlockCodecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A quick cross-check of {@link QuantizeBenchmark} that is less sensitive to load bursts on a shared machine: for
 * each type, 4 s of warm-up, then the best of 5 single operations on the same 1,048,576-float N(0,1) slice, Java and
 * native one after the other.
 *
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
 *     -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.QuantizeBestOf [Q4_K,Q6_K,...]
 * </pre>
 */
public final class QuantizeBestOf {
    private QuantizeBestOf() {
    }

    /** @param args optional comma-separated type list */
    public static void main(String[] args) throws Throwable {
        int n = QuantizeBenchmark.N;
        float[] src = new float[n];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            double v = r.nextDouble();
            src[i] = (float) (Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v));
        }
        String[] types = args.length > 0 ? args[0].split(",")
                : new String[] {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"};
        double mb = n * 4 / 1e6;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSrc = arena.allocate((long) n * 4, 64);
            MemorySegment.copy(src, 0, nativeSrc, ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment nativeOut = arena.allocate((long) n * 4, 64);
            for (String name : types) {
                GgmlType t = GgmlType.valueOf(name.trim());
                BlockCodec c = BlockCodecs.of(t);
                byte[] packed = new byte[(int) t.rowSize(n)];
                float[] back = new float[n];
                MemorySegment nativePacked = arena.allocate(packed.length, 64);
                MethodHandle q = NativeGgmlQuants.quantizer(t);
                MethodHandle dq = NativeGgmlQuants.dequantizer(t);
                double jq = bestOf(() -> c.quantize(src, 0, packed, 0, n));
                double jd = bestOf(() -> c.dequantize(packed, 0, back, 0, n));
                double nq = bestOf(() -> invoke(q, nativeSrc, nativePacked, n));
                double nd = bestOf(() -> invoke(dq, nativePacked, nativeOut, n));
                System.out.printf(Locale.ROOT, "%-5s java q %9.1f MB/s dq %9.1f MB/s | native q %9.1f dq %9.1f | ratio q %.2f dq %.2f%n",
                        name, mb / jq, mb / jd, mb / nq, mb / nd, nq / jq, nd / jd);
            }
        }
    }

    private static void invoke(MethodHandle h, MemorySegment a, MemorySegment b, int n) {
        try {
            h.invokeExact(a, b, (long) n);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static double bestOf(Runnable op) {
        long end = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < end) {
            op.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            op.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
