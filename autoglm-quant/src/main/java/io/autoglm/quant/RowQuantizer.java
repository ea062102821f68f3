package io.autoglm.quant;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Quantizes or dequantizes the rows of a matrix in parallel. Rows are independent, so the bytes are the same
 * for every thread count. The calling thread works too; {@code threads - 1} pool threads help it. Reuse one
 * instance for many tensors and close it at the end.
 *
 * <pre>{@code
 * try (RowQuantizer rq = new RowQuantizer(Runtime.getRuntime().availableProcessors())) {
 *     rq.quantize(BlockCodecs.of(GgmlType.Q4_K), weights, 0, rows, cols, out, 0);
 * }
 * }</pre>
 */
public final class RowQuantizer implements AutoCloseable {
    /** Below this many elements a call runs on the calling thread only. */
    private static final int MIN_PARALLEL_ELEMENTS = 1 << 15;

    private final int threads;
    private final ExecutorService pool;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param threads number of threads working on one call, 1 to 1024
     * @throws IllegalArgumentException when {@code threads} is out of range
     */
    public RowQuantizer(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024], was " + threads);
        }
        this.threads = threads;
        if (threads > 1) {
            AtomicInteger n = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "autoglm-quant-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.pool = null;
        }
    }

    /** @return the number of threads a call uses */
    public int threads() {
        return threads;
    }

    /**
     * Quantizes {@code rows} rows of {@code rowLen} floats starting at {@code src[srcOff]} into consecutive rows of
     * {@code codec.type().rowSize(rowLen)} bytes starting at {@code dst[dstOff]}.
     *
     * @throws IllegalArgumentException when a size is invalid or a value is NaN/infinite (the message names the row)
     * @throws IllegalStateException    after {@link #close()}
     */
    public void quantize(BlockCodec codec, float[] src, int srcOff, int rows, int rowLen, byte[] dst, int dstOff) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int rowBytes = checkShape(codec, rows, rowLen);
        Objects.checkFromIndexSize(srcOff, Math.multiplyExact(rows, rowLen), src.length);
        Objects.checkFromIndexSize(dstOff, Math.multiplyExact(rows, rowBytes), dst.length);
        run(rows, rowLen, r -> {
            try {
                codec.quantize(src, srcOff + r * rowLen, dst, dstOff + r * rowBytes, rowLen);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        });
    }

    /** Per-thread row buffer for {@link #quantizeF32}. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Like {@link #quantize} but reads the rows as little-endian F32 straight from {@code src} starting at byte
     * {@code srcByteOff}: each thread copies one row at a time into a small cache-resident buffer, so the input is
     * read once, in parallel, with no large intermediate float array.
     */
    void quantizeF32(BlockCodec codec, java.lang.foreign.MemorySegment src, long srcByteOff, int rows, int rowLen,
            byte[] dst, int dstOff) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int rowBytes = checkShape(codec, rows, rowLen);
        Objects.checkFromIndexSize(srcByteOff, (long) rows * rowLen * Float.BYTES, src.byteSize());
        Objects.checkFromIndexSize(dstOff, Math.multiplyExact(rows, rowBytes), dst.length);
        java.lang.foreign.ValueLayout.OfFloat f32 = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED
                .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        run(rows, rowLen, r -> {
            float[] row = ROW.get();
            if (row.length < rowLen) {
                row = new float[rowLen];
                ROW.set(row);
            }
            java.lang.foreign.MemorySegment.copy(src, f32, srcByteOff + (long) r * rowLen * Float.BYTES, row, 0, rowLen);
            try {
                codec.quantize(row, 0, dst, dstOff + r * rowBytes, rowLen);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Dequantizes {@code rows} rows of {@code codec.type().rowSize(rowLen)} bytes into rows of {@code rowLen} floats.
     *
     * @throws IllegalArgumentException when a size is invalid
     * @throws IllegalStateException    after {@link #close()}
     */
    public void dequantize(BlockCodec codec, byte[] src, int srcOff, int rows, int rowLen, float[] dst, int dstOff) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int rowBytes = checkShape(codec, rows, rowLen);
        Objects.checkFromIndexSize(srcOff, Math.multiplyExact(rows, rowBytes), src.length);
        Objects.checkFromIndexSize(dstOff, Math.multiplyExact(rows, rowLen), dst.length);
        run(rows, rowLen, r -> codec.dequantize(src, srcOff + r * rowBytes, dst, dstOff + r * rowLen, rowLen));
    }

    private int checkShape(BlockCodec codec, int rows, int rowLen) {
        if (closed.get()) {
            throw new IllegalStateException("closed: " + this);
        }
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, was " + rows);
        }
        int block = codec.type().blockSize();
        if (rowLen <= 0 || rowLen % block != 0) {
            throw new IllegalArgumentException("rowLen must be a positive multiple of " + block + " for "
                    + codec.type() + ", was " + rowLen);
        }
        long rb = codec.type().rowSize(rowLen);
        if (rb * (long) rows > Integer.MAX_VALUE || (long) rowLen * rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rows=" + rows + " x rowLen=" + rowLen + " does not fit in one array");
        }
        return (int) rb;
    }

    private interface RowTask {
        void run(int row);
    }

    private void run(int rows, int rowLen, RowTask task) {
        long elements = (long) rows * rowLen;
        if (pool == null || elements < MIN_PARALLEL_ELEMENTS || rows < 2) {
            for (int r = 0; r < rows; r++) {
                task.run(r);
            }
            return;
        }
        int chunk = Math.max(1, rows / (threads * 8));
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        Runnable worker = () -> {
            int start;
            while (!failed.get() && (start = next.getAndAdd(chunk)) < rows) {
                int end = Math.min(rows, start + chunk);
                try {
                    for (int r = start; r < end; r++) {
                        task.run(r);
                    }
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                }
            }
        };
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) {
            futures.add(pool.submit(worker));
        }
        RuntimeException first = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.set(true);
                if (first == null) {
                    first = new IllegalStateException("interrupted while quantizing rows", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Stops the helper threads. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && pool != null) {
            pool.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "RowQuantizer[threads=" + threads + "]";
    }
}
