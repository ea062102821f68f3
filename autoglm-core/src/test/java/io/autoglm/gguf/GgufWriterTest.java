package io.autoglm.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @TempDir
    Path tmp;

    static void copyInto(GgufFile src, GgufWriter w) {
        src.metadata().forEach(w::put);
        for (TensorInfo t : src.tensors()) {
            w.addTensor(t.name(), t.type(), t.shape(), out -> out.write(src.tensorData(t)));
        }
    }

    @Test
    void write_givesTheOutputTheSamePermissionsAsAPlainNewFile() throws IOException {
        Fixtures.platform(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
        Path out = tmp.resolve("perm.gguf");
        new GgufWriter().write(out);
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void roundTrip_ofStories260K_isByteIdenticalToTheOriginal() throws IOException {
        Path out = tmp.resolve("copy.gguf");
        try (GgufFile src = GgufFile.open(TestModels.stories260K())) {
            GgufWriter w = new GgufWriter();
            copyInto(src, w);
            w.write(out);
        }
        assertThat(Files.mismatch(out, TestModels.stories260K())).isEqualTo(-1L);
    }

    @Test
    void roundTrip_ofTinyRandom_readsBackEqualMetadataTensorsAndData() throws IOException {
        Path out = tmp.resolve("copy.gguf");
        try (GgufFile src = GgufFile.open(TestModels.tinyRandom())) {
            GgufWriter w = new GgufWriter();
            copyInto(src, w);
            w.alignment(64);
            w.write(out);
            try (GgufFile back = GgufFile.open(out)) {
                assertThat(back.alignment()).isEqualTo(64);
                Map<String, GgufValue> expected = new java.util.LinkedHashMap<>(src.metadata());
                expected.put("general.alignment", GgufValue.uint32(64));
                assertThat(back.metadata()).containsExactlyEntriesOf(expected);
                assertThat(back.tensors()).hasSize(src.tensors().size());
                for (int i = 0; i < src.tensors().size(); i++) {
                    TensorInfo a = src.tensors().get(i);
                    TensorInfo b = back.tensors().get(i);
                    assertThat(b.name()).isEqualTo(a.name());
                    assertThat(b.shape()).isEqualTo(a.shape());
                    assertThat(b.type()).isEqualTo(a.type());
                    assertThat(b.offset() % 64).isZero();
                    assertThat(back.tensorData(b).mismatch(src.tensorData(a))).isEqualTo(-1L);
                }
            }
        }
    }

    @Test
    void everyValueType_includingNestedArrays_roundTrips() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("u8", GgufValue.uint8(255));
        w.put("i8", new GgufValue(GgufValueType.INT8, -128L));
        w.put("u16", new GgufValue(GgufValueType.UINT16, 65535L));
        w.put("i16", new GgufValue(GgufValueType.INT16, -32768L));
        w.put("u32", GgufValue.uint32(0xFFFF_FFFFL));
        w.put("i32", GgufValue.int32(Integer.MIN_VALUE));
        w.put("u64", GgufValue.uint64(-1L));
        w.put("i64", GgufValue.int64(Long.MIN_VALUE));
        w.put("f32", GgufValue.float32(Float.NaN));
        w.put("f64", GgufValue.float64(-0.0));
        w.put("bool", GgufValue.bool(true));
        w.put("str", GgufValue.string("héllo ✓ \u0000 end"));
        w.put("empty", GgufValue.string(""));
        w.putArray("a.u8", GgufArray.ofIntegers(GgufValueType.UINT8, 0, 1, 255));
        w.putArray("a.i16", GgufArray.ofIntegers(GgufValueType.INT16, -5, 7));
        w.putArray("a.u32", GgufArray.ofIntegers(GgufValueType.UINT32, 0xFFFF_FFFFL));
        w.putArray("a.i64", GgufArray.ofIntegers(GgufValueType.INT64, Long.MAX_VALUE, -1));
        w.putArray("a.f32", GgufArray.ofFloats(1.5f, -2f, Float.MIN_VALUE));
        w.putArray("a.f64", GgufArray.ofDoubles(Math.PI));
        w.putArray("a.bool", GgufArray.ofBooleans(true, false, true));
        w.putArray("a.str", GgufArray.ofStrings(List.of("a", "", "ü")));
        w.putArray("a.empty", GgufArray.ofStrings(List.of()));
        w.putArray("a.nested", GgufArray.ofArrays(List.of(GgufArray.ofFloats(1f), GgufArray.ofStrings(List.of("x")),
                GgufArray.ofArrays(List.of(GgufArray.ofIntegers(GgufValueType.INT32, 3))))));
        byte[] data = new byte[18 * 2 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        w.addTensor("q", GgmlType.Q4_0, new long[] {64, 3}, data);
        w.addTensor("v", GgmlType.F32, new long[] {3}, new byte[12]);
        Path out = tmp.resolve("types.gguf");
        w.write(out);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(w.metadata());
            assertThat(f.getLong("u64")).hasValue(-1L);
            assertThat(f.get("u64").orElseThrow().asDouble()).isEqualTo(1.8446744073709552E19);
            assertThat(f.getArray("a.u8").orElseThrow().toLongArray()).containsExactly(0, 1, 255);
            assertThat(f.getArray("a.str").orElseThrow().strings()).containsExactly("a", "", "ü");
            assertThat(f.getArray("a.nested").orElseThrow().getArray(2).getArray(0).getLong(0)).isEqualTo(3);
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("q", "v");
            byte[] back = f.tensorData(f.tensor("q").orElseThrow()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertThat(back).isEqualTo(data);
            assertThat(f.tensor("v").orElseThrow().offset()).isEqualTo(128); // 108 bytes padded to 32
        }
    }

    @Test
    void tokenStringsWithInvalidUtf8_areWrittenBackWithTheirOriginalBytes() throws IOException {
        GgufWriter w = new GgufWriter();
        w.putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("ok", "QQ", "fine")));
        Path p = tmp.resolve("utf8.gguf");
        w.write(p);
        byte[] b = Files.readAllBytes(p);
        int at = (int) GgufFileTest.indexOf(b, "QQ".getBytes());
        b[at] = (byte) 0xC3; // a lead byte followed by '(' is not valid UTF-8
        b[at + 1] = '(';
        Files.write(p, b);
        Path copy = tmp.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.getArray("tokenizer.ggml.tokens").orElseThrow().getString(1)).isEqualTo("\uFFFD(");
            GgufWriter c = new GgufWriter();
            f.metadata().forEach(c::put);
            c.write(copy);
        }
        assertThat(Files.mismatch(p, copy)).isEqualTo(-1L);
    }

    @Test
    void failingSource_leavesNoOutputAndNoTempFile() throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.addTensor("a", GgmlType.F32, new long[] {4}, new byte[16]);
        w.addTensor("b", GgmlType.F32, new long[] {4}, out -> {
            throw new IOException("disk on fire");
        });
        Path out = tmp.resolve("fail.gguf");
        assertThatThrownBy(() -> w.write(out)).isInstanceOf(IOException.class).hasMessageContaining("disk on fire");
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void sourceWritingWrongByteCount_isRejectedAndLeavesNoOutput() throws IOException {
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.F32, new long[] {4}, out -> out.write(new byte[12], 0, 12));
        Path out = tmp.resolve("short.gguf");
        assertThatThrownBy(() -> w.write(out)).isInstanceOf(IllegalStateException.class).hasMessageContaining("wrote 12 bytes, expected 16");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void interruptedWrite_leavesNoOutput_andKeepsTheExistingTarget() throws IOException {
        Path out = tmp.resolve("int.gguf");
        Files.writeString(out, "previous");
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.F32, new long[] {4}, out2 -> {
            out2.write(new byte[16], 0, 16);
            Thread.currentThread().interrupt();
        });
        w.addTensor("b", GgmlType.F32, new long[] {4}, new byte[16]);
        try {
            assertThatThrownBy(() -> w.write(out)).isInstanceOf(InterruptedIOException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(Files.readString(out)).isEqualTo("previous");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).containsExactly(out);
        }
    }

    @Test
    void interruptLandingInsideAChannelWrite_givesInterruptedIOException_andLeavesNoOutput() throws IOException {
        // the interrupt is set while the source is still writing: the next buffer flush reaches FileChannel.write,
        // which closes the channel and throws ClosedByInterruptException; write() documents InterruptedIOException
        Path out = tmp.resolve("int-mid.gguf");
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.F32, new long[] {1 << 18}, o -> {
            o.write(new byte[1 << 19], 0, 1 << 19);
            Thread.currentThread().interrupt();
            o.write(new byte[1 << 19], 0, 1 << 19);
        });
        try {
            assertThatThrownBy(() -> w.write(out)).isInstanceOf(InterruptedIOException.class)
                    .hasRootCauseInstanceOf(java.nio.channels.ClosedByInterruptException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void interruptLandingInsideAPositionalWrite_givesInterruptedIOException_andLeavesNoOutput() throws IOException {
        Path out = tmp.resolve("int-pos.gguf");
        GgufWriter w = new GgufWriter();
        w.addPositionalTensor("a", GgmlType.F32, new long[] {1024}, o -> {
            o.write(0, java.nio.ByteBuffer.allocate(2048));
            Thread.currentThread().interrupt();
            o.write(2048, java.nio.ByteBuffer.allocate(2048));
        });
        try {
            assertThatThrownBy(() -> w.write(out)).isInstanceOf(InterruptedIOException.class);
        } finally {
            Thread.interrupted();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void positionalOutput_usedAfterItsSourceReturned_isRefused_andCannotChangeTheTensor() throws IOException {
        // a source that leaves a thread writing after it returned must not be able to change bytes already counted
        GgufWriter.PositionalOutput[] kept = new GgufWriter.PositionalOutput[1];
        byte[] data = new byte[64];
        java.util.Arrays.fill(data, (byte) 5);
        GgufWriter w = new GgufWriter();
        w.addPositionalTensor("a", GgmlType.F32, new long[] {16}, o -> {
            kept[0] = o;
            o.write(0, java.nio.ByteBuffer.wrap(data));
        });
        Throwable[] late = new Throwable[1];
        w.addTensor("b", GgmlType.F32, new long[] {4}, o -> {
            try {
                kept[0].write(0, java.nio.ByteBuffer.allocate(64));
            } catch (RuntimeException | IOException e) {
                late[0] = e;
            }
            o.write(new byte[16], 0, 16);
        });
        Path out = tmp.resolve("late.gguf");
        w.write(out);
        assertThat(late[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("'a'");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensorData(f.tensor("a").orElseThrow()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .isEqualTo(data);
        }
    }

    @Test
    void failureToDeleteTheTempFile_doesNotHideWhyTheWriteFailed() throws IOException {
        // the source swaps its temp file for a non-empty folder, so the clean-up cannot delete it, then fails
        IOException boom = new IOException("source failed");
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.F32, new long[] {4}, o -> {
            Path part;
            try (Stream<Path> s = Files.list(tmp)) {
                part = s.filter(p -> p.getFileName().toString().endsWith(".part")).findFirst().orElseThrow();
            }
            Files.delete(part);
            Files.createDirectory(part);
            Files.writeString(part.resolve("keep"), "x");
            throw boom;
        });
        assertThatThrownBy(() -> w.write(tmp.resolve("x.gguf"))).isSameAs(boom);
        assertThat(boom.getSuppressed()).singleElement().isInstanceOf(java.nio.file.DirectoryNotEmptyException.class);
    }

    @Test
    void invalidTensorsAndKeys_areRejectedAtOnce() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.Q4_K, new long[] {64}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 256");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4]))
                .hasMessageContaining("1 to 4 dimensions");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {0}, new byte[0])).hasMessageContaining("positive");
        assertThatThrownBy(() -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {1}, new byte[4])).hasMessageContaining("63");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {2}, new byte[4])).hasMessageContaining("needs 8 bytes");
        w.addTensor("x", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {1}, new byte[4])).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> w.alignment(48)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.put("", GgufValue.bool(true))).hasMessageContaining("empty");
        assertThatThrownBy(() -> GgufValue.uint8(256)).hasMessageContaining("[0, 255]");
        assertThatThrownBy(() -> new GgufValue(GgufValueType.FLOAT32, 1.0)).hasMessageContaining("Float");
    }

    /** A seeded model of several F32 tensors, each written sequentially or in shuffled parts from several threads. */
    private static GgufWriter partsModel(boolean positional, int partBytes) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putUint32("test.seed", 7);
        w.addTensor("norm", GgmlType.F32, new long[] {5}, new byte[20]);
        for (int i = 0; i < 3; i++) {
            long[] shape = {256, 1000 + 300 * i};
            byte[] data = new byte[(int) (shape[0] * shape[1] * 4)];
            new java.util.SplittableRandom(100 + i).nextBytes(data);
            if (!positional) {
                w.addTensor("t" + i, GgmlType.F32, shape, data);
                continue;
            }
            w.addPositionalTensor("t" + i, GgmlType.F32, shape, out -> {
                List<Integer> starts = new java.util.ArrayList<>();
                for (int at = 0; at < data.length; at += partBytes) {
                    starts.add(at);
                }
                java.util.Collections.shuffle(starts, new java.util.Random(5));
                try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                    List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
                    for (int at : starts) {
                        fs.add(pool.submit(() -> {
                            out.write(at, java.nio.ByteBuffer.wrap(data, at, Math.min(partBytes, data.length - at)));
                            return null;
                        }));
                    }
                    for (java.util.concurrent.Future<?> f : fs) {
                        f.get();
                    }
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IOException(e);
                }
            });
        }
        w.addTensor("tail", GgmlType.F32, new long[] {3}, new byte[12]);
        return w;
    }

    @Test
    void positionalTensor_writtenInShuffledPartsFromSeveralThreads_givesTheSameFileAsSequentialWrites() throws IOException {
        Path seq = tmp.resolve("seq.gguf");
        partsModel(false, 0).write(seq);
        for (int part : new int[] {4, 1000, 65536}) {
            Path pos = tmp.resolve("pos-" + part + ".gguf");
            partsModel(true, part).write(pos);
            assertThat(Files.mismatch(pos, seq)).as("parts of " + part + " bytes").isEqualTo(-1L);
        }
        try (GgufFile f = GgufFile.open(seq)) {
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("norm", "t0", "t1", "t2", "tail");
        }
    }

    @Test
    void positionalTensor_withMissingOrStrayParts_isRejectedAndLeavesNoOutput() throws IOException {
        GgufWriter missing = new GgufWriter();
        missing.addPositionalTensor("a", GgmlType.F32, new long[] {8}, out -> out.write(0, java.nio.ByteBuffer.allocate(16)));
        assertThatThrownBy(() -> missing.write(tmp.resolve("m.gguf"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrote 16 bytes, expected 32");
        GgufWriter outside = new GgufWriter();
        outside.addPositionalTensor("a", GgmlType.F32, new long[] {8}, out -> out.write(20, java.nio.ByteBuffer.allocate(16)));
        assertThatThrownBy(() -> outside.write(tmp.resolve("o.gguf"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes at offset 20 lies outside tensor 'a' of 32 bytes");
        GgufWriter negative = new GgufWriter();
        negative.addPositionalTensor("a", GgmlType.F32, new long[] {8}, out -> out.write(-4, java.nio.ByteBuffer.allocate(4)));
        assertThatThrownBy(() -> negative.write(tmp.resolve("n.gguf"))).isInstanceOf(IllegalArgumentException.class);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        assertThatThrownBy(() -> new GgufWriter().addPositionalTensor("a", GgmlType.Q4_K, new long[] {64}, out -> { }))
                .hasMessageContaining("block size 256");
    }

    @Test
    void largeDurableOutput_isSyncedInTheBackgroundWhileWriting_andNotDurableWritesTheSameBytes() throws IOException {
        // 12 MiB: the helper thread must start syncing (every 2 MiB) before the source has finished
        int n = 3 << 20;
        byte[] data = new byte[n * 4];
        new java.util.SplittableRandom(3).nextBytes(data);
        boolean[] sawSync = {false};
        GgufWriter durable = new GgufWriter();
        durable.addTensor("big", GgmlType.F32, new long[] {n}, out -> {
            for (int at = 0; at < data.length; at += 1 << 20) {
                out.write(data, at, 1 << 20);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!sawSync[0] && System.nanoTime() < deadline) {
                sawSync[0] = Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("autoglm-gguf-sync"));
                Thread.onSpinWait();
            }
        });
        Path a = tmp.resolve("durable.gguf");
        durable.write(a);
        assertThat(sawSync[0]).as("a background sync thread ran while the tensor was written").isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("autoglm-gguf-sync"));

        GgufWriter fast = new GgufWriter().durable(false);
        fast.addTensor("big", GgmlType.F32, new long[] {n}, data);
        Path b = tmp.resolve("fast.gguf");
        fast.write(b);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        try (GgufFile f = GgufFile.open(b)) {
            java.lang.foreign.MemorySegment seg = f.tensorData(f.tensor("big").orElseThrow());
            assertThat(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(data);
        }
    }

    @Test
    void missingOutputFolder_givesIOException() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.write(tmp.resolve("no/such/dir/x.gguf"))).isInstanceOf(IOException.class)
                .hasMessageContaining("no/such/dir");
    }
}
