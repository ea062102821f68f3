package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI chat models pointed at a real server. */
class LangChain4jTest {
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        server = OpenAiServer.builder()
                .model(ServedModel.builder("stories", Models.stories()).chatTemplate("chatml").build())
                .apiKey("sk-lc4j-0123456789").port(0).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String expected(int maxTokens) {
        return Models.stories().chat(ChatRequest.builder().message(ChatMessage.user("Once upon a time"))
                .chatTemplate("chatml").maxTokens(maxTokens).build()).text();
    }

    @Test
    void chatModel_answersLikeTheModelInProcess() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey("sk-lc4j-0123456789")
                .modelName("stories").temperature(0.0).maxTokens(20).build();
        ChatResponse r = model.chat(UserMessage.from("Once upon a time"));
        assertThat(r.aiMessage().text()).isEqualTo(expected(20));
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 20);
        assertThat(r.metadata().modelName()).isEqualTo("stories");
    }

    @Test
    void streamingChatModel_streamsTheSameText() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.url() + "/v1")
                .apiKey("sk-lc4j-0123456789").modelName("stories").temperature(0.0).maxTokens(20).build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Once upon a time", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String s) {
                partial.append(s);
            }

            @Override
            public void onCompleteResponse(ChatResponse r) {
                done.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertThat(partial.toString()).isEqualTo(expected(20));
        assertThat(r.aiMessage().text()).isEqualTo(expected(20));
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 20);
    }
}
