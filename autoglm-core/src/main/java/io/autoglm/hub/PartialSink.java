package io.autoglm.hub;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the bytes of a download are appended: the partial file. An interface only so that tests can make the disk
 * fill up part-way ({@code ModelHub.Builder#sinkFactory}); production code always uses {@link #append(Path)}.
 */
interface PartialSink extends Closeable {
    /** @param bytes appended entirely */
    void write(ByteBuffer bytes) throws IOException;

    /** Forces the written bytes to the storage device. */
    void force() throws IOException;

    /** Opens a partial file for appending. */
    @FunctionalInterface
    interface Factory {
        PartialSink open(Path partial) throws IOException;
    }

    /** @return a sink appending to {@code partial}, created when missing */
    static PartialSink append(Path partial) throws IOException {
        FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new PartialSink() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
            }

            @Override
            public void force() throws IOException {
                ch.force(true);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
