package io.autoglm.gguf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a GGUF version 3 file: metadata of every type, tensor infos, aligned tensor data.
 *
 * <p>Tensor data is not held by the writer: each tensor has a {@link TensorDataSource} that is
 * asked for its bytes while the file is written, in the order the tensors were added, so a model
 * larger than the heap can be written. The file is written to a temporary file in the target's
 * folder and renamed over the target only when complete: an exception, or an interrupt of the
 * writing thread (checked between chunks), leaves no output file behind.
 *
 * <pre>{@code
 * GgufWriter w = new GgufWriter();
 * w.put("general.architecture", GgufValue.string("llama"));
 * w.addTensor("token_embd.weight", GgmlType.F32, new long[] {64, 512}, out -> out.write(bytes, 0, bytes.length));
 * w.write(Path.of("model.gguf"));
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class GgufWriter {

    /** Supplies the bytes of one tensor when the writer asks for them. */
    @FunctionalInterface
    public interface TensorDataSource {
        /**
         * Writes exactly the tensor's byte size into {@code out}, in any number of calls.
         *
         * @param out the sink
         * @throws IOException when the data cannot be produced or written
         */
        void writeTo(TensorOutput out) throws IOException;
    }

    /** Where a {@link TensorDataSource} writes tensor bytes. */
    public interface TensorOutput {
        /** @param b bytes @param off start @param len count @throws IOException on write failure */
        void write(byte[] b, int off, int len) throws IOException;

        /** @param b the remaining bytes of this buffer are written @throws IOException on write failure */
        void write(ByteBuffer b) throws IOException;

        /** @param s all bytes of this segment are written @throws IOException on write failure */
        void write(MemorySegment s) throws IOException;
    }

    /**
     * Supplies the bytes of one tensor in parts that may be produced on several threads at once, each written at its
     * own offset; see {@link #addPositionalTensor}.
     */
    @FunctionalInterface
    public interface PositionalTensorDataSource {
        /**
         * Writes the tensor's bytes through {@code out}, in parts that together cover it exactly once, from any
         * threads; returns when every part has been written.
         *
         * @param out the sink, usable from any thread until this method returns
         * @throws IOException when the data cannot be produced or written
         */
        void writeTo(PositionalOutput out) throws IOException;
    }

    /** Where a {@link PositionalTensorDataSource} writes the parts of a tensor; safe to call from several threads. */
    @FunctionalInterface
    public interface PositionalOutput {
        /**
         * Writes the remaining bytes of {@code b} at {@code offset} bytes from the start of this tensor's data.
         *
         * @param offset where the part starts inside the tensor, {@code >= 0}
         * @param b the part; its remaining bytes are written and its position is advanced
         * @throws IOException on write failure
         * @throws IllegalArgumentException when the part does not lie inside the tensor
         * @throws IllegalStateException when called after the source's {@code writeTo} returned
         */
        void write(long offset, ByteBuffer b) throws IOException;
    }

    private record PendingTensor(String name, GgmlType type, long[] shape, long byteSize, TensorDataSource source,
            PositionalTensorDataSource positional) {
    }

    private static final int BUFFER = 1 << 16;

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean durable = true;

    /** Creates an empty writer (no metadata, no tensors, alignment 32). */
    public GgufWriter() {
    }

    /**
     * Sets a metadata value; a key set twice keeps its first position and its last value.
     *
     * @param key the key, not empty
     * @param value the value
     * @return this
     */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (utf8(key).length > GgufFile.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must be at most " + GgufFile.MAX_KEY_BYTES + " bytes, was " + utf8(key).length);
        }
        if (key.equals("general.alignment")) {
            checkAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    /** @param key key @param value value @return this */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.string(value));
    }

    /** @param key key @param value value in [0, 2^32) @return this */
    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValue.uint32(value));
    }

    /** @param key key @param value value @return this */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.float32(value));
    }

    /** @param key key @param value value @return this */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.bool(value));
    }

    /** @param key key @param value value @return this */
    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValue.array(value));
    }

    /** @param key key @return this (no effect when absent) */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** @return the metadata set so far, in write order (unmodifiable view) */
    public Map<String, GgufValue> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /**
     * Sets the tensor data alignment (written as {@code general.alignment} unless it is 32).
     *
     * @param alignment a power of two in [1, 2^20]
     * @return this
     */
    public GgufWriter alignment(int alignment) {
        GgufValue v = GgufValue.uint32(alignment);
        checkAlignment(v);
        if (alignment == GgufFile.DEFAULT_ALIGNMENT) {
            metadata.remove("general.alignment");
        } else {
            metadata.put("general.alignment", v);
        }
        return this;
    }

    private static void checkAlignment(GgufValue v) {
        if (!v.type().isInteger()) {
            throw new IllegalArgumentException("general.alignment must be an integer, was " + v.type());
        }
        long a = v.asLong();
        if (a <= 0 || a > GgufFile.MAX_ALIGNMENT || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two in [1, " + GgufFile.MAX_ALIGNMENT + "], was " + a);
        }
    }

    private int currentAlignment() {
        GgufValue v = metadata.get("general.alignment");
        return v == null ? GgufFile.DEFAULT_ALIGNMENT : (int) v.asLong();
    }

    /**
     * Adds a tensor; its bytes are pulled from {@code source} during {@link #write(Path)}.
     *
     * @param name unique name of 1 to 63 UTF-8 bytes
     * @param type element type
     * @param shape 1 to 4 positive dimensions; {@code shape[0]} a multiple of the type's block size
     * @param source writes exactly the tensor's byte size when asked
     * @return the tensor's byte size
     */
    public long addTensor(String name, GgmlType type, long[] shape, TensorDataSource source) {
        Objects.requireNonNull(source, "source");
        long bytes = checkedByteSize(name, type, shape);
        add(new PendingTensor(name, type, shape.clone(), bytes, source, null));
        return bytes;
    }

    /** Validates a new tensor's name, type and shape; returns its byte size. */
    private long checkedByteSize(String name, GgmlType type, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        int nameBytes = utf8(name).length;
        if (nameBytes == 0 || nameBytes > GgufFile.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name must be 1 to " + GgufFile.MAX_TENSOR_NAME_BYTES + " bytes, was "
                    + nameBytes + ": '" + name + "'");
        }
        if (names.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor '" + name + "' must have 1 to 4 dimensions, had " + shape.length);
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' dimensions must be positive, was " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        return Math.multiplyExact(elements / type.blockSize(), (long) type.typeSize());
    }

    private void add(PendingTensor t) {
        names.add(t.name);
        tensors.add(t);
    }

    /**
     * Adds a tensor whose bytes are written in parts at their offsets, possibly by several threads at once (for
     * example rows converted in parallel, each written where it belongs as soon as it is ready, with no buffer for
     * the whole tensor and no ordering between the threads). The parts must cover the tensor exactly once; the
     * writer checks that the byte count adds up.
     *
     * @param name unique name of 1 to 63 UTF-8 bytes
     * @param type element type
     * @param shape 1 to 4 positive dimensions; {@code shape[0]} a multiple of the type's block size
     * @param source writes the tensor's parts when asked
     * @return the tensor's byte size
     */
    public long addPositionalTensor(String name, GgmlType type, long[] shape, PositionalTensorDataSource source) {
        Objects.requireNonNull(source, "source");
        long bytes = checkedByteSize(name, type, shape);
        add(new PendingTensor(name, type, shape.clone(), bytes, null, source));
        return bytes;
    }

    /**
     * Adds a tensor whose bytes are already in memory.
     *
     * @param name name
     * @param type type
     * @param shape shape
     * @param data exactly the tensor's bytes
     */
    public void addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        Objects.requireNonNull(data, "data");
        long size = checkedByteSize(name, type, shape);
        if (size != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' needs " + size + " bytes, got " + data.length);
        }
        byte[] copy = data.clone();
        add(new PendingTensor(name, type, shape.clone(), size, out -> out.write(copy, 0, copy.length), null));
    }

    /**
     * Whether {@link #write(Path)} forces the file to the storage device before renaming it into place (default
     * true). Durable output survives a power loss right after {@code write} returns; the flushing overlaps the
     * writing (a helper thread syncs what is already written every 2 MiB), so
     * only the tail is waited for at the end. With {@code false} the bytes are left to the operating system's
     * write-back, as llama.cpp's own quantizer does: faster for scratch files and caches, and still atomic for
     * anything short of a crash of the machine.
     *
     * @param v false to skip the syncs
     * @return this
     */
    public GgufWriter durable(boolean v) {
        durable = v;
        return this;
    }

    /** @return the number of tensors added */
    public int tensorCount() {
        return tensors.size();
    }

    /**
     * Writes the file: to a temporary file beside {@code target}, then renamed over it.
     *
     * @param target the output file; its folder must exist and be writable
     * @throws IOException when writing fails (no output file is left), including
     *         {@link InterruptedIOException} when the thread was interrupted
     * @throws IllegalStateException when a source wrote the wrong number of bytes
     */
    public void write(Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(String.valueOf(dir), null, "output folder does not exist");
        }
        if (Files.isDirectory(abs)) {
            throw new java.nio.file.FileAlreadyExistsException(abs.toString(), null, "output path is a directory");
        }
        Path tmp = createTempBeside(dir, abs.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    BackgroundSync sync = new BackgroundSync(ch, durable)) {
                writeTo(ch, sync);
                sync.finish();
                if (durable) {
                    ch.force(true);
                }
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException d) {
                e.addSuppressed(d); // the reason the write failed matters more than the leftover temp file
            }
            if (e instanceof IOException io && !(e instanceof InterruptedIOException) && Thread.currentThread().isInterrupted()) {
                // an interrupt that lands inside a FileChannel call closes the channel (ClosedByInterruptException,
                // or a closed channel seen by another writing thread): report it as the interrupt it is
                InterruptedIOException ie = new InterruptedIOException("interrupted while writing " + abs);
                ie.initCause(io);
                throw ie;
            }
            throw e;
        }
    }

    /**
     * A hidden temp file beside the target. On POSIX file systems it asks for rw-r--r-- (reduced by the
     * process umask, as for any new file), not createTempFile's default rw-------, so the renamed
     * output is as readable as a file written directly.
     */
    private static Path createTempBeside(Path dir, String name) throws IOException {
        String prefix = "." + name + ".";
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        }
        return Files.createTempFile(dir, prefix, ".part");
    }

    private void writeTo(FileChannel ch, BackgroundSync sync) throws IOException {
        int alignment = currentAlignment();
        Sink sink = new Sink(ch, sync);
        sink.u32(GgufFile.MAGIC);
        sink.u32(3);
        sink.u64(tensors.size());
        sink.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            sink.string(e.getKey());
            sink.u32(e.getValue().type().id());
            sink.value(e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            sink.string(t.name);
            sink.u32(t.shape.length);
            for (long d : t.shape) {
                sink.u64(d);
            }
            sink.u32(t.type.id());
            sink.u64(offset);
            offset = align(offset + t.byteSize, alignment);
        }
        sink.pad(alignment);
        for (PendingTensor t : tensors) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while writing tensor '" + t.name + "'");
            }
            long start = sink.written;
            if (t.positional != null) {
                writePositional(ch, sink, sync, t);
            } else {
                t.source.writeTo(sink);
            }
            long got = sink.written - start;
            if (got != t.byteSize) {
                throw new IllegalStateException("tensor '" + t.name + "' source wrote " + got + " bytes, expected " + t.byteSize);
            }
            sink.pad(alignment);
        }
        sink.flush();
    }

    /**
     * Hands the channel to a positional source: what the sink buffered goes out first, the parts land at their
     * offsets from any thread, and the sink continues after the tensor.
     */
    private static void writePositional(FileChannel ch, Sink sink, BackgroundSync sync, PendingTensor t) throws IOException {
        sink.flush();
        long base = sink.written;
        long size = t.byteSize;
        java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
        // parts share the read lock; once the source has returned, the write lock waits for parts still in flight and
        // closes the output, so that a thread the source left running can neither change the tensor nor the count
        java.util.concurrent.locks.ReentrantReadWriteLock open = new java.util.concurrent.locks.ReentrantReadWriteLock();
        boolean[] closed = {false}; // guarded by open
        try {
            t.positional.writeTo((offset, b) -> {
                Objects.requireNonNull(b, "b");
                open.readLock().lock();
                try {
                    if (closed[0]) {
                        throw new IllegalStateException("part written to tensor '" + t.name + "' after its source returned");
                    }
                    int n = b.remaining();
                    if (offset < 0 || offset > size - n) {
                        throw new IllegalArgumentException("part of " + n + " bytes at offset " + offset
                                + " lies outside tensor '" + t.name + "' of " + size + " bytes");
                    }
                    long at = base + offset;
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                    got.addAndGet(n);
                    sync.written(n);
                } finally {
                    open.readLock().unlock();
                }
            });
        } finally {
            open.writeLock().lock();
            closed[0] = true;
            open.writeLock().unlock();
        }
        if (got.get() != size) {
            throw new IllegalStateException("tensor '" + t.name + "' source wrote " + got.get() + " bytes, expected " + size);
        }
        ch.position(base + size);
        sink.written = base + size;
    }

    static long align(long v, int alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Moves the bytes written so far to the device from a helper thread while later bytes are still being produced,
     * so that the final {@code force} before the rename only waits for the tail of the file instead of all of it.
     * A sync is started whenever {@value #SYNC_EVERY} bytes were written since the last one began and none is
     * running; a file smaller than that never starts the thread.
     */
    private static final class BackgroundSync implements AutoCloseable {
        static final long SYNC_EVERY = 2L << 20;

        private final FileChannel ch;
        private final boolean enabled;
        private long unsynced; // guarded by this
        private Thread thread;
        private boolean requested;
        private boolean running;
        private boolean stop;
        private IOException failure;

        BackgroundSync(FileChannel ch, boolean enabled) {
            this.ch = ch;
            this.enabled = enabled;
        }

        /** Called by a writing thread after {@code n} bytes reached the channel. */
        synchronized void written(long n) {
            unsynced += n;
            if (!enabled || unsynced < SYNC_EVERY || running || requested || stop) {
                return; // not enough new bytes yet, or the running sync is still busy: a later write asks again
            }
            unsynced = 0;
            requested = true;
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("autoglm-gguf-sync").start(this::loop);
            }
            notifyAll();
        }

        private void loop() {
            while (true) {
                synchronized (this) {
                    while (!requested && !stop) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (!requested) {
                        return;
                    }
                    requested = false;
                    running = true;
                }
                IOException err = null;
                try {
                    ch.force(false);
                } catch (IOException e) {
                    err = e;
                }
                synchronized (this) {
                    running = false;
                    if (err != null && failure == null) {
                        failure = err;
                    }
                    notifyAll();
                }
            }
        }

        /** Waits for the helper to finish; rethrows what its sync failed with, if anything. */
        void finish() throws IOException {
            close();
            synchronized (this) {
                if (failure != null) {
                    throw failure;
                }
            }
        }

        /** Stops the helper after its current sync (if any); never throws. */
        @Override
        public void close() {
            Thread t;
            synchronized (this) {
                stop = true;
                requested = false;
                notifyAll();
                t = thread;
            }
            if (t == null) {
                return;
            }
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Buffered little-endian output over a channel; counts bytes. */
    private static final class Sink implements TensorOutput {
        private final FileChannel ch;
        private final BackgroundSync sync;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private final MemorySegment bufSegment = MemorySegment.ofBuffer(buf);
        long written;

        Sink(FileChannel ch, BackgroundSync sync) {
            this.ch = ch;
            this.sync = sync;
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
            sync.written(n);
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while writing");
            }
        }

        void u8(int v) throws IOException {
            room(1);
            buf.put((byte) v);
            written++;
        }

        void u16(int v) throws IOException {
            room(2);
            buf.putShort((short) v);
            written += 2;
        }

        void u32(long v) throws IOException {
            room(4);
            buf.putInt((int) v);
            written += 4;
        }

        void u64(long v) throws IOException {
            room(8);
            buf.putLong(v);
            written += 8;
        }

        void string(String s) throws IOException {
            byte[] b = utf8(s);
            u64(b.length);
            write(b, 0, b.length);
        }

        void pad(int alignment) throws IOException {
            long n = align(written, alignment) - written;
            for (long i = 0; i < n; i++) {
                u8(0);
            }
        }

        void value(GgufValue v) throws IOException {
            switch (v.type()) {
                case UINT8, INT8 -> u8((int) v.asLong());
                case UINT16, INT16 -> u16((int) v.asLong());
                case UINT32, INT32 -> u32(v.asLong());
                case UINT64, INT64 -> u64(v.asLong());
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
                case BOOL -> u8(v.asBoolean() ? 1 : 0);
                case STRING -> string(v.asString());
                case ARRAY -> array(v.asArray());
            }
        }

        void array(GgufArray a) throws IOException {
            u32(a.elementType().id());
            u64(a.size());
            switch (a.elementType()) {
                case STRING -> {
                    for (int i = 0; i < a.size(); i++) {
                        byte[] b = a.stringBytes(i);
                        u64(b.length);
                        write(b, 0, b.length);
                    }
                }
                case ARRAY -> {
                    for (int i = 0; i < a.size(); i++) {
                        array(a.getArray(i));
                    }
                }
                default -> {
                    byte[] raw = a.rawBytes();
                    write(raw, 0, raw.length);
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
                written += n;
            }
        }

        @Override
        public void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(b.remaining(), buf.remaining());
                ByteBuffer slice = b.slice(b.position(), n);
                buf.put(slice);
                b.position(b.position() + n);
                written += n;
            }
        }

        @Override
        public void write(MemorySegment s) throws IOException {
            long off = 0;
            long len = s.byteSize();
            while (off < len) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = (int) Math.min(len - off, buf.remaining());
                MemorySegment.copy(s, off, bufSegment, buf.position(), n);
                buf.position(buf.position() + n);
                off += n;
                written += n;
            }
        }
    }
}
