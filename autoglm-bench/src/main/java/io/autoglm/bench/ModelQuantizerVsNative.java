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
 * ratio. The quantizer's time includes reading the memory-mapped input and writing the output file.
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
     *             temporary folder)
     * @throws Throwable on failure
     */
    public static void main(String[] args) throws Throwable {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = args.length > 1 ? Files.createTempDirectory(Path.of(args[1]), "autoglm-qbench")
                : Files.createTempDirectory("autoglm-qbench");
        Path in = dir.resolve("matrix-f32.gguf");
        Path out = dir.resolve("out.gguf");
        float[] src = matrix();
        writeModel(in, src);
        Map<GgmlType, Quantization> cases = new LinkedHashMap<>();
        cases.put(GgmlType.Q8_0, Quantization.Q8_0);
        cases.put(GgmlType.Q4_0, Quantization.Q4_0);
        cases.put(GgmlType.Q4_K, Quantization.Q4_K_S); // --pure: every matrix gets the base type Q4_K
        cases.put(GgmlType.Q6_K, Quantization.Q6_K);
        double mb = (double) N * N * 4 / 1e6;
        System.out.printf(Locale.ROOT, "%-5s %14s %18s %7s%n", "type", "native 1T MB/s", "quantizer 2T MB/s", "ratio");
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
                double bestJava = Double.MAX_VALUE;
                for (int i = 0; i < reps; i++) {
                    QuantizationResult r = ModelQuantizer.builder().input(in).output(out).preset(c.getValue()).pure(true)
                            .threads(2).build().quantize();
                    if (r.tensorsPerType().getOrDefault(t, 0) != 1) {
                        throw new IllegalStateException("expected the matrix as " + t + ", got " + r.tensorsPerType());
                    }
                    bestJava = Math.min(bestJava, r.elapsed().toNanos() / 1e9);
                }
                System.out.printf(Locale.ROOT, "%-5s %14.0f %18.0f %6.2fx%n", t, mb / bestNative, mb / bestJava,
                        bestNative / bestJava);
            }
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
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

    private static void writeModel(Path path, float[] m) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "quantizer-bench");
        w.putUint32("general.file_type", 0);
        w.putUint32("llama.block_count", 1);
        w.putUint32("llama.embedding_length", N);
        w.putUint32("llama.attention.head_count", 32);
        w.putUint32("llama.attention.head_count_kv", 32);
        w.addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {N, N}, o -> {
            ByteBuffer b = ByteBuffer.allocate(N * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int row = 0; row < N; row++) {
                b.clear();
                b.asFloatBuffer().put(m, row * N, N);
                b.position(N * 4);
                o.write(b.flip());
            }
        });
        w.write(path);
    }
}
