package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.Test;

class FfmEmbeddingTest {
    @Test
    void embeddings_haveModelDimension_areDeterministic_andNormalisable() {
        try (FfmModel m = (FfmModel) new FfmBackend().load(
                FfmTestSupport.spec(TestModels.stories260K(), 1, 128, null, true))) {
            int[] a = m.tokenize("The cat sat on the mat.", true, false);
            int[] b = m.tokenize("Lily went to the park to play.", true, false);
            float[] e1 = FfmTestSupport.embed(m, a, false);
            float[] e2 = FfmTestSupport.embed(m, a, false);
            float[] other = FfmTestSupport.embed(m, b, false);
            assertThat(e1).hasSize(64).containsExactly(e2);
            assertThat(other).hasSize(64).isNotEqualTo(e1);
            float[] n = FfmTestSupport.embed(m, a, true);
            double norm = 0;
            for (float v : n) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
            double raw = 0;
            for (float v : e1) {
                raw += v * v;
            }
            double scale = Math.sqrt(raw);
            for (int i = 0; i < n.length; i++) {
                assertThat((double) n[i]).isCloseTo(e1[i] / scale, within(1e-5));
            }
            // generation still works beside the embedding context
            assertThat(FfmTestSupport.generate(m, m.tokenize("Once upon a time", true, false),
                    io.autoglm.SamplingParams.greedy(), 4, true, null).tokens()).hasSize(4);
        }
    }

    @Test
    void embeddings_withoutEagerContext_createItOnFirstUse() {
        try (FfmModel m = FfmTestSupport.load(TestModels.tinyRandom(), 1, 64)) {
            float[] e = FfmTestSupport.embed(m, m.tokenize("hello world", true, false), true);
            assertThat(e).hasSize(m.embeddingLength());
            assertThat(FfmTestSupport.embed(m, m.tokenize("hello world", true, false), true)).containsExactly(e);
        }
    }
}
