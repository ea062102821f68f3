package io.autoglm.bench;

import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.BlockCodec;
import io.autoglm.quant.BlockCodecs;
import io.autoglm.quant.RowQuantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Java block codecs against ggml's reference functions ({@code quantize_row_<t>_ref}, {@code dequantize_row_<t>}) of
 * the bundled llama.cpp b4916, side by side in one run. Each operation handles a 256 x 4096 slice (1,048,576 floats,
 * 4 MiB of fp32 input) of a 4096 x 4096 N(0,1) matrix; MB/s of float input = 4.194304 / (seconds per op).
 *
 * <pre>
 * ./mvnw -q -pl autoglm-bench -am -DskipTests package
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
 *     -jar autoglm-bench/target/benchmarks.jar QuantizeBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class QuantizeBenchmark {
    /** Columns of the matrix (one row). */
    static final int COLS = 4096;
    /** Rows per benchmark operation (a slice of the 4096-row matrix). */
    static final int ROWS = 256;
    static final int N = ROWS * COLS;

    @Param({"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    private BlockCodec codec;
    private float[] src;
    private byte[] packed;
    private float[] restored;
    private RowQuantizer twoThreads;

    private Arena arena;
    private MemorySegment nativeSrc;
    private MemorySegment nativePacked;
    private MemorySegment nativeRestored;
    private MethodHandle nativeQuantize;
    private MethodHandle nativeDequantize;

    @Setup(Level.Trial)
    public void setup() throws Throwable {
        GgmlType t = GgmlType.valueOf(type);
        codec = BlockCodecs.of(t);
        // the first 256 rows of a seeded 4096 x 4096 N(0,1) matrix
        src = new float[N];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            double u = r.nextDouble();
            double v = r.nextDouble();
            src[i] = (float) (Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v));
        }
        int bytes = (int) t.rowSize(N);
        packed = new byte[bytes];
        restored = new float[N];
        twoThreads = new RowQuantizer(2);

        arena = Arena.ofShared();
        nativeSrc = arena.allocate((long) N * 4, 64);
        MemorySegment.copy(src, 0, nativeSrc, ValueLayout.JAVA_FLOAT, 0, N);
        nativePacked = arena.allocate(bytes, 64);
        nativeRestored = arena.allocate((long) N * 4, 64);
        nativeQuantize = NativeGgmlQuants.quantizer(t);
        nativeDequantize = NativeGgmlQuants.dequantizer(t);

        // both sides must agree before anything is timed
        codec.quantize(src, 0, packed, 0, N);
        nativeQuantize.invokeExact(nativeSrc, nativePacked, (long) N);
        if (!java.util.Arrays.equals(packed, nativePacked.toArray(ValueLayout.JAVA_BYTE))) {
            throw new IllegalStateException(type + ": Java and native bytes differ");
        }
        MemorySegment.copy(packed, 0, nativePacked, ValueLayout.JAVA_BYTE, 0, bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        twoThreads.close();
        arena.close();
    }

    @Benchmark
    public byte[] javaQuantize() {
        codec.quantize(src, 0, packed, 0, N);
        return packed;
    }

    @Benchmark
    public byte[] javaQuantize2Threads() {
        twoThreads.quantize(codec, src, 0, ROWS, COLS, packed, 0);
        return packed;
    }

    @Benchmark
    public MemorySegment nativeQuantize() throws Throwable {
        nativeQuantize.invokeExact(nativeSrc, nativePacked, (long) N);
        return nativePacked;
    }

    @Benchmark
    public float[] javaDequantize() {
        codec.dequantize(packed, 0, restored, 0, N);
        return restored;
    }

    @Benchmark
    public MemorySegment nativeDequantize() throws Throwable {
        nativeDequantize.invokeExact(nativePacked, nativeRestored, (long) N);
        return nativeRestored;
    }
}
