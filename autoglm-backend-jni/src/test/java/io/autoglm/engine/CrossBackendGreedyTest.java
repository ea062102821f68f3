package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Greedy generation gives the same token ids on the FFM and JNI backends. */
class CrossBackendGreedyTest {

    private static void assertSameTokens(Path model) {
        try (LanguageModel ffm = AutoGLM.builder().model(model).backend(Backend.FFM).threads(2).contextSize(512).embeddings(false).build();
                LanguageModel jni = AutoGLM.builder().model(model).backend(Backend.JNI).threads(2).contextSize(512).embeddings(false).build()) {
            for (String prompt : AbstractLanguageModelContractTest.PROMPTS) {
                CompletionRequest r = CompletionRequest.builder().prompt(prompt).maxTokens(48).ignoreEos(true).build();
                Completion a = ffm.complete(r);
                Completion b = jni.complete(r);
                assertThat(a.tokens()).as("prompt '%s'", prompt).hasSize(48).containsExactly(b.tokens());
                assertThat(a.text()).isEqualTo(b.text());
                assertThat(ffm.tokenize(prompt)).containsExactly(jni.tokenize(prompt));
            }
        }
    }

    @Test
    void stories260K_greedyTokensAgree() {
        assertSameTokens(TestModels.stories260K());
    }

    @Test
    void tinyRandom_greedyTokensAgree() {
        assertSameTokens(TestModels.tinyRandom());
    }
}
