package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.LanguageModel;
import io.autoglm.spring.ai.AutoGlmEmbeddingModel;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An application that embeds text through Spring AI's {@link EmbeddingModel} bean. */
@SpringBootTest(classes = EmbeddingApplicationTest.EmbeddingApplication.class, properties = {
        "autoglm.threads=1", "autoglm.context-size=128", "autoglm.parallel=2", "autoglm.chat.enabled=false"})
class EmbeddingApplicationTest {
    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class EmbeddingApplication {
    }

    @BeforeAll
    static void fixtures() {
        TestModels.tinyRandom();
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("autoglm.model", () -> TestModels.tinyRandom().toString());
    }

    @Autowired
    EmbeddingModel embeddingModel;

    @Autowired
    LanguageModel languageModel;

    @Autowired
    org.springframework.beans.factory.ObjectProvider<org.springframework.ai.chat.model.ChatModel> chatModels;

    @Test
    void embeddings_areTheModels_normalised() {
        assertThat(embeddingModel).isInstanceOf(AutoGlmEmbeddingModel.class);
        assertThat(chatModels.getIfAvailable()).as("autoglm.chat.enabled=false").isNull();
        assertThat(embeddingModel.dimensions()).isEqualTo(languageModel.info().embeddingLength()).isEqualTo(8);

        List<String> texts = List.of("a cat sat on the mat", "a dog ran");
        EmbeddingResponse response = embeddingModel.embedForResponse(texts);
        assertThat(response.getResults()).hasSize(2);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(response.getResults().get(i).getIndex()).isEqualTo(i);
            assertThat(response.getResults().get(i).getOutput())
                    .containsExactly(languageModel.embed(texts.get(i)), Offset.offset(1e-5f));
        }
        int tokens = texts.stream().mapToInt(t -> languageModel.tokenize(t).length).sum();
        assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(tokens);
        assertThat(embeddingModel.embed(new Document("a cat sat on the mat")))
                .containsExactly(languageModel.embed("a cat sat on the mat"), Offset.offset(1e-5f));
        assertThatThrownBy(() -> embeddingModel.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().dimensions(4).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("dimensions must be 8 (the model's embedding length), was 4");
    }
}
