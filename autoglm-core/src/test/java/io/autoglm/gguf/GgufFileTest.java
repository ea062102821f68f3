package io.autoglm.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelFormatException;
import io.autoglm.ModelLoadException;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {

    @TempDir
    Path tmp;

    @Test
    void stories260K_readsFactsFromProvenance() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.architecture()).contains("llama");
            assertThat(f.name()).contains("llama");
            assertThat(f.tensors()).hasSize(48);
            assertThat(f.parameterCount()).isEqualTo(292_800);
            assertThat(f.tensors()).allMatch(t -> t.type() == GgmlType.F32);
            assertThat(f.embeddingLength()).hasValue(64);
            assertThat(f.blockCount()).hasValue(5);
            assertThat(f.headCount()).hasValue(8);
            assertThat(f.getLong("llama.attention.head_count_kv")).hasValue(4);
            assertThat(f.getLong("llama.feed_forward_length")).hasValue(172);
            assertThat(f.getLong("llama.rope.dimension_count")).hasValue(8);
            assertThat(f.getDouble("llama.attention.layer_norm_rms_epsilon").getAsDouble()).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(f.contextLength()).hasValue(2048);
            assertThat(f.vocabSize()).isEqualTo(512);
            assertThat(f.chatTemplate()).isEmpty();
            assertThat(f.alignment()).isEqualTo(32);
            GgufArray tokens = f.getArray("tokenizer.ggml.tokens").orElseThrow();
            assertThat(tokens.getString(0)).isEqualTo("<unk>");
            assertThat(tokens.getString(1)).isEqualTo("<s>");
            assertThat(tokens.getString(2)).isEqualTo("</s>");
            assertThat(tokens.getString(3)).isEqualTo("<0x00>");
            assertThat(f.getString("tokenizer.ggml.model")).contains("llama");
            TensorInfo out = f.tensor("output.weight").orElseThrow();
            TensorInfo emb = f.tensor("token_embd.weight").orElseThrow();
            assertThat(out.shape()).containsExactly(64, 512);
            assertThat(emb.shape()).containsExactly(64, 512);
            // the data of the last tensor ends exactly at end of file
            long end = f.tensors().stream().mapToLong(t -> t.absoluteOffset() + t.byteSize()).max().orElseThrow();
            assertThat(end).isEqualTo(f.fileSize());
            for (TensorInfo t : f.tensors()) {
                assertThat(t.absoluteOffset()).isEqualTo(f.dataOffset() + t.offset());
                assertThat(t.offset() % 32).isZero();
                assertThat(t.byteSize()).isEqualTo(t.elementCount() * 4);
            }
        }
    }

    @Test
    void stories260K_readRowMatchesRawLittleEndianFloats() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            TensorInfo emb = f.tensor("token_embd.weight").orElseThrow();
            float[] row = new float[64];
            f.readRow(emb, 7, row, 0);
            ByteBuffer raw = f.tensorData(emb).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 64; i++) {
                assertThat(row[i]).isEqualTo(raw.getFloat((7 * 64 + i) * 4));
            }
            float[] all = f.readFloats(emb);
            assertThat(Arrays.copyOfRange(all, 7 * 64, 8 * 64)).containsExactly(row);
            assertThat(f.tensorData(emb).isReadOnly()).isTrue();
            assertThatThrownBy(() -> f.readRow(emb, 512, row, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void tinyRandom_readsFactsFromProvenance() {
        try (GgufFile f = GgufFile.open(TestModels.tinyRandom())) {
            assertThat(f.tensors()).hasSize(12);
            assertThat(f.parameterCount()).isEqualTo(513_048);
            assertThat(f.vocabSize()).isEqualTo(32_000);
            assertThat(f.name()).contains("LLaMA v2");
            assertThat(f.fileType()).hasValue(1);
            assertThat(f.embeddingLength()).hasValue(8);
            assertThat(f.blockCount()).hasValue(1);
            assertThat(f.contextLength()).hasValue(4096);
            Map<GgmlType, Integer> byType = new EnumMap<>(GgmlType.class);
            f.tensors().forEach(t -> byType.merge(t.type(), 1, Integer::sum));
            assertThat(byType).containsExactlyInAnyOrderEntriesOf(Map.of(GgmlType.F16, 9, GgmlType.F32, 3));
            TensorInfo emb = f.tensor("token_embd.weight").orElseThrow();
            assertThat(emb.type()).isEqualTo(GgmlType.F16);
            float[] row = new float[8];
            f.readRow(emb, 100, row, 0);
            short bits = f.tensorData(emb).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getShort(100 * 8 * 2);
            assertThat(row[0]).isEqualTo(Float.float16ToFloat(bits));
            for (float v : row) {
                assertThat(v).isFinite();
            }
        }
    }

    @Test
    void vocabOnlyFile_hasNoTensors() {
        try (GgufFile f = GgufFile.open(TestModels.vocab("ggml-vocab-llama-spm.gguf"))) {
            assertThat(f.tensors()).isEmpty();
            assertThat(f.vocabSize()).isEqualTo(32_000);
            assertThat(f.getBoolean("tokenizer.ggml.add_bos_token")).contains(true);
        }
    }

    @Test
    void bpeAndWpmVocabFiles_readWithMergesAndTokenTypes() {
        try (GgufFile f = GgufFile.open(TestModels.vocab("ggml-vocab-gpt-2.gguf"))) {
            assertThat(f.vocabSize()).isEqualTo(50_257);
            assertThat(f.getArray("tokenizer.ggml.merges").orElseThrow().size()).isEqualTo(50_000);
            assertThat(f.getString("tokenizer.ggml.model")).contains("gpt2");
            assertThat(f.getLong("tokenizer.ggml.bos_token_id")).hasValue(50_256);
        }
        try (GgufFile f = GgufFile.open(TestModels.vocab("ggml-vocab-bert-bge.gguf"))) {
            assertThat(f.vocabSize()).isEqualTo(30_522);
            assertThat(f.getString("tokenizer.ggml.model")).contains("bert");
            GgufArray types = f.getArray("tokenizer.ggml.token_type").orElseThrow();
            assertThat(types.size()).isEqualTo(30_522);
            assertThat(types.elementType().isInteger()).isTrue();
        }
    }

    @Test
    void typedGetter_onWrongType_namesKeyAndOffset() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            assertThatThrownBy(() -> f.getLong("general.architecture")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("general.architecture").hasMessageContaining("byte offset");
        }
    }

    @Test
    void close_isIdempotent_andTensorDataAfterCloseThrowsIllegalState() {
        GgufFile f = GgufFile.open(TestModels.stories260K());
        TensorInfo t = f.tensors().get(0);
        f.close();
        f.close();
        assertThatThrownBy(() -> f.tensorData(t)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(f.metadata()).isNotEmpty();
    }

    @Test
    void missingPath_givesModelLoadExceptionWithThePath() {
        Path p = tmp.resolve("nope.gguf");
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(ModelLoadException.class).hasMessageContaining(p.toString());
    }

    @Test
    void directory_givesModelLoadException() {
        assertThatThrownBy(() -> GgufFile.open(tmp)).isInstanceOf(ModelLoadException.class).hasMessageContaining("directory");
    }

    @Test
    void emptyFile_givesModelFormatExceptionAtOffsetZero() throws IOException {
        Path p = Files.createFile(tmp.resolve("empty.gguf"));
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOfSatisfying(ModelFormatException.class,
                e -> assertThat(e.offset()).isZero()).hasMessageContaining("empty");
    }

    private byte[] stories() throws IOException {
        return Files.readAllBytes(TestModels.stories260K());
    }

    private ModelFormatException formatError(byte[] content) throws IOException {
        Path p = tmp.resolve("bad.gguf");
        Files.write(p, content);
        try (GgufFile f = GgufFile.open(p)) {
            throw new AssertionError("accepted a bad file: " + f);
        } catch (ModelFormatException e) {
            return e;
        }
    }

    private static void putLong(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    @Test
    void wrongMagic_isRejectedAtOffsetZero() throws IOException {
        byte[] b = stories();
        b[0] = 'X';
        ModelFormatException e = formatError(b);
        assertThat(e.offset()).isZero();
        assertThat(e).hasMessageContaining("magic");
        assertThat(formatError("GG".getBytes())).hasMessageContaining("magic");
    }

    @Test
    void unknownAndOldVersions_areRejectedAtTheVersionField() throws IOException {
        for (int v : new int[] {0, 1, 4, 0x03000000}) {
            byte[] b = stories();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, v);
            ModelFormatException e = formatError(b);
            assertThat(e.offset()).isEqualTo(4);
            assertThat(e).hasMessageContaining("version");
        }
        byte[] b = stories();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x03000000);
        assertThat(formatError(b)).hasMessageContaining("big-endian");
    }

    @Test
    void version2_isAccepted() throws IOException {
        byte[] b = stories();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 2);
        Path p = tmp.resolve("v2.gguf");
        Files.write(p, b);
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.version()).isEqualTo(2);
            assertThat(f.tensors()).hasSize(48);
        }
    }

    @Test
    void absurdCounts_areRejectedWithoutAllocating() throws IOException {
        byte[] b = stories();
        putLong(b, 8, 1L << 60);
        assertThat(formatError(b)).hasMessageContaining("tensor count").extracting(ModelFormatException::offset).isEqualTo(8L);
        b = stories();
        putLong(b, 16, 1L << 60);
        assertThat(formatError(b)).hasMessageContaining("key/value count").extracting(ModelFormatException::offset).isEqualTo(16L);
        b = stories();
        putLong(b, 16, -1L);
        assertThat(formatError(b)).hasMessageContaining("key/value count");
        // the first key's length: 4 GB
        b = stories();
        putLong(b, 24, 4L << 30);
        assertThat(formatError(b)).hasMessageContaining("key of metadata entry 0").extracting(ModelFormatException::offset).isEqualTo(24L);
    }

    @Test
    void hugeStringValueAndArrayLength_areRejected() throws IOException {
        byte[] b = stories();
        long tokensKey = indexOf(b, "tokenizer.ggml.tokens".getBytes());
        // layout after the key: u32 value type (ARRAY) u32 element type (STRING) u64 count, then the first string's length
        int countAt = (int) tokensKey + "tokenizer.ggml.tokens".length() + 8;
        putLong(b, countAt, 4L << 30);
        assertThat(formatError(b)).hasMessageContaining("element count of array 'tokenizer.ggml.tokens'")
                .extracting(ModelFormatException::offset).isEqualTo((long) countAt);
        b = stories();
        putLong(b, countAt + 8, 4L << 30);
        assertThat(formatError(b)).hasMessageContaining("element 0 of array 'tokenizer.ggml.tokens'");
    }

    @Test
    void tensorDataPastEndOfFile_isRejected() throws IOException {
        byte[] b = stories();
        assertThat(formatError(Arrays.copyOf(b, b.length - 4))).hasMessageContaining("runs past the end of the file");
        // an offset beyond the file in the last tensor info
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            TensorInfo last = f.tensors().getLast();
            int nameAt = (int) indexOf(b, last.name().getBytes());
            int offsetAt = nameAt + last.name().length() + 4 + 8 * last.rank() + 4;
            putLong(b, offsetAt, (1L << 40));
            assertThat(formatError(b)).hasMessageContaining(last.name()).hasMessageContaining("past the end")
                    .extracting(ModelFormatException::offset).isEqualTo((long) offsetAt);
        }
    }

    @Test
    void overlappingTensorsAndMisalignedOffsets_areRejected() throws IOException {
        byte[] b = stories();
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            TensorInfo last = f.tensors().getLast();
            int nameAt = (int) indexOf(b, last.name().getBytes());
            int offsetAt = nameAt + last.name().length() + 4 + 8 * last.rank() + 4;
            putLong(b, offsetAt, 0);
            assertThat(formatError(b)).hasMessageContaining("overlaps");
            putLong(b, offsetAt, 4);
            assertThat(formatError(b)).hasMessageContaining("alignment");
        }
    }

    @Test
    void badTensorInfo_dimsTypesAndNames_areRejected() throws IOException {
        byte[] orig = stories();
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            TensorInfo t = f.tensor("output.weight").orElseThrow();
            int nameAt = (int) indexOf(orig, "output.weight".getBytes());
            int ndAt = nameAt + t.name().length();
            byte[] b = orig.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ndAt, 5);
            assertThat(formatError(b)).hasMessageContaining("5 dimensions");
            b = orig.clone();
            putLong(b, ndAt + 4, 0);
            assertThat(formatError(b)).hasMessageContaining("must be positive");
            b = orig.clone();
            putLong(b, ndAt + 4, 1L << 40);
            putLong(b, ndAt + 12, 1L << 40);
            assertThat(formatError(b)).hasMessageContaining("2^63");
            b = orig.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ndAt + 4 + 16, 4); // removed Q4_2
            assertThat(formatError(b)).hasMessageContaining("unknown ggml type id 4");
            b = orig.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(ndAt + 4 + 16, GgmlType.Q4_K.id());
            assertThat(formatError(b)).hasMessageContaining("not a multiple of the block size 256");
            // rename output.weight to the name of the tensor before it
            b = orig.clone();
            String other = f.tensors().stream().filter(x -> x.name().length() == t.name().length() && !x.name().equals(t.name()))
                    .findFirst().map(TensorInfo::name).orElse(null);
            if (other != null) {
                System.arraycopy(other.getBytes(), 0, b, nameAt, other.length());
                assertThat(formatError(b)).hasMessageContaining("duplicate tensor name");
            }
        }
    }

    @Test
    void duplicateKey_isRejected() throws IOException {
        byte[] b = stories();
        // overwrite the key "llama.context_length" with "general.architecture" (both 20 bytes)
        int at = (int) indexOf(b, "llama.context_length".getBytes());
        assertThat(at).isPositive();
        System.arraycopy("general.architecture".getBytes(), 0, b, at, 20);
        assertThat(formatError(b)).hasMessageContaining("duplicate metadata key 'general.architecture'")
                .extracting(ModelFormatException::offset).isEqualTo((long) at - 8);
    }

    @Test
    void truncationAtEveryHeaderOffsetAndSampledDataOffsets_alwaysGivesModelFormatException() throws IOException {
        byte[] b = stories();
        long dataOffset;
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            dataOffset = f.dataOffset();
        }
        assertThat(dataOffset).isGreaterThan(1000);
        Path p = tmp.resolve("trunc.gguf");
        Files.write(p, b);
        List<Integer> lengths = new ArrayList<>();
        for (int len = 0; len < b.length; len = len < dataOffset + 64 ? len + 1 : len + 1021) {
            lengths.add(len);
        }
        int checked = 0;
        // shrink one file step by step instead of writing thousands of copies
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            for (int i = lengths.size() - 1; i >= 0; i--) {
                int len = lengths.get(i);
                ch.truncate(len);
                try (GgufFile f = GgufFile.open(p)) {
                    throw new AssertionError("accepted a file truncated to " + len + " bytes: " + f);
                } catch (ModelFormatException e) {
                    assertThat(e.offset()).isBetween(0L, (long) len);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan((int) dataOffset);
    }

    @Test
    void randomBitFlipsInHeaderAndTensorInfos_acceptConsistentFileOrThrowModelFormatException() throws IOException {
        byte[] orig = stories();
        long dataOffset;
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            dataOffset = f.dataOffset();
        }
        long tensorInfoStart = indexOf(orig, "token_embd.weight".getBytes()) - 8;
        Random rnd = new Random(20261129L);
        Path p = tmp.resolve("flip.gguf");
        Files.write(p, orig);
        int accepted = 0;
        int rejected = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3000; i++) {
                int flips = 1 + rnd.nextInt(3);
                int[] at = new int[flips];
                for (int k = 0; k < flips; k++) {
                    // half of the flips in the tensor infos, half anywhere in the header + metadata
                    at[k] = rnd.nextBoolean() ? (int) (tensorInfoStart + rnd.nextInt((int) (dataOffset - tensorInfoStart)))
                            : rnd.nextInt((int) dataOffset);
                    int bit = rnd.nextInt(8);
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) (readByte(ch, at[k]) ^ (1 << bit))}), at[k]);
                }
                try (GgufFile f = GgufFile.open(p)) {
                    accepted++;
                    for (TensorInfo t : f.tensors()) {
                        assertThat(t.absoluteOffset() + t.byteSize()).isLessThanOrEqualTo(f.fileSize());
                        assertThat(f.tensorData(t).byteSize()).isEqualTo(t.byteSize());
                        if (t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16) {
                            float[] row = new float[(int) t.rowLength()];
                            f.readRow(t, t.rowCount() - 1, row, 0);
                        }
                    }
                    f.metadata().values().forEach(String::valueOf);
                } catch (ModelFormatException e) {
                    rejected++;
                }
                for (int k = flips - 1; k >= 0; k--) {
                    ch.write(ByteBuffer.wrap(new byte[] {orig[at[k]]}), at[k]);
                }
            }
        }
        assertThat(accepted + rejected).isEqualTo(3000);
        assertThat(rejected).isPositive();
    }

    private static byte readByte(FileChannel ch, long at) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        ch.read(one, at);
        return one.get(0);
    }

    static long indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
