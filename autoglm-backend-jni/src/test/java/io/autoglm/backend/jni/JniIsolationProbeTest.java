package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.IsolationProbe;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.Test;

/** The isolation probe's child JVM finds the JNI backend module on the same class path and loads the model with it. */
class JniIsolationProbeTest {
    @Test
    void builder_withProbe_loadsAndGenerates_withTheJniBackend() {
        try (LanguageModel m = AutoGLM.builder().model(TestModels.stories260K()).backend(Backend.JNI).threads(1).contextSize(128)
                .embeddings(false).isolationProbe(IsolationProbe.ALWAYS).build()) {
            Completion c = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(8).build());
            assertThat(c.text()).startsWith(", there was a little girl");
            assertThat(m.info().backend()).isEqualTo("jni");
        }
    }
}
