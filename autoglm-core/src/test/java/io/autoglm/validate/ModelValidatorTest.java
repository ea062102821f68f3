package io.autoglm.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelFormatException;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufArray;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import io.autoglm.testing.GgufMutants;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The semantic checks: real files pass, and each rule refuses an edited copy of stories260K (or of a vocab file) with a
 * message naming the key or tensor, its value and what was expected. The edits that aborted llama.cpp before these
 * checks existed (issue 17) are the first cases.
 */
class ModelValidatorTest {
    @TempDir
    Path dir;
    private int n;

    private Path edited(Path source, Consumer<GgufMutants.Model> edit) throws IOException {
        GgufMutants.Model m = GgufMutants.Model.read(source);
        edit.accept(m);
        return m.write(dir.resolve("edited-" + (n++) + ".gguf"));
    }

    private Path stories(Consumer<GgufMutants.Model> edit) throws IOException {
        return edited(TestModels.stories260K(), edit);
    }

    private static Consumer<GgufMutants.Model> put(String key, GgufValue v) {
        return m -> m.metadata.put(key, v);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Path file, String... parts) {
        var a = assertThatThrownBy(() -> ModelValidator.validate(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("expected").hasMessageContaining(file.getFileName().toString());
        for (String p : parts) {
            a.hasMessageContaining(p);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------ files that pass

    @Test
    void shippedModels_passWithTheirWholeTensorSetChecked() {
        ModelValidator.Report s = ModelValidator.validate(TestModels.stories260K());
        assertThat(s).isEqualTo(new ModelValidator.Report("llama", ModelValidator.Coverage.ARCHITECTURE, 48, 512));
        ModelValidator.Report t = ModelValidator.validate(TestModels.tinyRandom());
        assertThat(t).isEqualTo(new ModelValidator.Report("llama", ModelValidator.Coverage.ARCHITECTURE, 12, 32000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"})
    void vocabOnlyFiles_passWithHparamsAndVocabularyChecked(String name) {
        ModelValidator.Report r = ModelValidator.validate(TestModels.vocab(name));
        assertThat(r.coverage()).isEqualTo(ModelValidator.Coverage.VOCABULARY_ONLY);
        assertThat(r.tensors()).isZero();
        assertThat(r.vocabularySize()).isGreaterThan(30_000);
    }

    @Test
    void syntheticModels_ofOtherArchitectures_andTiedEmbeddings_pass() throws IOException {
        Path vocab = TestModels.vocab("ggml-vocab-llama-spm.gguf");
        Path qwen2 = SyntheticModels.qwen2(vocab).embd(64).layers(2).heads(4).headsKv(2).ff(128).write(dir.resolve("q2.gguf"));
        Path qwen3 = SyntheticModels.qwen3(vocab).embd(64).layers(2).heads(4).headsKv(2).ff(128).write(dir.resolve("q3.gguf"));
        Path tied = SyntheticModels.llama(vocab).embd(64).layers(1).heads(4).headsKv(4).ff(128).tiedEmbeddings(true)
                .type(GgmlType.F32).write(dir.resolve("tied.gguf"));
        assertThat(ModelValidator.validate(qwen2).coverage()).isEqualTo(ModelValidator.Coverage.ARCHITECTURE);
        assertThat(ModelValidator.validate(qwen3).coverage()).isEqualTo(ModelValidator.Coverage.ARCHITECTURE);
        assertThat(ModelValidator.validate(tied).tensors()).isEqualTo(11); // 2 + 9 per layer, no output.weight
        assertThat(ModelValidator.describedArchitectures()).containsExactlyInAnyOrder("llama", "qwen2", "qwen3");
    }

    @Test
    void everyMatrixType_theCpuKernelsMultiply_isAccepted_andTheOthersAreNot() throws IOException {
        // measured on b4916 and current llama.cpp: these types abort the CPU matmul or get_rows kernels
        assertThat(ModelValidator.matrixTypes()).doesNotContain(GgmlType.Q8_1, GgmlType.Q8_K, GgmlType.I8, GgmlType.I16,
                GgmlType.I32, GgmlType.I64, GgmlType.F64).contains(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
                GgmlType.Q4_K, GgmlType.IQ4_NL, GgmlType.TQ2_0);
        for (GgmlType t : List.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.IQ4_NL)) {
            Path p = stories(m -> m.tensors.get(m.indexOf("blk.1.attn_q.weight")).type = t);
            assertThat(ModelValidator.validate(p).coverage()).as(t.name()).isEqualTo(ModelValidator.Coverage.ARCHITECTURE);
        }
    }

    // ------------------------------------------------------------------------------------------ the aborts

    @ParameterizedTest
    @ValueSource(floats = {-1f, Float.NaN, 0f, Float.POSITIVE_INFINITY})
    void rmsEpsilon_thatIsNotFiniteAndPositive_isRefused(float eps) throws IOException {
        Path p = stories(put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(eps)));
        refused(p, "llama.attention.layer_norm_rms_epsilon", String.valueOf((double) eps));
    }

    @Test
    void blockCountZero_isRefused() throws IOException {
        refused(stories(put("llama.block_count", GgufValue.uint32(0))), "llama.block_count is 0", "[1, 512]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "BF16", "I8", "F16"})
    void normWeight_ofAnotherTypeThanF32_isRefused(String type) throws IOException {
        Path p = stories(m -> m.tensors.get(m.indexOf("blk.4.ffn_norm.weight")).type = GgmlType.valueOf(type));
        refused(p, "tensor blk.4.ffn_norm.weight is " + type + " [64]", "F32");
    }

    // ------------------------------------------------------------------------------------------ hyperparameters

    @Test
    void hyperparameters_outOfRange_areRefusedNamingTheKey() throws IOException {
        refused(stories(put("llama.context_length", GgufValue.uint32(0))), "llama.context_length is 0");
        refused(stories(m -> m.metadata.remove("llama.embedding_length")), "llama.embedding_length is missing");
        refused(stories(put("llama.block_count", GgufValue.uint32(600))), "llama.block_count is 600");
        refused(stories(put("llama.attention.head_count", GgufValue.uint32(7))), "llama.attention.head_count is 7",
                "a divisor of llama.embedding_length (64)");
        refused(stories(put("llama.attention.head_count", GgufValue.uint32(0))), "llama.attention.head_count is 0");
        refused(stories(put("llama.attention.head_count_kv", GgufValue.uint32(3))), "llama.attention.head_count_kv is 3",
                "a divisor of llama.attention.head_count (8)");
        refused(stories(put("llama.rope.dimension_count", GgufValue.uint32(7))), "llama.rope.dimension_count is 7", "even");
        refused(stories(put("llama.rope.dimension_count", GgufValue.uint32(4))), "llama.rope.dimension_count is 4",
                "the head size 8");
        refused(stories(put("llama.feed_forward_length", GgufValue.uint32(0))), "llama.feed_forward_length is 0");
        refused(stories(put("llama.rope.freq_base", GgufValue.float32(Float.POSITIVE_INFINITY))), "llama.rope.freq_base",
                "finite");
        refused(stories(put("llama.rope.freq_base", GgufValue.float32(-1))), "llama.rope.freq_base is -1.0", "> 0");
        refused(stories(put("llama.rope.scaling.type", GgufValue.string("bogus"))), "llama.rope.scaling.type is 'bogus'",
                "linear");
        refused(stories(put("llama.pooling_type", GgufValue.uint32(7))), "llama.pooling_type is 7");
        refused(stories(put("llama.expert_used_count", GgufValue.uint32(2))), "llama.expert_used_count is 2");
        refused(stories(put("llama.expert_count", GgufValue.uint32(300))), "llama.expert_count is 300", "256");
        refused(stories(put("llama.vocab_size", GgufValue.uint32(513))), "llama.vocab_size is 513", "512 tokens");
        refused(stories(put("llama.attention.key_length", GgufValue.uint32(16))), "llama.attention.value_length is 8",
                "the key length 16");
        refused(stories(m -> m.metadata.remove("llama.attention.layer_norm_rms_epsilon")),
                "llama.attention.layer_norm_rms_epsilon is missing");
    }

    @Test
    void perLayerArrays_areAccepted_whenTheyHaveOneValuePerLayer() throws IOException {
        GgufArray kv = GgufArray.ofIntegers(GgufValueType.UINT32, 4, 4, 4, 4, 4);
        assertThat(ModelValidator.validate(stories(put("llama.attention.head_count_kv", GgufValue.array(kv)))).coverage())
                .isEqualTo(ModelValidator.Coverage.ARCHITECTURE);
        GgufArray shortKv = GgufArray.ofIntegers(GgufValueType.UINT32, 4, 4);
        refused(stories(put("llama.attention.head_count_kv", GgufValue.array(shortKv))), "llama.attention.head_count_kv",
                "one value per layer (5)");
        GgufArray badKv = GgufArray.ofIntegers(GgufValueType.UINT32, 4, 4, 4, 4, 3);
        refused(stories(put("llama.attention.head_count_kv", GgufValue.array(badKv))), "llama.attention.head_count_kv[4] is 3");
    }

    @Test
    void layerCount_mustEqualTheBlocksTheTensorsDescribe() throws IOException {
        refused(stories(put("llama.block_count", GgufValue.uint32(4))), "tensor blk.4.", "in layer 4",
                "a layer below llama.block_count (4)");
        refused(stories(put("llama.block_count", GgufValue.uint32(6))), "llama.block_count is 6", "layer 5 has no tensors");
    }

    // ------------------------------------------------------------------------------------------ vocabulary

    @Test
    void vocabularyArrays_mustMatchInLengthAndElementType() throws IOException {
        refused(stories(m -> m.metadata.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(new float[511])))),
                "tokenizer.ggml.scores is an array of 511 values", "one per token (512)");
        refused(stories(m -> m.metadata.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofIntegers(GgufValueType.INT32,
                new long[512])))), "tokenizer.ggml.scores is an array of 512 INT32", "FLOAT32");
        refused(stories(m -> m.metadata.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofStrings(
                java.util.Collections.nCopies(512, "1"))))), "tokenizer.ggml.token_type is an array of 512 STRING", "INT32");
        refused(stories(m -> m.metadata.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofIntegers(GgufValueType.INT32,
                new long[512])))), "tokenizer.ggml.tokens", "an array of strings");
        refused(stories(m -> setScore(m, 7, Float.NaN)), "tokenizer.ggml.scores[7] is NaN", "a number");
        assertThat(ModelValidator.validate(stories(m -> setScore(m, 7, Float.NEGATIVE_INFINITY)))).isNotNull();
        refused(stories(m -> setType(m, 9, 9)), "tokenizer.ggml.token_type[9] is 9", "[0, 6]");
    }

    @Test
    void tokenTexts_mustBeUnique_andByteTokensSpelledAsBytes() throws IOException {
        refused(stories(m -> setToken(m, 300, "</s>")), "tokenizer.ggml.tokens[300] is '</s>'", "token 2 has it too");
        refused(stories(m -> setType(m, 300, 6)), "tokenizer.ggml.tokens[300]", "<0xHH>", "type 6 (byte)");
        refused(stories(m -> {
            setToken(m, 3 + 0xE6, "zzz-not-a-byte");
            setType(m, 3 + 0xE6, 1);
        }), "a vocabulary without <0xE6>", "every byte");
        refused(stories(put("tokenizer.ggml.model", GgufValue.string("none"))), "tokenizer.ggml.model is 'none'");
    }

    @Test
    void specialTokenIds_mustBeInsideTheVocabulary() throws IOException {
        // llama.cpp ignores an id outside the vocabulary and keeps its default: for BOS of an SPM vocabulary that is 1
        assertThat(ModelValidator.validate(stories(put("tokenizer.ggml.bos_token_id", GgufValue.uint32(512))))).isNotNull();
        assertThat(ModelValidator.validate(stories(put("tokenizer.ggml.eot_token_id", GgufValue.uint32(100_000)))))
                .isNotNull();
        // 2^32-1 (the usual "none") likewise ...
        assertThat(ModelValidator.validate(stories(put("tokenizer.ggml.bos_token_id", GgufValue.uint32(0xFFFF_FFFFL)))))
                .isNotNull();
        // ... but a tokenizer without a default BOS (t5) that is told to add one has none to add: llama.cpp asserts
        Consumer<GgufMutants.Model> t5 = m -> {
            m.metadata.put("tokenizer.ggml.model", GgufValue.string("t5"));
            m.metadata.remove("tokenizer.ggml.bos_token_id");
            m.metadata.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        };
        refused(stories(t5), "tokenizer.ggml.bos_token_id is none", "a BOS token");
        assertThat(ModelValidator.validate(stories(t5.andThen(put("tokenizer.ggml.add_bos_token", GgufValue.bool(false))))))
                .isNotNull();
        // a default outside a tiny vocabulary is refused too (llama.cpp would index past its token table)
        refused(stories(m -> {
            m.tensors.clear();
            m.metadata.keySet().removeIf(k -> k.endsWith("_token_id"));
            m.metadata.put("tokenizer.ggml.model", GgufValue.string("t5"));
            m.metadata.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(List.of("a", "b"))));
            m.metadata.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(0, 0)));
            m.metadata.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofIntegers(GgufValueType.INT32, 1, 1)));
        }), "tokenizer.ggml.unknown_token_id is absent", "default 2 for a t5 tokenizer is outside the 2-token vocabulary");
        // and an explicit id outside it does not help, since llama.cpp ignores it
        refused(edited(TestModels.stories260K(), m -> {
            m.tensors.clear();
            m.metadata.keySet().removeIf(k -> k.endsWith("_token_id"));
            m.metadata.put("tokenizer.ggml.model", GgufValue.string("t5"));
            m.metadata.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(List.of("a", "b"))));
            m.metadata.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(0, 0)));
            m.metadata.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofIntegers(GgufValueType.INT32, 1, 1)));
            m.metadata.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(5));
        }), "tokenizer.ggml.unknown_token_id is absent or outside the vocabulary");
    }

    @Test
    void bpeVocabularies_needStringMerges() throws IOException {
        Path gpt2 = TestModels.vocab("ggml-vocab-gpt-2.gguf");
        refused(edited(gpt2, m -> m.metadata.remove("tokenizer.ggml.merges")), "tokenizer.ggml.merges is missing");
        refused(edited(gpt2, m -> m.metadata.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofIntegers(
                GgufValueType.INT32, 1, 2)))), "tokenizer.ggml.merges is an array of 2 INT32");
    }

    @Test
    void vocabOnlyFiles_stillHaveTheirHyperparametersChecked() throws IOException {
        Path spm = TestModels.vocab("ggml-vocab-llama-spm.gguf");
        refused(edited(spm, m -> m.metadata.put("llama.block_count", GgufValue.uint32(0))), "llama.block_count is 0");
    }

    // ------------------------------------------------------------------------------------------ tensors

    @Test
    void tensorSet_mustBeExactlyTheArchitecturesOne() throws IOException {
        refused(stories(m -> m.tensors.remove(m.indexOf("blk.2.ffn_up.weight"))), "tensor blk.2.ffn_up.weight is missing",
                "[64, 172]");
        refused(stories(m -> m.tensors.get(m.indexOf("blk.1.attn_k.weight")).shape = new long[] {32, 64}),
                "tensor blk.1.attn_k.weight is of shape [32, 64]", "[64, 32]");
        refused(stories(m -> m.tensors.get(m.indexOf("token_embd.weight")).shape = new long[] {64, 511}),
                "tensor token_embd.weight is of shape [64, 511]", "[64, 512]");
        refused(stories(m -> {
            var t = m.tensors.get(m.indexOf("output_norm.weight"));
            m.tensors.add(copy(t, "blk.0.extra_norm.weight"));
        }), "tensor blk.0.extra_norm.weight is present", "only the tensors of a llama model with 5 layers");
        // a trailing dimension of 1 is the same shape for llama.cpp
        assertThat(ModelValidator.validate(stories(m -> m.tensors.get(m.indexOf("blk.1.attn_k.weight")).shape =
                new long[] {64, 32, 1}))).isNotNull();
    }

    @Test
    void tensorData_mustBe32ByteAligned_andTypeAssertedKeysUint32() throws IOException {
        // a valid GGUF with general.alignment 1 puts tensors at odd offsets; ggml asserts 32-byte aligned data
        refused(stories(put("general.alignment", GgufValue.uint32(1))), "at byte", "a multiple of 32", "general.alignment is 1");
        assertThat(ModelValidator.validate(stories(put("general.alignment", GgufValue.uint32(64))))).isNotNull();
        refused(stories(put("general.file_type", GgufValue.int64(0))), "general.file_type is 0 (INT64)", "UINT32");
    }

    @Test
    void matrices_ofTypesTheKernelsCannotMultiply_areRefused() throws IOException {
        refused(stories(m -> m.tensors.get(m.indexOf("blk.0.attn_q.weight")).type = GgmlType.Q8_1),
                "tensor blk.0.attn_q.weight is Q8_1 [64, 64]", "can multiply");
        refused(stories(m -> m.tensors.get(m.indexOf("token_embd.weight")).type = GgmlType.I32), "tensor token_embd.weight is I32");
    }

    @Test
    void otherArchitectures_getTheGenericChecks() throws IOException {
        Consumer<GgufMutants.Model> renamed = m -> {
            Map<String, GgufValue> old = new java.util.LinkedHashMap<>(m.metadata);
            m.metadata.clear();
            old.forEach((k, v) -> m.metadata.put(k.startsWith("llama.") ? "foo." + k.substring(6) : k, v));
            m.metadata.put("general.architecture", GgufValue.string("foo"));
        };
        assertThat(ModelValidator.validate(stories(renamed))).isEqualTo(new ModelValidator.Report("foo",
                ModelValidator.Coverage.GENERIC, 48, 512));
        refused(stories(renamed.andThen(m -> m.tensors.get(m.indexOf("blk.3.attn_norm.weight")).type = GgmlType.F16)),
                "tensor blk.3.attn_norm.weight is F16", "F32");
        refused(stories(renamed.andThen(put("foo.attention.layer_norm_epsilon", GgufValue.float32(-1)))),
                "foo.attention.layer_norm_epsilon is -1.0");
        refused(stories(renamed.andThen(put("foo.block_count", GgufValue.uint32(3)))), "in layer 3");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static GgufMutants.Tensor copy(GgufMutants.Tensor t, String name) {
        return GgufMutants.Tensor.of(name, t.type, t.shape.clone(), t.data.clone());
    }

    private static void setToken(GgufMutants.Model m, int i, String text) {
        List<String> l = new ArrayList<>(m.metadata.get("tokenizer.ggml.tokens").asArray().strings());
        l.set(i, text);
        m.metadata.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(l)));
    }

    private static void setType(GgufMutants.Model m, int i, long type) {
        long[] t = m.metadata.get("tokenizer.ggml.token_type").asArray().toLongArray();
        t[i] = type;
        m.metadata.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofIntegers(GgufValueType.INT32, t)));
    }

    private static void setScore(GgufMutants.Model m, int i, float v) {
        float[] s = m.metadata.get("tokenizer.ggml.scores").asArray().toFloatArray();
        s[i] = v;
        m.metadata.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(s)));
    }
}
