package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.gguf.GgufFile;
import io.autoglm.testing.LlamaSmoke;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelQuantizerTest {

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path synthetic;

    @BeforeAll
    static void writeSynthetic() throws IOException {
        synthetic = SyntheticModels.llama(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(256).layers(8).heads(8).headsKv(2)
                .ff(512).context(256).type(GgmlType.F16).seed(3).write(shared.resolve("synthetic-256.gguf"));
    }

    static List<Quantization> presets() {
        return TensorTypeRulesTest.presets();
    }

    private static QuantizationResult quantize(Path in, Path out, Quantization q) {
        return ModelQuantizer.builder().input(in).output(out).preset(q).threads(2).build().quantize();
    }

    /** Relative RMS error of the output tensor's values against the input's. */
    private static double relativeError(GgufFile src, GgufFile dst, String name) {
        TensorInfo a = src.tensor(name).orElseThrow();
        TensorInfo b = dst.tensor(name).orElseThrow();
        int n = (int) a.rowLength();
        int rows = (int) Math.min(a.rowCount(), 64);
        float[] x = new float[n];
        float[] y = new float[n];
        byte[] raw = new byte[(int) b.rowBytes()];
        double err = 0;
        double ref = 0;
        for (int r = 0; r < rows; r++) {
            src.readRow(a, r, x, 0);
            if (b.type().isQuantized()) {
                java.lang.foreign.MemorySegment.copy(dst.tensorData(b), ValueLayout.JAVA_BYTE, r * b.rowBytes(), raw, 0, raw.length);
                BlockCodecs.of(b.type()).dequantize(raw, 0, y, 0, n);
            } else {
                dst.readRow(b, r, y, 0);
            }
            for (int i = 0; i < n; i++) {
                err += (x[i] - y[i]) * (double) (x[i] - y[i]);
                ref += x[i] * (double) x[i];
            }
        }
        return Math.sqrt(err / ref);
    }

    private static void assertFollowsPlan(Path in, Path out, Quantization q) {
        try (GgufFile src = GgufFile.open(in); GgufFile dst = GgufFile.open(out)) {
            List<TensorPlan> plan = ModelQuantizer.plan(src, q, false);
            assertThat(dst.tensors()).extracting(TensorInfo::name).containsExactlyElementsOf(plan.stream().map(TensorPlan::name).toList());
            for (TensorPlan p : plan) {
                TensorInfo t = dst.tensor(p.name()).orElseThrow();
                assertThat(t.type()).as("%s %s", q, p.name()).isEqualTo(p.targetType());
                assertThat(t.shape()).isEqualTo(p.shape());
            }
            assertThat(dst.fileType()).hasValue(q.fileType());
            assertThat(dst.getLong("general.quantization_version")).hasValue(2);
            src.metadata().forEach((k, v) -> {
                if (!k.equals("general.file_type") && !k.equals("general.quantization_version")) {
                    assertThat(dst.get(k)).as(k).contains(v);
                }
            });
            assertThat(dst.parameterCount()).isEqualTo(src.parameterCount());
            // every quantized tensor decodes close to its source
            for (TensorPlan p : plan) {
                if (p.quantizable()) {
                    double e = relativeError(src, dst, p.name());
                    double limit = switch (p.targetType()) {
                        case F16, BF16, Q8_0 -> 0.01;
                        case Q6_K, Q5_0, Q5_1, Q5_K -> 0.08;
                        case Q4_0, Q4_1, Q4_K -> 0.16;
                        default -> 0.5;
                    };
                    assertThat(e).as("%s %s %s", q, p.name(), p.targetType()).isLessThan(limit);
                }
            }
        }
    }

    @Test
    void stories260K_quantizesToEveryPreset_readBackFollowsThePlan_andLlamaCppRunsIt() {
        Path in = TestModels.stories260K();
        for (Quantization q : presets()) {
            Path out = tmp.resolve("stories-" + q + ".gguf");
            QuantizationResult r = quantize(in, out, q);
            assertThat(r.tensorsPerType().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(48);
            assertThat(r.outputBytes()).isEqualTo(out.toFile().length());
            assertFollowsPlan(in, out, q);
            LlamaSmoke.Result run = LlamaSmoke.greedy(out, new int[] {1, 403, 407}, 3);
            assertThat(run.nVocab()).as(q.name()).isEqualTo(512);
            assertThat(run.generated()).hasSize(3);
        }
    }

    @Test
    void synthetic256Model_quantizesToEveryPreset_withKQuantsApplied_andLlamaCppRunsIt() {
        Map<Quantization, Long> size = new java.util.EnumMap<>(Quantization.class);
        for (Quantization q : presets()) {
            Path out = tmp.resolve("syn-" + q + ".gguf");
            QuantizationResult r = quantize(synthetic, out, q);
            size.put(q, r.outputBytes());
            assertThat(r.fallbacks()).as(q.name()).isZero();
            assertFollowsPlan(synthetic, out, q);
            LlamaSmoke.Result run = LlamaSmoke.greedy(out, new int[] {1, 450, 4996}, 3);
            assertThat(run.nVocab()).isEqualTo(32_000);
            assertThat(run.generated()).hasSize(3);
        }
        try (GgufFile f = GgufFile.open(tmp.resolve("syn-Q4_K_M.gguf"))) {
            assertThat(f.tensor("output.weight").orElseThrow().type()).isEqualTo(GgmlType.Q6_K);
            assertThat(f.tensor("blk.0.attn_q.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensor("blk.0.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.Q6_K);
            assertThat(f.tensor("blk.1.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensor("blk.0.attn_norm.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
        }
        // file sizes order by precision
        assertThat(size.get(Quantization.F16)).isEqualTo(size.get(Quantization.BF16));
        assertThat(size.get(Quantization.F16)).isGreaterThan(size.get(Quantization.Q8_0));
        assertThat(size.get(Quantization.Q8_0)).isGreaterThan(size.get(Quantization.Q6_K));
        assertThat(size.get(Quantization.Q6_K)).isGreaterThan(size.get(Quantization.Q5_K_M));
        assertThat(size.get(Quantization.Q5_K_M)).isGreaterThan(size.get(Quantization.Q5_K_S));
        assertThat(size.get(Quantization.Q5_K_S)).isGreaterThan(size.get(Quantization.Q4_K_M));
        assertThat(size.get(Quantization.Q4_K_M)).isGreaterThan(size.get(Quantization.Q4_K_S));
        assertThat(size.get(Quantization.Q4_K_S)).isGreaterThan(size.get(Quantization.Q3_K_M));
        assertThat(size.get(Quantization.Q3_K_M)).isGreaterThan(size.get(Quantization.Q2_K));
    }

    @Test
    void sameInput_givesIdenticalBytes_forOneAndTwoThreads() throws IOException {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        ModelQuantizer.builder().input(synthetic).output(a).preset("int4").threads(1).build().quantize();
        ModelQuantizer.builder().input(synthetic).output(b).preset("Q4_K_M").threads(2).build().quantize();
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }

    @Test
    void alreadyQuantizedInput_isDequantizedAndRequantized() {
        Path q8 = tmp.resolve("q8.gguf");
        quantize(synthetic, q8, Quantization.Q8_0);
        Path q4 = tmp.resolve("q4.gguf");
        quantize(q8, q4, Quantization.Q4_0);
        try (GgufFile src = GgufFile.open(synthetic); GgufFile f = GgufFile.open(q4)) {
            assertThat(f.tensor("blk.0.attn_q.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_0);
            assertThat(relativeError(src, f, "blk.0.attn_q.weight")).isLessThan(0.16);
        }
        LlamaSmoke.greedy(q4, new int[] {1, 2000}, 2);
    }

    @Test
    void progressIsReportedForEveryTensorInOrder() {
        List<QuantizationProgress> seen = new ArrayList<>();
        QuantizationResult r = ModelQuantizer.builder().input(TestModels.stories260K()).output(tmp.resolve("p.gguf"))
                .preset(Quantization.Q8_0).threads(1).listener(seen::add).build().quantize();
        assertThat(seen).hasSize(48);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i).tensorsDone()).isEqualTo(i + 1);
            assertThat(seen.get(i).tensorCount()).isEqualTo(48);
        }
        assertThat(seen.getLast().fraction()).isEqualTo(1.0);
        assertThat(seen.getFirst().tensorName()).isEqualTo("output.weight");
        assertThat(r.tensorsPerType()).containsEntry(GgmlType.F32, 11);
    }

    private void assertFolderEmpty() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).as("no output and no temporary file").isEmpty();
        }
    }

    @Test
    void listenerThrowingMidway_cancels_andLeavesNoOutput() throws IOException {
        Path out = tmp.resolve("cancel.gguf");
        ModelQuantizer mq = ModelQuantizer.builder().input(synthetic).output(out).preset(Quantization.Q4_K_M).threads(2)
                .listener(p -> {
                    if (p.tensorsDone() == 20) {
                        throw new CancellationException("stop at 20");
                    }
                }).build();
        assertThatThrownBy(mq::quantize).isInstanceOf(CancellationException.class).hasMessage("stop at 20");
        assertFolderEmpty();
    }

    @Test
    void interruptMidway_givesQuantizationException_andLeavesNoOutput() throws IOException {
        Path out = tmp.resolve("int.gguf");
        ModelQuantizer mq = ModelQuantizer.builder().input(synthetic).output(out).preset(Quantization.Q4_K_M).threads(2)
                .listener(p -> {
                    if (p.tensorsDone() == 5) {
                        Thread.currentThread().interrupt();
                    }
                }).build();
        try {
            assertThatThrownBy(mq::quantize).isInstanceOf(QuantizationException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertFolderEmpty();
    }

    @Test
    void interruptFromAnotherThread_whileATensorIsBeingConverted_givesQuantizationException_andLeavesNoOutput(
            @TempDir Path inDir) throws Exception {
        // one 4096 x 4096 F32 matrix to Q4_K takes a few hundred ms on 2 threads: the interrupts land inside it,
        // while the workers are reading and writing with positional I/O. The moments are fractions of a measured
        // uninterrupted run, not fixed milliseconds, so a faster or a busier machine moves them along.
        Path in = inDir.resolve("big.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putUint32("llama.block_count", 1);
        w.putUint32("llama.embedding_length", 4096);
        w.putUint32("llama.attention.head_count", 32);
        w.putUint32("llama.attention.head_count_kv", 32);
        w.addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {4096, 4096}, o -> {
            java.nio.ByteBuffer row = java.nio.ByteBuffer.allocate(4096 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            java.util.SplittableRandom r = new java.util.SplittableRandom(9);
            for (int i = 0; i < 4096; i++) {
                row.clear();
                while (row.hasRemaining()) {
                    row.putFloat((float) r.nextGaussian());
                }
                o.write(row.flip());
            }
        });
        w.write(in);
        Path out = tmp.resolve("interrupted.gguf");
        ModelQuantizer mq = ModelQuantizer.builder().input(in).output(out).preset(Quantization.Q4_K_S).pure(true).threads(2)
                .build();
        long t0 = System.nanoTime();
        mq.quantize();
        long fullMillis = (System.nanoTime() - t0) / 1_000_000;
        Files.delete(out);
        // different moments: the calling thread may be reading, quantizing, writing or waiting for the other worker
        int landed = 0;
        for (double fraction : new double[] {0.05, 0.15, 0.3, 0.45, 0.6}) {
            long delayMillis = Math.max(1, Math.round(fullMillis * fraction));
            Throwable[] thrown = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    mq.quantize();
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            t.start();
            Thread.sleep(delayMillis);
            t.interrupt();
            t.join(30_000);
            assertThat(t.isAlive()).isFalse();
            if (thrown[0] == null) {
                // this run beat the interrupt (the machine got faster than the measured run): a complete file
                try (GgufFile f = GgufFile.open(out)) {
                    assertThat(f.tensors()).hasSize(1);
                }
                Files.delete(out);
                continue;
            }
            landed++;
            assertThat(thrown[0]).as("interrupted after %d ms", delayMillis).isInstanceOf(QuantizationException.class)
                    .hasMessageContaining("was interrupted").hasMessageContaining("no output was written");
            assertFolderEmpty();
        }
        assertThat(landed).as("interrupts that landed inside a %d ms run", fullMillis).isGreaterThanOrEqualTo(3);
    }

    @Test
    void unwritablePaths_giveClearErrors() throws IOException {
        Path stories = TestModels.stories260K();
        Path missing = tmp.resolve("no/such/folder/out.gguf");
        assertThatThrownBy(() -> quantize(stories, missing, Quantization.Q8_0))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("cannot write").hasMessageContaining("no/such/folder");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> quantize(stories, file.resolve("out.gguf"), Quantization.Q8_0))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("cannot write");
        Path dir = Files.createDirectory(tmp.resolve("dir.gguf"));
        assertThatThrownBy(() -> quantize(stories, dir, Quantization.Q8_0))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("directory");
    }

    @Test
    void pure_skipsTheMix_butKeepsRowLengthFallbacks() {
        Path out = tmp.resolve("pure.gguf");
        ModelQuantizer.builder().input(TestModels.stories260K()).output(out).preset(Quantization.Q4_K_M).pure(true).threads(1)
                .build().quantize();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("output.weight").orElseThrow().type()).isEqualTo(GgmlType.Q5_0); // Q4_K -> Q5_0, no Q6_K/Q8_0 rule
            assertThat(f.tensor("blk.2.attn_v.weight").orElseThrow().type()).isEqualTo(GgmlType.Q5_0);
            assertThat(f.tensor("blk.0.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.F16);
        }
    }

    @Test
    void nanWeight_givesQuantizationExceptionNamingTheTensor_andNoOutput() throws IOException {
        Path in = tmp.resolve("nan.gguf");
        io.autoglm.gguf.GgufWriter w = new io.autoglm.gguf.GgufWriter();
        w.putString("general.architecture", "llama");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64 * 2 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 128; i++) {
            b.putFloat(i == 77 ? Float.NaN : i * 0.01f);
        }
        w.addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {64, 2}, b.array());
        w.write(in);
        Path out = tmp.resolve("nan-q4.gguf");
        assertThatThrownBy(() -> quantize(in, out, Quantization.Q4_0)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("blk.0.attn_q.weight");
        assertThat(out).doesNotExist();
    }

    @Test
    void inputCutShortWhileQuantizing_isReportedAsAReadFailureOfTheInput_notAsAFullDisk() throws IOException {
        Path in = tmp.resolve("cut.gguf");
        io.autoglm.gguf.GgufWriter w = new io.autoglm.gguf.GgufWriter();
        w.putString("general.architecture", "llama");
        w.addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {64, 4}, new byte[64 * 4 * 4]);
        w.addTensor("blk.0.attn_k.weight", GgmlType.F32, new long[] {64, 4}, new byte[64 * 4 * 4]);
        w.write(in);
        java.util.Map<String, Long> offsets = new java.util.HashMap<>();
        try (GgufFile f = GgufFile.open(in)) {
            f.tensors().forEach(t -> offsets.put(t.name(), t.absoluteOffset()));
        }
        Path out = tmp.resolve("cut-q4.gguf");
        String[] second = new String[1];
        ModelQuantizer mq = ModelQuantizer.builder().input(in).output(out).preset(Quantization.Q4_0).pure(true).threads(1)
                .listener(p -> {
                    if (p.tensorsDone() == 1) { // the other tensor has not been read yet: cut its data off
                        second[0] = offsets.keySet().stream().filter(n -> !n.equals(p.tensorName())).findFirst().orElseThrow();
                        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(in,
                                java.nio.file.StandardOpenOption.WRITE)) {
                            ch.truncate(offsets.get(second[0]));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }).build();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(mq::quantize);
        assertThat(thrown).isInstanceOf(QuantizationException.class).hasMessageContaining("cannot read")
                .hasMessageContaining(second[0]).hasMessageContaining(in.toString())
                .hasMessageNotContaining("cannot write").hasMessageNotContaining("disk full");
        assertThat(thrown).hasRootCauseInstanceOf(java.io.EOFException.class);
        Files.delete(in);
        assertFolderEmpty();
    }

    @Test
    void builder_validatesAtOnce() {
        assertThatThrownBy(() -> ModelQuantizer.builder().threads(0)).hasMessage("threads must be in [1, 1024], was 0");
        assertThatThrownBy(() -> ModelQuantizer.builder().threads(1025)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be in [1, 1024], was 1025");
        assertThatThrownBy(() -> ModelQuantizer.builder().preset(Quantization.AUTO)).hasMessageContaining("concrete");
        assertThatThrownBy(() -> ModelQuantizer.builder().preset("q7_x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelQuantizer.builder().input(tmp).build()).isInstanceOf(IllegalStateException.class);
        Path p = tmp.resolve("x.gguf");
        assertThatThrownBy(() -> ModelQuantizer.builder().input(p).output(p).preset("int8").build())
                .hasMessageContaining("output must differ");
        assertThatThrownBy(() -> ModelQuantizer.builder().input(tmp.resolve("missing.gguf")).output(p).preset("fp16").build()
                .quantize()).isInstanceOf(ModelLoadException.class);
    }
}
