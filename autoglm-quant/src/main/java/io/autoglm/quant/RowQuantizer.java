package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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

    /** Bytes read from the input file per positional read (rounded to whole rows, at least one row). */
    private static final int READ_BYTES = 1 << 18;

    /** Per-thread buffers of {@link #convert}: a direct read buffer, one source row's bytes and one row of floats. */
    private static final class RowBuffers {
        ByteBuffer read = ByteBuffer.allocateDirect(0);
        MemorySegment readSegment = MemorySegment.ofBuffer(read);
        byte[] bytes = new byte[0];
        float[] floats = new float[0];
        byte[] out = new byte[0];

        void ensure(int readBytes, int rowBytes, int rowLen, int outBytes) {
            if (read.capacity() < readBytes) {
                read = ByteBuffer.allocateDirect(readBytes);
                readSegment = MemorySegment.ofBuffer(read);
            }
            if (out.length < outBytes) {
                out = new byte[outBytes];
            }
            if (bytes.length < rowBytes) {
                bytes = new byte[rowBytes];
            }
            if (floats.length < rowLen) {
                floats = new float[rowLen];
            }
        }
    }

    private static final ThreadLocal<RowBuffers> BUFFERS = ThreadLocal.withInitial(RowBuffers::new);

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Receives converted rows from the worker threads of {@link #convert}. */
    @FunctionalInterface
    interface RowsSink {
        /**
         * @param firstRow index of the first row in {@code bytes}, relative to the call
         * @param bytes the converted rows, consecutive, from index 0; reused once this returns
         * @param length number of bytes (whole rows)
         * @throws IOException when the rows cannot be stored
         */
        void accept(int firstRow, byte[] bytes, int length) throws IOException;
    }

    /**
     * Converts {@code rows} rows stored as {@code from} at byte {@code byteOff} of {@code in} into rows of
     * {@code to} and hands them to {@code sink}, a group at a time, from the worker threads (in no particular
     * order). Each thread reads its own rows with positional reads of about {@value #READ_BYTES} bytes into a small
     * buffer and converts them there: the input is read once, in parallel, without the page faults of touching a
     * fresh memory mapping, and no buffer the size of the tensor exists. F32 rows go straight to the quantizer;
     * other types are dequantized first.
     *
     * @throws IOException when reading fails or the file ends early ({@link java.nio.channels.ClosedByInterruptException}
     *         when a reading thread was interrupted), or what the sink threw; {@link InterruptedIOException} when the
     *         calling thread was interrupted while waiting for the other threads
     * @throws IllegalArgumentException when a value is NaN or infinite (the message names the row)
     */
    void convert(FileChannel in, long byteOff, BlockCodec from, int rows, int rowLen, BlockCodec to, RowsSink sink)
            throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(sink, "sink");
        int srcRowBytes = checkShape(from, rows, rowLen);
        int dstRowBytes = checkShape(to, rows, rowLen);
        if (byteOff < 0) {
            throw new IllegalArgumentException("byteOff must be >= 0, was " + byteOff);
        }
        boolean f32 = from.type() == GgmlType.F32;
        int rowsPerRead = Math.max(1, READ_BYTES / srcRowBytes);
        try {
            runRanges(rows, rowLen, (first, end) -> {
                RowBuffers b = BUFFERS.get();
                int group = Math.min(rowsPerRead, end - first);
                b.ensure(group * srcRowBytes, f32 ? 0 : srcRowBytes, rowLen, group * dstRowBytes);
                for (int r0 = first; r0 < end; r0 += group) {
                    int n = Math.min(group, end - r0);
                    readFully(in, b.read, byteOff + (long) r0 * srcRowBytes, n * srcRowBytes);
                    for (int i = 0; i < n; i++) {
                        long at = (long) i * srcRowBytes;
                        if (f32) {
                            MemorySegment.copy(b.readSegment, F32_LE, at, b.floats, 0, rowLen);
                        } else {
                            MemorySegment.copy(b.readSegment, ValueLayout.JAVA_BYTE, at, b.bytes, 0, srcRowBytes);
                            from.dequantize(b.bytes, 0, b.floats, 0, rowLen);
                        }
                        try {
                            to.quantize(b.floats, 0, b.out, i * dstRowBytes, rowLen);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("row " + (r0 + i) + ": " + e.getMessage(), e);
                        }
                    }
                    try {
                        sink.accept(r0, b.out, n * dstRowBytes);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalStateException e) {
            if (Thread.currentThread().isInterrupted()) { // the caller was interrupted while its helpers finished
                InterruptedIOException ie = new InterruptedIOException(e.getMessage());
                ie.initCause(e);
                throw ie;
            }
            throw e;
        }
    }

    private static void readFully(FileChannel in, ByteBuffer buf, long position, int len) {
        buf.clear().limit(len);
        try {
            while (buf.hasRemaining()) {
                if (in.read(buf, position + buf.position()) < 0) {
                    throw new EOFException("input ends at byte " + (position + buf.position()) + ", expected "
                            + (position + len));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private interface RangeTask {
        void run(int first, int end);
    }

    private void run(int rows, int rowLen, RowTask task) {
        runRanges(rows, rowLen, (first, end) -> {
            for (int r = first; r < end; r++) {
                task.run(r);
            }
        });
    }

    /** Runs {@code task} over [0, rows) in chunks shared out between the calling thread and the pool. */
    private void runRanges(int rows, int rowLen, RangeTask task) {
        long elements = (long) rows * rowLen;
        if (pool == null || elements < MIN_PARALLEL_ELEMENTS || rows < 2) {
            if (rows > 0) {
                task.run(0, rows);
            }
            return;
        }
        int chunk = Math.max(1, rows / (threads * 8));
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        Runnable worker = () -> {
            int start;
            while (!failed.get() && (start = next.getAndAdd(chunk)) < rows) {
                try {
                    task.run(start, Math.min(rows, start + chunk));
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                }
            }
        };
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        Throwable first = null;
        try {
            for (int t = 1; t < threads; t++) {
                futures.add(pool.submit(worker));
            }
        } catch (java.util.concurrent.RejectedExecutionException e) { // closed by another thread meanwhile
            failed.set(true);
            first = new IllegalStateException("closed: " + this, e);
        }
        if (first == null) {
            try {
                worker.run();
            } catch (RuntimeException | Error e) {
                first = e;
            }
        }
        // wait for every helper even when interrupted: they stop after their current chunk (failed is set), and the
        // caller's arrays, buffers or sink must not be used by them after this method has returned
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    }
                    break;
                } catch (java.util.concurrent.CancellationException e) { // never started: close() drained the queue
                    if (first == null) {
                        first = new IllegalStateException("closed: " + this, e);
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    failed.set(true);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            if (first == null) {
                first = new IllegalStateException("interrupted while quantizing rows");
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }

    /** Stops the helper threads. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && pool != null) {
            for (Runnable queued : pool.shutdownNow()) {
                if (queued instanceof Future<?> f) {
                    f.cancel(false); // a call still waiting for it must not wait forever
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RowQuantizer[threads=" + threads + "]";
    }
}
