package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.tool.ToolExecution;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * LangChain4j's {@code AiServices} over AutoGLM on stories260K: a {@code @Tool} method the model calls (the grammar
 * forces the call, so a 260K-parameter model does it), structured output to a record, and the same over streaming.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AiServicesTest {
    interface Assistant {
        String chat(String message);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    enum Mood { HAPPY, SAD }

    record Hero(long age, boolean brave, Mood mood) {
    }

    interface Describer {
        Hero describe(String text);
    }

    /** The tool: records every call so the test can check what the model asked for. */
    static final class Calculator {
        final List<long[]> calls = new CopyOnWriteArrayList<>();

        @Tool("Adds two whole numbers")
        long add(long a, long b) {
            calls.add(new long[] {a, b});
            return a + b;
        }
    }

    LanguageModel llm;

    @BeforeAll
    void load() {
        llm = AutoGLM.builder().model(TestModels.stories260K()).contextSize(1024).threads(1).parallel(2).build();
    }

    @AfterAll
    void close() {
        if (llm != null) {
            llm.close();
        }
    }

    @Test
    void toolMethod_isCalledByTheModel_andItsResultReachesTheAnswer() {
        Calculator calculator = new Calculator();
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                requests.add(c.chatRequest());
            }
        };
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(AutoGlmChatModel.builder(llm).chatTemplate("chatml").autoToolChoice(AutoToolChoice.CALL_THEN_ANSWER)
                        .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(100).build())
                        .listeners(List.of(listener)).build())
                .tools(calculator)
                .build();

        String answer = assistant.chat("What is 2 plus 3?");

        assertThat(calculator.calls).hasSize(1);
        long sum = calculator.calls.getFirst()[0] + calculator.calls.getFirst()[1];
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).toolSpecifications()).extracting(s -> s.name()).containsExactly("add");
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) requests.get(1).messages().getLast();
        assertThat(result.toolName()).isEqualTo("add");
        assertThat(result.text()).isEqualTo(Long.toString(sum));
        assertThat(answer).isNotBlank();
    }

    @Test
    void recordReturnType_isFilledFromGrammarConstrainedJson() {
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                requests.add(c.chatRequest());
            }
        };
        Describer describer = AiServices.builder(Describer.class)
                .chatModel(AutoGlmChatModel.builder(llm).chatTemplate("chatml").listeners(List.of(listener))
                        .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(80).build()).build())
                .build();

        Hero hero = describer.describe("Lily is a brave girl of seven.");

        // AiServices saw RESPONSE_FORMAT_JSON_SCHEMA and sent the record's schema rather than prompt instructions
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.responseFormat().type()).isEqualTo(ResponseFormatType.JSON);
            assertThat(r.responseFormat().jsonSchema().rootElement()).isInstanceOf(JsonObjectSchema.class);
        });
        assertThat(hero).isNotNull();
        assertThat(hero.mood()).isIn(Mood.HAPPY, Mood.SAD);
    }

    @Test
    void streamingToolCall_thenStreamedAnswer() throws Exception {
        Calculator calculator = new Calculator();
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(AutoGlmStreamingChatModel.builder(llm).chatTemplate("chatml")
                        .autoToolChoice(AutoToolChoice.CALL_THEN_ANSWER)
                        .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(100).build()).build())
                .tools(calculator)
                .build();
        StringBuilder partial = new StringBuilder();
        List<ToolExecution> executions = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        assistant.chat("What is 4 plus 5?")
                .onPartialResponse(partial::append)
                .onToolExecuted(executions::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse response = done.get(60, TimeUnit.SECONDS);

        assertThat(executions).hasSize(1);
        assertThat(executions.getFirst().request().name()).isEqualTo("add");
        assertThat(calculator.calls).hasSize(1);
        assertThat(executions.getFirst().result()).isEqualTo(Long.toString(calculator.calls.getFirst()[0] + calculator.calls.getFirst()[1]));
        assertThat(response.aiMessage().text()).isNotBlank().isEqualTo(partial.toString());
        assertThat(response.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
    }
}
