package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.memory.PrecisionDecision;
import io.autoglm.memory.PrecisionPlanner;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecisionPlannerTest {
    private static final int CTX = 128;

    @TempDir
    static Path shared;

    @TempDir
    Path cache;

    static Path synthetic;

    @BeforeAll
    static void writeSynthetic() throws IOException {
        synthetic = SyntheticModels.llama(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(256).layers(2).heads(4).headsKv(2)
                .ff(512).context(256).type(GgmlType.F32).seed(11).write(shared.resolve("planner-f32.gguf"));
    }

    /** What an explicit preset needs, from the planner itself (no budget check). */
    private long need(PrecisionPlanner p, Path model, Quantization q) {
        return p.decide(model, q, CTX, Long.MAX_VALUE).requiredBytes();
    }

    @Test
    void provider_isFoundThroughServiceLoader() {
        assertThat(PrecisionPlanner.create(cache).canQuantize()).isTrue();
    }

    @Test
    void auto_keepsTheFileAsStored_whenItFits() {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        long stored = p.decide(synthetic, Quantization.NONE, CTX, Long.MAX_VALUE).requiredBytes();
        PrecisionDecision d = p.decide(synthetic, Quantization.AUTO, CTX, stored);
        assertThat(d.chosen()).isEqualTo(Quantization.NONE);
        assertThat(d.file()).isEqualTo(synthetic);
        assertThat(d.summary()).contains("as stored").contains("budget");
    }

    @Test
    void auto_picksTheMostPreciseFittingPreset_asTheBudgetShrinks() {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        long f16 = need(p, synthetic, Quantization.F16);
        long q8 = need(p, synthetic, Quantization.Q8_0);
        long q4km = need(p, synthetic, Quantization.Q4_K_M);
        long q2k = need(p, synthetic, Quantization.Q2_K);
        assertThat(f16).isGreaterThan(q8);
        assertThat(q8).isGreaterThan(q4km);
        assertThat(q4km).isGreaterThan(q2k);

        assertThat(p.decide(synthetic, Quantization.AUTO, CTX, f16).chosen()).isEqualTo(Quantization.F16);
        assertThat(p.decide(synthetic, Quantization.AUTO, CTX, f16 - 1).chosen()).isEqualTo(Quantization.Q8_0);
        assertThat(p.decide(synthetic, Quantization.AUTO, CTX, q8).chosen()).isEqualTo(Quantization.Q8_0);
        PrecisionDecision d = p.decide(synthetic, Quantization.AUTO, CTX, q4km);
        assertThat(d.chosen()).isEqualTo(Quantization.Q4_K_M);
        assertThat(d.requiredBytes()).isEqualTo(q4km).isLessThanOrEqualTo(d.budgetBytes());
        assertThat(d.file().getFileName().toString())
                .isEqualTo(PrecisionPlanner.sha256(synthetic) + "-Q4_K_M.gguf");
        assertThat(d.file().getParent()).isEqualTo(cache);
        // nothing was written by decide
        assertThat(d.file()).doesNotExist();
    }

    @Test
    void kvCache_followsTheFormula_andGrowsWithContext() {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        // 2 layers x ctx x (2 kv heads x 64 + 2 x 64) x 2 bytes
        assertThat(p.decide(synthetic, Quantization.AUTO, CTX, Long.MAX_VALUE).kvCacheBytes()).isEqualTo(2L * CTX * 256 * 2);
        assertThat(p.decide(synthetic, Quantization.AUTO, 256, Long.MAX_VALUE).kvCacheBytes()).isEqualTo(2L * 256 * 256 * 2);
    }

    @Test
    void auto_failsNamingTheSmallestBudgetThatWorks_whenNothingFits() {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        long q2k = need(p, synthetic, Quantization.Q2_K);
        assertThatThrownBy(() -> p.decide(synthetic, Quantization.AUTO, CTX, q2k - 1))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("smallest budget that would work is " + q2k + " bytes")
                .hasMessageContaining("Q2_K");
        // and that budget does work
        assertThat(p.decide(synthetic, Quantization.AUTO, CTX, q2k).chosen()).isEqualTo(Quantization.Q2_K);
    }

    @Test
    void explicitPreset_withTooSmallExplicitBudget_failsNamingItsNeed() {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        long q8 = need(p, synthetic, Quantization.Q8_0);
        assertThatThrownBy(() -> p.decide(synthetic, Quantization.Q8_0, CTX, q8 - 1))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("smallest budget that works for Q8_0 is " + q8 + " bytes");
    }

    @Test
    void resolve_quantizesOnce_andReusesTheCachedCopy() throws IOException {
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        long q8 = need(p, synthetic, Quantization.Q8_0);
        PrecisionDecision first = p.resolve(synthetic, Quantization.AUTO, CTX, q8, 2);
        assertThat(first.chosen()).isEqualTo(Quantization.Q8_0);
        assertThat(first.file()).exists();
        try (GgufFile f = GgufFile.open(first.file())) {
            assertThat(f.tensor("blk.0.attn_q.weight").orElseThrow().type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.fileType().orElseThrow()).isEqualTo(Quantization.Q8_0.fileType());
        }
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(first.file(), old);
        PrecisionDecision second = PrecisionPlanner.create(cache).resolve(synthetic, Quantization.AUTO, CTX, q8, 2);
        assertThat(second.file()).isEqualTo(first.file());
        assertThat(Files.getLastModifiedTime(second.file())).isEqualTo(old);
        try (var files = Files.list(cache)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void builderWithAuto_quantizesStories260K_toFitTheBudget_andGenerates() {
        Path stories = TestModels.stories260K();
        PrecisionPlanner p = PrecisionPlanner.create();
        long q8 = need(p, stories, Quantization.Q8_0);
        try (LanguageModel m = AutoGLM.builder().model(stories).quantization(Quantization.AUTO).memoryBudget(q8)
                .contextSize(CTX).threads(2).embeddings(false).build()) {
            assertThat(m.info().precisionDecision()).startsWith("AUTO -> Q8_0");
            assertThat(m.info().fileType()).isEqualTo(Quantization.Q8_0.fileType());
            assertThat(m.info().path()).isNotEqualTo(stories);
            Completion c = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(8).build());
            assertThat(c.tokens()).isNotEmpty();
            assertThat(c.text()).isNotBlank();
        }
        try (LanguageModel m = AutoGLM.builder().model(stories).quantization(Quantization.parse("int4")).contextSize(CTX)
                .threads(2).embeddings(false).build()) {
            assertThat(m.info().precisionDecision()).startsWith("Q4_K_M -> Q4_K_M");
            assertThat(m.info().fileType()).isEqualTo(Quantization.Q4_K_M.fileType());
            assertThat(m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(4).build()).tokens())
                    .isNotEmpty();
        }
    }
}
