package io.autoglm.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.LlamaSmoke;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelsTest {

    @TempDir
    Path tmp;

    @Test
    void syntheticLlama_hasRequestedShapeVocabAndHparams_andLlamaCppRunsIt() throws IOException {
        Path vocab = TestModels.vocab("ggml-vocab-llama-spm.gguf");
        SyntheticModels.Builder b = SyntheticModels.llama(vocab).embd(256).layers(8).heads(8).headsKv(4).ff(768).context(256)
                .type(GgmlType.F16).seed(7);
        Path p = b.write(tmp.resolve("syn.gguf"));
        try (GgufFile f = GgufFile.open(p); GgufFile v = GgufFile.open(vocab)) {
            assertThat(f.architecture()).contains("llama");
            assertThat(f.embeddingLength()).hasValue(256);
            assertThat(f.blockCount()).hasValue(8);
            assertThat(f.headCount()).hasValue(8);
            assertThat(f.getLong("llama.attention.head_count_kv")).hasValue(4);
            assertThat(f.getLong("llama.rope.dimension_count")).hasValue(32);
            assertThat(f.contextLength()).hasValue(256);
            assertThat(f.fileType()).hasValue(1);
            assertThat(f.vocabSize()).isEqualTo(32_000);
            v.metadata().forEach((k, val) -> {
                if (k.startsWith("tokenizer.")) {
                    assertThat(f.get(k)).as(k).contains(val);
                }
            });
            assertThat(f.tensors()).hasSize(3 + 8 * 9);
            assertThat(f.parameterCount()).isEqualTo(b.parameterCount());
            assertThat(f.tensor("blk.7.attn_k.weight").orElseThrow().shape()).containsExactly(256, 128);
            assertThat(f.tensor("blk.0.ffn_down.weight").orElseThrow().shape()).containsExactly(768, 256);
            assertThat(f.tensor("blk.0.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("blk.0.ffn_norm.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
            float[] row = new float[256];
            f.readRow(f.tensor("blk.3.attn_q.weight").orElseThrow(), 5, row, 0);
            double sumSq = 0;
            for (float x : row) {
                sumSq += x * x;
            }
            assertThat(sumSq / 256).isBetween(0.5 / 256, 2.0 / 256); // N(0, 1/256)
            LlamaSmoke.Result r = LlamaSmoke.greedy(p, new int[] {1, 450, 4996}, 4);
            assertThat(r.embeddingLength()).isEqualTo(256);
            assertThat(r.nVocab()).isEqualTo(32_000);
            assertThat(r.generated()).hasSize(4);
            assertThat(java.util.Arrays.stream(r.generated()).boxed().toList()).allMatch(t -> t >= 0 && t < 32_000);
        }
    }

    @Test
    void sameSeed_givesIdenticalFile_otherSeedDiffers() throws IOException {
        Path vocab = TestModels.vocab("ggml-vocab-llama-spm.gguf");
        Path a = SyntheticModels.llama(vocab).embd(64).layers(1).heads(4).headsKv(4).ff(128).type(GgmlType.F32).seed(1)
                .tiedEmbeddings(true).write(tmp.resolve("a.gguf"));
        Path b = SyntheticModels.llama(vocab).embd(64).layers(1).heads(4).headsKv(4).ff(128).type(GgmlType.F32).seed(1)
                .tiedEmbeddings(true).write(tmp.resolve("b.gguf"));
        Path c = SyntheticModels.llama(vocab).embd(64).layers(1).heads(4).headsKv(4).ff(128).type(GgmlType.F32).seed(2)
                .tiedEmbeddings(true).write(tmp.resolve("c.gguf"));
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
        try (GgufFile f = GgufFile.open(a)) {
            assertThat(f.tensor("output.weight")).isEmpty();
        }
        LlamaSmoke.Result r = LlamaSmoke.greedy(a, new int[] {1, 100}, 2);
        assertThat(r.generated()).hasSize(2);
    }

    @Test
    void stories260K_runsThroughTheSmokeCheck() {
        LlamaSmoke.Result r = LlamaSmoke.greedy(TestModels.stories260K(), new int[] {1, 403, 407}, 3);
        assertThat(r.embeddingLength()).isEqualTo(64);
        assertThat(r.generated()).hasSize(3);
        assertThat(r.nVocab()).isEqualTo(512);
    }
}
