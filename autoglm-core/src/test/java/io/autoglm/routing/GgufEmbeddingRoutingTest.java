package io.autoglm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.Test;

/** The router on a GGUF model's own embeddings (through the core, no extra module). */
class GgufEmbeddingRoutingTest {
    @Test
    void router_onAGgufModelsEmbeddings_findsAnExampleAsItsOwnNeighbour() {
        try (LanguageModel m = AutoGLM.builder().model(TestModels.stories260K()).contextSize(256).parallel(1).threads(1)
                .build()) {
            EmbeddingFunction e = EmbeddingFunction.of(m);
            assertThat(e.name()).isEqualTo("gguf:stories260K.gguf");
            TaskRouter r = TaskRouter.builder(e).defaultExamples(false)
                    .example("story", "Once upon a time there was a little girl named Lily.")
                    .example("story", "The dog ran to the park and played with a ball.")
                    .example("code", "int main() { return 0; }")
                    .example("code", "def f(x): return x * 2")
                    .k(1)
                    .model(ModelProfile.builder("tales").tasks("story").build())
                    .model(ModelProfile.builder("coder").tasks("code").build())
                    .build();
            TaskPrediction p = r.classify("def f(x): return x * 2");
            assertThat(p.neighbours().get(0).similarity()).isCloseTo(1.0, within(1e-4));
            assertThat(p.task()).isEqualTo("code");
            assertThat(r.route("Once upon a time there was a little girl named Lily.").model()).isEqualTo("tales");
        }
    }
}
