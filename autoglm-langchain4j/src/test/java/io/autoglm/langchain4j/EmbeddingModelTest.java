package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.listener.EmbeddingModelRequestContext;
import dev.langchain4j.model.embedding.listener.EmbeddingModelResponseContext;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.output.Response;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link AutoGlmEmbeddingModel}: the vectors are the core model's, on both test models. */
class EmbeddingModelTest {
    @Test
    void embedAll_isTheCoreModelsEmbedAll_andDimensionNeedsNoCall() {
        for (var file : List.of(TestModels.stories260K(), TestModels.tinyRandom())) {
            try (LanguageModel llm = AutoGLM.builder().model(file).contextSize(128).threads(1).parallel(2).build()) {
                EmbeddingModel model = AutoGlmEmbeddingModel.builder(llm).build();
                assertThat(model.dimension()).isEqualTo(llm.info().embeddingLength()).isPositive();
                long before = llm.stats().requests(io.autoglm.ModelStats.Outcome.COMPLETED);
                assertThat(model.dimension()).isEqualTo(llm.info().embeddingLength());
                assertThat(llm.stats().requests(io.autoglm.ModelStats.Outcome.COMPLETED)).isEqualTo(before);

                List<String> texts = List.of("a cat sat on the mat", "a dog ran", "Once upon a time");
                Response<List<Embedding>> r = model.embedAll(texts.stream().map(TextSegment::from).toList());
                List<float[]> expected = llm.embedAll(texts, true);
                assertThat(r.content()).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    assertThat(r.content().get(i).vector()).containsExactly(expected.get(i), org.assertj.core.data.Offset.offset(1e-5f));
                    double norm = 0;
                    for (float x : r.content().get(i).vector()) {
                        norm += x * x;
                    }
                    assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                }
                int tokens = texts.stream().mapToInt(t -> llm.tokenize(t).length).sum();
                assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(tokens);
                assertThat(model.modelName()).isEqualTo(llm.info().name());

                float[] raw = AutoGlmEmbeddingModel.builder(llm).normalize(false).build().embed("a cat").content().vector();
                assertThat(raw).containsExactly(llm.embed("a cat", false), org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void listeners_andUnsupportedInputs() {
        try (LanguageModel llm = AutoGLM.builder().model(TestModels.stories260K()).contextSize(128).threads(1).build()) {
            List<Object> seen = new CopyOnWriteArrayList<>();
            EmbeddingModel model = AutoGlmEmbeddingModel.builder(llm).listeners(List.of(new EmbeddingModelListener() {
                @Override
                public void onRequest(EmbeddingModelRequestContext c) {
                    seen.add(c.textSegments());
                }

                @Override
                public void onResponse(EmbeddingModelResponseContext c) {
                    seen.add(c.response().content().size());
                }
            })).build();
            model.embed("a cat");
            assertThat(seen).containsExactly(List.of(TextSegment.from("a cat")), 1);

            assertThatThrownBy(() -> model.embed(EmbeddingRequest.builder().textSegments(List.of(TextSegment.from("a")))
                    .parameters(dev.langchain4j.model.embedding.request.EmbeddingRequestParameters.builder().dimensions(8).build()).build()))
                    .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("dimensions");
            assertThat(EmbeddingInput.from("x").text()).isEqualTo("x");
        }
    }
}
