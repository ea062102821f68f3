package io.autoglm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Core alone: autoglm-quant is not on core's test class path, so no provider is found. */
class PrecisionPlannerCoreTest {
    @TempDir
    Path cache;

    @Test
    void withoutAutoglmQuant_explicitPresetsFailClearly() {
        Path stories = TestModels.stories260K(); // outside the lambda: a missing-fixture skip must not be "thrown"
        PrecisionPlanner p = PrecisionPlanner.create(cache);
        assertThat(p.canQuantize()).isFalse();
        assertThatThrownBy(() -> p.decide(stories, Quantization.Q4_K_M, 64, -1))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("needs autoglm-quant");
    }

    @Test
    void withoutAutoglmQuant_autoStillRunsTheFileAsStored_whenItFits() {
        PrecisionDecision d = PrecisionPlanner.create(cache).decide(TestModels.stories260K(), Quantization.AUTO, 64, 1L << 40);
        assertThat(d.chosen()).isEqualTo(Quantization.NONE);
        assertThat(d.budgetSource()).isEqualTo("memoryBudget");
        assertThat(d.summary()).startsWith("AUTO -> as stored");
    }

    @Test
    void withoutAutoglmQuant_autoThatMustShrink_namesTheMissingModule() {
        Path stories = TestModels.stories260K();
        assertThatThrownBy(() -> PrecisionPlanner.create(cache).decide(stories, Quantization.AUTO, 64, 1000))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("autoglm-quant");
    }

    @Test
    void sha256_isStreamedAndMatchesTheKnownDigestOfASmallFile() throws Exception {
        Path f = Files.writeString(cache.resolve("abc.txt"), "abc");
        assertThat(PrecisionPlanner.sha256(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void kvCache_ofStories260K_followsTheFormula() {
        try (var f = io.autoglm.gguf.GgufFile.open(TestModels.stories260K())) {
            long layers = f.blockCount().orElseThrow();
            long embd = f.embeddingLength().orElseThrow();
            long heads = f.headCount().orElseThrow();
            long kvHeads = f.getLong("llama.attention.head_count_kv").orElse(heads);
            assertThat(PrecisionPlanner.kvCacheBytes(f, 100)).isEqualTo(layers * 100 * 2 * (embd / heads * kvHeads) * 2);
        }
    }
}
