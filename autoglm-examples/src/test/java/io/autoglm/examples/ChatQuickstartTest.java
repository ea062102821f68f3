package io.autoglm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.Test;

class ChatQuickstartTest {
    @Test
    void run_chatsStreamsAndEmbeds() {
        String model = TestModels.stories260K().toString();
        String out = ChatQuickstart.run(model);
        String expected;
        try (LanguageModel llm = AutoGLM.builder().model(model).chatTemplate("chatml").contextSize(512).threads(1).build()) {
            expected = llm.chat(ChatRequest.builder().message(ChatMessage.system("You tell short stories."))
                    .message(ChatMessage.user("Tell me about a cat.")).maxTokens(32).build()).text();
        }
        assertThat(expected).isNotBlank();
        assertThat(out).startsWith(expected + "\n").endsWith("\n64");   // the reply may itself hold line breaks
    }
}
