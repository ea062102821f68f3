package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.gguf.GgmlType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowQuantizerTest {

    private static float[] normal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) BlockCodecBitExactnessTest.gauss(r);
        }
        return x;
    }

    @Test
    void quantize_withSeveralThreads_givesTheSameBytesAsOneCall() {
        int rows = 96;
        int cols = 1024;
        float[] x = normal(rows * cols, 1);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K}) {
            BlockCodec codec = BlockCodecs.of(t);
            byte[] single = new byte[(int) t.rowSize((long) rows * cols)];
            codec.quantize(x, 0, single, 0, rows * cols);
            for (int threads : new int[] {1, 2, 3, 8}) {
                byte[] multi = new byte[single.length];
                BlockCodecs.quantizeRows(codec, x, rows, cols, multi, threads);
                assertThat(multi).as(t + " with " + threads + " threads").isEqualTo(single);
            }
            float[] back1 = new float[rows * cols];
            codec.dequantize(single, 0, back1, 0, rows * cols);
            float[] back3 = new float[rows * cols];
            try (RowQuantizer rq = new RowQuantizer(3)) {
                rq.dequantize(codec, single, 0, rows, cols, back3, 0);
            }
            assertThat(back3).isEqualTo(back1);
        }
    }

    /** Writes {@code x} as F32 or F16 rows after a 100-byte prefix. */
    private static java.nio.file.Path rowsFile(java.nio.file.Path dir, float[] x, GgmlType as) throws java.io.IOException {
        byte[] body = new byte[(int) as.rowSize(x.length)];
        if (as == GgmlType.F32) { // raw, so that non-finite values can be stored too
            java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(x);
        } else {
            BlockCodecs.of(as).quantize(x, 0, body, 0, x.length);
        }
        byte[] file = new byte[100 + body.length];
        System.arraycopy(body, 0, file, 100, body.length);
        return java.nio.file.Files.write(dir.resolve(as + ".bin"), file);
    }

    @Test
    void convert_readsRowsFromTheFile_andGivesTheSameBytesAsQuantizingInMemory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        int rows = 300; // several read groups per thread and a ragged last group
        int cols = 4096;
        float[] x = normal(rows * cols, 3);
        for (GgmlType from : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
            java.nio.file.Path file = rowsFile(dir, x, from);
            float[] source = new float[x.length];
            BlockCodecs.of(from).dequantize(java.nio.file.Files.readAllBytes(file), 100, source, 0, x.length);
            for (GgmlType to : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_K}) {
                BlockCodec codec = BlockCodecs.of(to);
                int rowBytes = (int) to.rowSize(cols);
                byte[] expected = new byte[rows * rowBytes];
                codec.quantize(source, 0, expected, 0, source.length);
                for (int threads : new int[] {1, 2, 5}) {
                    byte[] got = new byte[expected.length];
                    int[] seen = new int[rows];
                    try (RowQuantizer rq = new RowQuantizer(threads);
                            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                        rq.convert(ch, 100, BlockCodecs.of(from), rows, cols, codec, (first, bytes, len) -> {
                            assertThat(len % rowBytes).isZero();
                            synchronized (seen) {
                                for (int r = first; r < first + len / rowBytes; r++) {
                                    seen[r]++;
                                }
                                System.arraycopy(bytes, 0, got, first * rowBytes, len);
                            }
                        });
                    }
                    assertThat(seen).as("every row delivered once").containsOnly(1);
                    assertThat(got).as(from + " -> " + to + " on " + threads + " threads").isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void convert_ofATruncatedFile_orNaNRows_failsWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        int rows = 64;
        int cols = 1024;
        float[] x = normal(rows * cols, 4);
        java.nio.file.Path file = rowsFile(dir, x, GgmlType.F32);
        BlockCodec f32 = BlockCodecs.of(GgmlType.F32);
        BlockCodec q8 = BlockCodecs.of(GgmlType.Q8_0);
        try (RowQuantizer rq = new RowQuantizer(2); java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            assertThatThrownBy(() -> rq.convert(ch, 100 + 4096, f32, rows, cols, q8, (a, b, c) -> { }))
                    .isInstanceOf(java.io.EOFException.class).hasMessageContaining("input ends at byte");
            java.io.IOException sinkFailure = new java.io.IOException("disk full");
            assertThatThrownBy(() -> rq.convert(ch, 100, f32, rows, cols, q8, (a, b, c) -> {
                throw sinkFailure;
            })).isSameAs(sinkFailure);
        }
        x[41 * cols + 7] = Float.POSITIVE_INFINITY;
        java.nio.file.Path bad = rowsFile(java.nio.file.Files.createDirectory(dir.resolve("bad")), x, GgmlType.F32);
        try (RowQuantizer rq = new RowQuantizer(2); java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(bad)) {
            assertThatThrownBy(() -> rq.convert(ch, 100, f32, rows, cols, q8, (a, b, c) -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 41").hasMessageContaining("element 7 ");
        }
    }

    @Test
    void convert_interruptedWhileAWorkerIsStillInTheSink_returnsOnlyAfterThatWorkerHasFinished(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // the caller must not leave pool threads running the call (and calling the sink) behind it: the sink's
        // buffers and the output it writes to may be gone once convert has thrown
        int rows = 256;
        int cols = 1024;
        java.nio.file.Path file = rowsFile(dir, normal(rows * cols, 6), GgmlType.F32);
        Thread caller = Thread.currentThread();
        java.util.concurrent.CountDownLatch workerInSink = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
        boolean[] interruptSent = {false};
        RowQuantizer.RowsSink sink = (first, bytes, len) -> {
            active.incrementAndGet();
            try {
                if (Thread.currentThread() != caller) {
                    workerInSink.countDown();
                    long until = System.nanoTime() + 300_000_000L; // busy, like a write that is not interruptible
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                } else if (!interruptSent[0]) {
                    interruptSent[0] = true;
                    try {
                        assertThat(workerInSink.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    caller.interrupt();
                }
            } finally {
                active.decrementAndGet();
            }
        };
        Throwable thrown;
        int stillActive;
        boolean interruptKept;
        try (RowQuantizer rq = new RowQuantizer(2); java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> rq.convert(ch, 100, BlockCodecs.of(GgmlType.F32), rows, cols, BlockCodecs.of(GgmlType.Q8_0), sink));
            stillActive = active.get();
            interruptKept = Thread.interrupted();
        }
        assertThat(interruptSent[0]).isTrue();
        assertThat(thrown).isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
        assertThat(stillActive).as("sink calls still running when convert threw").isZero();
        assertThat(interruptKept).as("the interrupt status is kept").isTrue();
    }

    @Test
    void quantize_withNaN_namesRowAndColumn() {
        int rows = 64;
        int cols = 512;
        float[] x = normal(rows * cols, 2);
        x[37 * cols + 300] = Float.NaN;
        byte[] out = new byte[(int) GgmlType.Q4_0.rowSize((long) rows * cols)];
        try (RowQuantizer rq = new RowQuantizer(2)) {
            assertThatThrownBy(() -> rq.quantize(BlockCodecs.of(GgmlType.Q4_0), x, 0, rows, cols, out, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("row 37")
                    .hasMessageContaining("element 300 ");
        }
    }

    @Test
    void constructorAndShapes_areValidated_andCloseIsIdempotent() {
        assertThatThrownBy(() -> new RowQuantizer(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads must be in [1, 1024], was 0");
        RowQuantizer rq = new RowQuantizer(2);
        BlockCodec q4k = BlockCodecs.of(GgmlType.Q4_K);
        assertThatThrownBy(() -> rq.quantize(q4k, new float[1000], 0, 2, 500, new byte[1000], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 256");
        assertThatThrownBy(() -> rq.quantize(q4k, new float[256], 0, 2, 256, new byte[1000], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        rq.close();
        rq.close();
        assertThatThrownBy(() -> rq.quantize(q4k, new float[256], 0, 1, 256, new byte[144], 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void of_unsupportedType_isRejected() {
        assertThatThrownBy(() -> BlockCodecs.of(GgmlType.IQ2_XXS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IQ2_XXS");
        assertThat(BlockCodecs.supported()).hasSize(13).contains(GgmlType.Q4_K, GgmlType.BF16);
        assertThat(BlockCodecs.isSupported(GgmlType.Q8_K)).isFalse();
    }
}
