package io.autoglm.bench;

import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.quant.ModelQuantizer;
import io.autoglm.quant.QuantizationResult;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The full {@link ModelQuantizer} (GGUF in, GGUF out, 2 threads, {@code --pure}) on a one-tensor model holding a
 * 4096 x 4096 N(0,1) F32 matrix, side by side with ggml's single-thread reference {@code quantize_row_<t>_ref} over
 * the same matrix (bundled llama.cpp b4916, through FFM). Prints MB/s of F32 input (best of the repetitions) and the
 * ratio, for durable output (synced to the device before the rename, the default) and without the syncs
 * ({@code durable(false)}). The quantizer's time includes opening and reading the input and writing the output file;
 * each run writes a new file (the previous output is deleted, and the deletion synced, before the clock starts:
 * replacing an existing file adds the file system's cost of freeing its blocks, about 4 ms for 9 MB here).
 *
 * <pre>
 * ./mvnw -q -pl autoglm-bench -am -DskipTests package
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
 *     -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.ModelQuantizerVsNative [repetitions [folder]]
 * </pre>
 */
public final class ModelQuantizerVsNative {
    static final int N = 4096;

    private ModelQuantizerVsNative() {
    }

    /**
     * @param args optional repetitions per side (default 3), then optional folder for the model files (default: the
     *             temporary folder; {@code -} for the default), then optional number of 4096 x 4096 matrices in the
     *             model (default 1; more show the streaming rate once the per-file costs are spread)
     * @throws Throwable on failure
     */
    public static void main(String[] args) throws Throwable {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = args.length > 1 && !args[1].equals("-") ? Files.createTempDirectory(Path.of(args[1]), "autoglm-qbench")
                : Files.createTempDirectory("autoglm-qbench");
        int matrices = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path in = dir.resolve("matrix-f32.gguf");
        Path out = dir.resolve("out.gguf");
        float[] src = matrix();
        writeModel(in, src, matrices);
        Map<GgmlType, Quantization> cases = new LinkedHashMap<>();
        cases.put(GgmlType.Q8_0, Quantization.Q8_0);
        cases.put(GgmlType.Q4_0, Quantization.Q4_0);
        cases.put(GgmlType.Q4_K, Quantization.Q4_K_S); // --pure: every matrix gets the base type Q4_K
        cases.put(GgmlType.Q6_K, Quantization.Q6_K);
        double mb = (double) N * N * 4 / 1e6;
        double modelMb = mb * matrices;
        System.out.printf(Locale.ROOT, "model: %d matrices of %d x %d F32 (%.0f MB)%n", matrices, N, N, modelMb);
        System.out.printf(Locale.ROOT, "%-5s %14s %20s %7s %22s %7s%n", "type", "native 1T MB/s", "durable 2T MB/s",
                "ratio", "not durable 2T MB/s", "ratio");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nSrc = arena.allocate((long) N * N * 4, 64);
            MemorySegment.copy(src, 0, nSrc, ValueLayout.JAVA_FLOAT, 0, src.length);
            for (Map.Entry<GgmlType, Quantization> c : cases.entrySet()) {
                GgmlType t = c.getKey();
                MemorySegment nDst = arena.allocate(t.rowSize((long) N * N), 64);
                MethodHandle q = NativeGgmlQuants.quantizer(t);
                double bestNative = Double.MAX_VALUE;
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    q.invokeExact(nSrc, nDst, (long) N * N);
                    bestNative = Math.min(bestNative, (System.nanoTime() - t0) / 1e9);
                }
                double bestDurable = Double.MAX_VALUE;
                double bestFast = Double.MAX_VALUE;
                for (int i = 0; i < reps; i++) {
                    bestDurable = Math.min(bestDurable, quantize(in, out, c.getValue(), t, matrices, true));
                    bestFast = Math.min(bestFast, quantize(in, out, c.getValue(), t, matrices, false));
                }
                double nativeRate = mb / bestNative;
                System.out.printf(Locale.ROOT, "%-5s %14.0f %20.0f %6.2fx %22.0f %6.2fx%n", t, nativeRate, modelMb / bestDurable,
                        modelMb / bestDurable / nativeRate, modelMb / bestFast, modelMb / bestFast / nativeRate);
            }
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    /** One timed run into a new file; returns seconds. */
    private static double quantize(Path in, Path out, Quantization preset, GgmlType expected, int matrices, boolean durable)
            throws IOException, InterruptedException {
        Files.deleteIfExists(out);
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        QuantizationResult r = ModelQuantizer.builder().input(in).output(out).preset(preset).pure(true).threads(2)
                .durable(durable).build().quantize();
        if (r.tensorsPerType().getOrDefault(expected, 0) != matrices) {
            throw new IllegalStateException("expected every matrix as " + expected + ", got " + r.tensorsPerType());
        }
        return r.elapsed().toNanos() / 1e9;
    }

    /** The seeded 4096 x 4096 N(0,1) matrix of {@link QuantizeBenchmark} (Box-Muller, seed 42). */
    static float[] matrix() {
        float[] m = new float[N * N];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < m.length; i++) {
            double u = r.nextDouble();
            double v = r.nextDouble();
            m[i] = (float) (Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v));
        }
        return m;
    }

    private static void writeModel(Path path, float[] m, int matrices) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "quantizer-bench");
        w.putUint32("general.file_type", 0);
        w.putUint32("llama.block_count", matrices);
        w.putUint32("llama.embedding_length", N);
        w.putUint32("llama.attention.head_count", 32);
        w.putUint32("llama.attention.head_count_kv", 32);
        for (int i = 0; i < matrices; i++) {
            w.addTensor("blk." + i + ".attn_q.weight", GgmlType.F32, new long[] {N, N}, o -> {
                ByteBuffer b = ByteBuffer.allocate(N * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int row = 0; row < N; row++) {
                    b.clear();
                    b.asFloatBuffer().put(m, row * N, N);
                    b.position(N * 4);
                    o.write(b.flip());
                }
            });
        }
        w.write(path);
    }
}
