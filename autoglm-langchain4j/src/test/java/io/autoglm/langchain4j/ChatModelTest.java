package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.grammar.Json;
import io.autoglm.grammar.JsonGrammars;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link AutoGlmChatModel} on stories260K (chatml): every answer is checked against the core API or a schema. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatModelTest {
    static final ToolSpecification ADD = ToolSpecification.builder()
            .name("add")
            .description("Adds two whole numbers.")
            .parameters(JsonObjectSchema.builder()
                    .addProperty("a", new JsonIntegerSchema())
                    .addProperty("b", new JsonIntegerSchema())
                    .required("a", "b")
                    .additionalProperties(false)
                    .build())
            .build();
    static final ToolSpecification MOOD = ToolSpecification.builder()
            .name("set_mood")
            .parameters(JsonObjectSchema.builder()
                    .addProperty("mood", JsonEnumSchema.builder().enumValues("happy", "sad").build())
                    .required("mood")
                    .build())
            .build();

    LanguageModel llm;
    ChatModel chat;

    @BeforeAll
    void load() {
        llm = AutoGLM.builder().model(TestModels.stories260K()).contextSize(1024).threads(1).parallel(2).build();
        chat = AutoGlmChatModel.builder(llm).chatTemplate("chatml").build();
    }

    @AfterAll
    void close() {
        if (llm != null) {
            llm.close();
        }
    }

    @Test
    void chat_plainText_isTheCoreModelsGreedyReply_withUsageFinishReasonAndName() {
        ChatResponse r = chat.chat(ChatRequest.builder()
                .messages(SystemMessage.from("You tell stories."), UserMessage.from("Once upon a time"))
                .maxOutputTokens(24)
                .build());
        io.autoglm.ChatResponse core = llm.chat(io.autoglm.ChatRequest.builder()
                .message(ChatMessage.system("You tell stories."))
                .message(ChatMessage.user("Once upon a time"))
                .chatTemplate("chatml").maxTokens(24).build());

        assertThat(r.aiMessage().text()).isEqualTo(core.text()).isNotBlank();
        assertThat(r.aiMessage().hasToolExecutionRequests()).isFalse();
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(core.usage().promptTokens());
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(core.usage().completionTokens());
        assertThat(r.tokenUsage().totalTokenCount()).isEqualTo(core.usage().totalTokens());
        assertThat(r.finishReason()).isEqualTo(core.finishReason() == io.autoglm.FinishReason.LENGTH ? FinishReason.LENGTH : FinishReason.STOP);
        assertThat(r.modelName()).isEqualTo(llm.info().name());
        assertThat(r.id()).startsWith("autoglm-");
    }

    @Test
    void chat_maxOutputTokensAndStopSequences_areHonoured() {
        ChatResponse five = chat.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).maxOutputTokens(5).build());
        assertThat(five.tokenUsage().outputTokenCount()).isEqualTo(5);
        assertThat(five.finishReason()).isEqualTo(FinishReason.LENGTH);

        String full = chat.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).maxOutputTokens(40).build())
                .aiMessage().text();
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        ChatResponse stopped = chat.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story."))
                .maxOutputTokens(40).stopSequences(List.of(stop)).build());
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(full).startsWith(stopped.aiMessage().text());
        assertThat(stopped.aiMessage().text()).doesNotContain(stop);
    }

    @Test
    void samplingParameters_matchTheCoreSampler_andDefaultsMergeWithTheRequest() {
        ChatModel sampled = AutoGlmChatModel.builder(llm).chatTemplate("chatml")
                .defaultRequestParameters(AutoGlmChatRequestParameters.builder().temperature(1.0).topK(20).topP(0.9).seed(7L)
                        .maxOutputTokens(30).build())
                .build();
        ChatResponse r = sampled.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).build());
        String core = llm.chat(io.autoglm.ChatRequest.builder().message(ChatMessage.user("Tell me a story.")).chatTemplate("chatml")
                .sampling(SamplingParams.builder().temperature(1.0f).topK(20).topP(0.9f).seed(7).build()).maxTokens(30).build())
                .text();
        assertThat(r.aiMessage().text()).isEqualTo(core);

        // a request's plain parameters override the defaults and keep the AutoGLM-specific seed
        ChatResponse shorter = sampled.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story."))
                .parameters(ChatRequestParameters.builder().maxOutputTokens(10).build()).build());
        assertThat(shorter.tokenUsage().outputTokenCount()).isEqualTo(10);
        assertThat(core).startsWith(shorter.aiMessage().text());
    }

    @Test
    void messages_mapToRoles_toolCallsAndResultsIncluded() {
        ChatSupport support = supportFor(AutoToolChoice.MODEL_DECIDES);
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."),
                        UserMessage.from(TextContent.from("What is"), TextContent.from("2 + 3?")),
                        AiMessage.from(ToolExecutionRequest.builder().id("c1").name("add").arguments("{\"a\": 2, \"b\": 3}").build()),
                        ToolExecutionResultMessage.from("c1", "add", "5"),
                        AiMessage.from("It is 5."),
                        UserMessage.from("Thanks"))
                .build();
        List<ChatMessage> mapped = support.prepare(request).request().messages();
        assertThat(mapped).containsExactly(
                ChatMessage.system("Be brief."),
                ChatMessage.user("What is\n2 + 3?"),
                ChatMessage.assistant("{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}"),
                new ChatMessage("tool", "5"),
                ChatMessage.assistant("It is 5."),
                ChatMessage.user("Thanks"));
    }

    @Test
    void toolSpecifications_addInstructionsToTheSystemMessage_andAGrammar() {
        ChatSupport support = supportFor(AutoToolChoice.MODEL_DECIDES);
        ChatSupport.Prepared p = support.prepare(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("Add 2 and 3"))
                .toolSpecifications(ADD).build());
        assertThat(p.mode()).isEqualTo(ChatSupport.Mode.TOOLS_OR_ANSWER);
        String system = p.request().messages().getFirst().content();
        assertThat(system).startsWith("Be brief.\n\nYou can call these tools").contains("- add: Adds two whole numbers.; arguments: {")
                .contains("\"a\":{\"type\":\"integer\"}").endsWith("If no tool is needed, answer in plain text.");
        assertThat(p.request().options().grammar()).get().asString().startsWith("root ::= [ \\t\\n]{0,2} ( a-root | b-root )");

        ChatSupport.Prepared none = support.prepare(ChatRequest.builder().messages(UserMessage.from("Add 2 and 3"))
                .toolSpecifications(ADD).toolChoice(ToolChoice.NONE).build());
        assertThat(none.mode()).isEqualTo(ChatSupport.Mode.TEXT);
        assertThat(none.request().messages()).containsExactly(ChatMessage.user("Add 2 and 3"));
        assertThat(none.request().options().grammar()).isEmpty();
    }

    @Test
    void callThenAnswer_forcesACallUntilToolResultsArrive() {
        ChatSupport support = supportFor(AutoToolChoice.CALL_THEN_ANSWER);
        ChatSupport.Prepared first = support.prepare(ChatRequest.builder().messages(UserMessage.from("Add 2 and 3"))
                .toolSpecifications(ADD).build());
        assertThat(first.mode()).isEqualTo(ChatSupport.Mode.TOOLS);
        ChatSupport.Prepared after = support.prepare(ChatRequest.builder()
                .messages(UserMessage.from("Add 2 and 3"),
                        AiMessage.from(ToolExecutionRequest.builder().id("c1").name("add").arguments("{\"a\":2,\"b\":3}").build()),
                        ToolExecutionResultMessage.from("c1", "add", "5"))
                .toolSpecifications(ADD).build());
        assertThat(after.mode()).isEqualTo(ChatSupport.Mode.TEXT);
        assertThat(after.request().options().grammar()).isEmpty();
    }

    @Test
    void toolChoiceRequired_givesValidToolCalls_withToolExecutionFinish() {
        ChatResponse r = chat.chat(ChatRequest.builder()
                .messages(UserMessage.from("Add 2 and 3, then say if you are happy."))
                .toolSpecifications(ADD, MOOD).toolChoice(ToolChoice.REQUIRED).maxOutputTokens(60).build());
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        assertThat(r.aiMessage().text()).isNull();
        List<ToolExecutionRequest> calls = r.aiMessage().toolExecutionRequests();
        assertThat(calls).hasSize(1);
        ToolExecutionRequest call = calls.getFirst();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.name()).isIn("add", "set_mood");
        Map<String, Object> args = Json.parseObject(call.arguments());
        Map<String, Object> schema = SchemaMaps.toMap((call.name().equals("add") ? ADD : MOOD).parameters());
        assertThat(JsonGrammars.validate(schema, args)).isEmpty();
    }

    @Test
    void parallelToolCalls_upToMaxToolCalls() {
        ChatModel parallel = AutoGlmChatModel.builder(llm).chatTemplate("chatml").maxToolCalls(3).build();
        ChatResponse r = parallel.chat(ChatRequest.builder().messages(UserMessage.from("Set the mood twice."))
                .toolSpecifications(MOOD).toolChoice(ToolChoice.REQUIRED).maxOutputTokens(300).build());
        assertThat(r.aiMessage().toolExecutionRequests()).hasSizeBetween(1, 3).allSatisfy(c -> {
            assertThat(c.name()).isEqualTo("set_mood");
            assertThat(JsonGrammars.validate(SchemaMaps.toMap(MOOD.parameters()), Json.parse(c.arguments()))).isEmpty();
        });
        assertThat(r.aiMessage().toolExecutionRequests()).extracting(ToolExecutionRequest::id).doesNotHaveDuplicates();
    }

    @Test
    void modelDecides_answersInTextOrCalls_andEitherIsReadBack() {
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story about a cat."))
                .toolSpecifications(ADD).maxOutputTokens(40).build());
        if (r.aiMessage().hasToolExecutionRequests()) {
            assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        } else {
            assertThat(r.aiMessage().text()).isNotBlank().doesNotStartWith("{").doesNotStartWith("[").doesNotStartWith(" ");
        }
    }

    @Test
    void modelDecides_readsACallOrAnAnswer_fromWhatTheGrammarAllows() {
        ChatSupport support = supportFor(AutoToolChoice.MODEL_DECIDES);
        ChatSupport.Prepared p = support.prepare(ChatRequest.builder().messages(UserMessage.from("Add 1 and 2"))
                .toolSpecifications(ADD).build());
        ChatResponse call = support.toResponse(p, reply(" {\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}"), List.of("call_x"));
        assertThat(call.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        assertThat(call.aiMessage().toolExecutionRequests()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("call_x");
            assertThat(c.name()).isEqualTo("add");
            assertThat(c.arguments()).isEqualTo("{\"a\":1,\"b\":2}");
        });
        ChatResponse answer = support.toResponse(p, reply("\nIt is 3."), null);
        assertThat(answer.aiMessage().text()).isEqualTo("It is 3.");
        assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);

        // with a JSON response format, JSON that is not a call is the answer
        ChatSupport.Prepared json = support.prepare(ChatRequest.builder().messages(UserMessage.from("Add 1 and 2"))
                .toolSpecifications(ADD).responseFormat(ResponseFormat.JSON).build());
        assertThat(json.request().messages().getFirst().content()).endsWith("If no tool is needed, answer with the JSON asked for.");
        assertThat(support.toResponse(json, reply("{\"sum\": 3}"), null).aiMessage().text()).isEqualTo("{\"sum\": 3}");
    }

    private static io.autoglm.ChatResponse reply(String text) {
        return new io.autoglm.ChatResponse(ChatMessage.assistant(text), new io.autoglm.Completion(text, new int[] {1, 2},
                io.autoglm.FinishReason.END_OF_GENERATION, new io.autoglm.Usage(10, 2), new io.autoglm.Timings(0, 0, 0, 2)));
    }

    @Test
    void jsonSchemaResponseFormat_isValidJsonForTheSchema() {
        assertThat(chat.supportedCapabilities()).contains(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        JsonObjectSchema person = JsonObjectSchema.builder()
                .addIntegerProperty("age")
                .addProperty("mood", JsonEnumSchema.builder().enumValues("happy", "sad").build())
                .addBooleanProperty("brave")
                .required("age", "mood", "brave")
                .additionalProperties(false)
                .build();
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Describe Lily."))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("person").rootElement(person).build()).build())
                .maxOutputTokens(80).build());
        Map<String, Object> json = Json.parseObject(r.aiMessage().text());
        assertThat(JsonGrammars.validate(SchemaMaps.toMap(person), json)).isEmpty();
        assertThat(json).containsOnlyKeys("age", "mood", "brave");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);

        ChatResponse any = chat.chat(ChatRequest.builder().messages(UserMessage.from("Describe Lily."))
                .responseFormat(ResponseFormat.JSON).maxOutputTokens(200).build());
        if (any.finishReason() == FinishReason.STOP) {
            assertThat(Json.parse(any.aiMessage().text())).isInstanceOf(Map.class);
        } else {
            assertThat(any.aiMessage().text()).startsWith("{");
        }
    }

    @Test
    void listeners_seeRequestAndResponse_orTheError() {
        List<Object> events = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                events.add(c.chatRequest());
            }

            @Override
            public void onResponse(ChatModelResponseContext c) {
                events.add(c.chatResponse());
            }

            @Override
            public void onError(ChatModelErrorContext c) {
                events.add(c.error());
            }
        };
        ChatModel listened = AutoGlmChatModel.builder(llm).chatTemplate("chatml").listeners(List.of(listener))
                .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(4).build()).build();
        ChatResponse r = listened.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build());
        assertThat(events).hasSize(2);
        assertThat(((ChatRequest) events.get(0)).maxOutputTokens()).isEqualTo(4); // defaults merged before listeners
        assertThat(events.get(1)).isSameAs(r);

        events.clear();
        String tooLong = "word ".repeat(3000);
        assertThatThrownBy(() -> listened.chat(ChatRequest.builder().messages(UserMessage.from(tooLong)).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("context");
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void badInput_isRefusedWithTheParameterNamed() {
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from(ImageContent.from("https://example.com/cat.png"))).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("IMAGE");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).temperature(-1.0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).toolChoice(ToolChoice.REQUIRED).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REQUIRED");
        assertThatThrownBy(() -> AutoGlmChatModel.builder(llm).maxToolCalls(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxToolCalls must be between 1 and 64, was 0");
        assertThatThrownBy(() -> AutoGlmChatModel.builder(null)).isInstanceOf(NullPointerException.class).hasMessage("model");
    }

    @Test
    void truncatedToolCall_isAnInvalidRequestThatSaysWhatToRaise() {
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Add 2 and 3"))
                .toolSpecifications(ADD).toolChoice(ToolChoice.REQUIRED).maxOutputTokens(3).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cut off after 3 tokens")
                .hasMessageContaining("maxOutputTokens");
    }

    private ChatSupport supportFor(AutoToolChoice choice) {
        ChatSupport.Settings s = new ChatSupport.Settings(llm);
        s.chatTemplate("chatml");
        s.autoToolChoice(choice);
        return s.build();
    }
}
