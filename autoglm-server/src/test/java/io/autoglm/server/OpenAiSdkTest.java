package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.server.openai.OpenAiJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against a real server on a free port with real models. */
class OpenAiSdkTest {
    static final String KEY = "sk-test-0123456789";
    static OpenAiServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = OpenAiServer.builder()
                .model(ServedModel.builder("stories", Models.stories()).alias("stories-alias").chatTemplate("chatml").build())
                .model(ServedModel.builder("tiny", Models.tiny()).chatTemplate("chatml").build())
                .apiKey(KEY)
                .apiKey(ApiKey.builder().secret("sk-limited-0123456789").requestsPerMinute(2).build())
                .port(0).build().start();
        client = client(KEY);
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey(key).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String greedyChat(LanguageModel m, String user, int maxTokens) {
        return m.chat(ChatRequest.builder().message(ChatMessage.user(user)).chatTemplate("chatml").maxTokens(maxTokens).build()).text();
    }

    @Test
    void chat_greedy_matchesInProcessAnswer() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("Once upon a time").maxCompletionTokens(24).temperature(0.0).build());
        String expected = greedyChat(Models.stories(), "Once upon a time", 24);
        assertThat(expected).isNotBlank();
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content().orElseThrow()).isEqualTo(expected);
        assertThat(c.model()).isEqualTo("stories");
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 24L);
        assertThat(c.usage().orElseThrow().promptTokens()).isGreaterThan(3L);
        assertThat(c.choices().get(0).finishReason().asString()).isIn("stop", "length");
    }

    @Test
    void chat_alias_routesToTheSameModel() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories-alias").addUserMessage("The little dog").maxCompletionTokens(12).temperature(0.0).build());
        assertThat(c.model()).isEqualTo("stories");
        assertThat(c.choices().get(0).message().content().orElseThrow()).isEqualTo(greedyChat(Models.stories(), "The little dog", 12));
    }

    @Test
    void chat_streamed_concatenatesToTheSameTextAndReportsUsage() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("tiny").addSystemMessage("You tell stories.").addUserMessage("A cat and a hat")
                .maxCompletionTokens(40).temperature(0.0)
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder text = new StringBuilder();
        long[] usage = {-1};
        String[] finish = {null};
        int[] chunks = {0};
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(ch -> {
                chunks[0]++;
                ch.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                });
                ch.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        String expected = Models.tiny().chat(ChatRequest.builder().message(ChatMessage.system("You tell stories."))
                .message(ChatMessage.user("A cat and a hat")).chatTemplate("chatml").maxTokens(40).build()).text();
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(chunks[0]).isGreaterThan(3);
        assertThat(finish[0]).isIn("stop", "length");
        assertThat(usage[0]).isBetween(1L, 40L);
    }

    @Test
    void chat_n3_withSeed_returnsThreeChoicesReproducibly() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("stories").addUserMessage("Lily went")
                .maxCompletionTokens(16).temperature(1.0).seed(7).n(3).build();
        ChatCompletion a = client.chat().completions().create(p);
        ChatCompletion b = client.chat().completions().create(p.toBuilder().build());
        assertThat(a.choices()).hasSize(3);
        assertThat(a.choices()).extracting(ch -> ch.index()).containsExactly(0L, 1L, 2L);
        List<String> ta = a.choices().stream().map(ch -> ch.message().content().orElse("")).toList();
        List<String> tb = b.choices().stream().map(ch -> ch.message().content().orElse("")).toList();
        assertThat(ta).isEqualTo(tb);
        assertThat(ta.stream().distinct().count()).as("seeds seed+i give different samples: " + ta).isGreaterThan(1);
    }

    @Test
    void chat_namedTool_returnsToolCallsValidAgainstTheSchema() {
        FunctionDefinition weather = FunctionDefinition.builder().name("get_weather").description("Weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string", "maxLength", 16))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("What is the weather in Paris?").addFunctionTool(weather)
                .toolChoice(ChatCompletionToolChoiceOption.ofNamedToolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build()))
                .maxCompletionTokens(64).temperature(0.0).build());
        ChatCompletion.Choice choice = c.choices().get(0);
        assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        JsonNode args = read(calls.get(0).asFunction().function().arguments());
        assertThat(args.path("city").isTextual()).as(args.toString()).isTrue();
        assertThat(calls.get(0).asFunction().id()).startsWith("call_");
    }

    @Test
    void chat_toolsAuto_withAModelThatCallsNothing_answersWithText() {
        FunctionDefinition f = FunctionDefinition.builder().name("lookup").parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object")).build()).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("Tell me a story").addFunctionTool(f)
                .maxCompletionTokens(16).temperature(0.0).build());
        assertThat(c.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(c.choices().get(0).message().content().orElseThrow()).isNotEmpty();
        assertThat(c.choices().get(0).finishReason().asString()).isIn("stop", "length");
    }

    @Test
    void chat_jsonSchema_outputParsesAndMatchesTheSchema() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("Name a hero")
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                        .name("hero").schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("hero",
                                        Map.of("type", "string", "minLength", 1, "maxLength", 12))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("hero")))
                                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                                .build()).build()).build())
                .maxCompletionTokens(32).temperature(0.0).build());
        JsonNode out = read(c.choices().get(0).message().content().orElseThrow());
        assertThat(out.path("hero").isTextual()).as(out.toString()).isTrue();
        assertThat(out.path("hero").asText()).hasSizeBetween(1, 12);
        assertThat(out.size()).isEqualTo(1);
    }

    @Test
    void chat_jsonObject_isConstrainedToJson() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("Give me JSON").responseFormat(ResponseFormatJsonObject.builder().build())
                .maxCompletionTokens(48).temperature(0.0).build());
        String text = c.choices().get(0).message().content().orElseThrow();
        assertThat(text).startsWith("{");
        if (c.choices().get(0).finishReason().asString().equals("stop")) {
            assertThat(read(text).isObject()).isTrue();
        }
    }

    @Test
    void completions_greedy_matchesInProcess() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories")
                .prompt("Once upon a time").maxTokens(20).temperature(0.0).build());
        String expected = Models.stories().complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(20).build()).text();
        assertThat(c.choices().get(0).text()).isEqualTo(expected);
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 20L);
    }

    @Test
    void completions_streamed_concatenatesToTheSameText() {
        StringBuilder sb = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder()
                .model("stories").prompt("The sun").maxTokens(20).temperature(0.0).build())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> sb.append(ch.text())));
        }
        assertThat(sb.toString()).isEqualTo(Models.stories().complete(CompletionRequest.builder().prompt("The sun").maxTokens(20).build()).text());
    }

    @Test
    void embeddings_floatAndBase64_matchInProcessVectors() {
        float[] expected = Models.stories().embed("a happy cat");
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("stories")
                .input("a happy cat").build());
        List<Float> v = r.data().get(0).embedding();
        assertThat(v).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(v.get(i)).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6f));
        }
        CreateEmbeddingResponse many = client.embeddings().create(EmbeddingCreateParams.builder().model("stories")
                .inputOfArrayOfStrings(List.of("one", "two", "three")).encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertThat(many.data()).hasSize(3);
        assertThat(many.data().get(2).index()).isEqualTo(2);
        assertThat(many.usage().promptTokens()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void chat_toolChoiceRequired_withTwoTools_callsOneOfThem() {
        FunctionDefinition add = FunctionDefinition.builder().name("add").parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("a", Map.of("type", "integer", "minimum", 0, "maximum", 99),
                        "b", Map.of("type", "integer", "minimum", 0, "maximum", 99))))
                .putAdditionalProperty("required", JsonValue.from(List.of("a", "b")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build()).build();
        FunctionDefinition shout = FunctionDefinition.builder().name("shout").parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("word", Map.of("type", "string", "enum", List.of("hi", "bye")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("word")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build()).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("Add two and three").addFunctionTool(add).addFunctionTool(shout)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).maxCompletionTokens(64).temperature(0.0).build());
        assertThat(c.choices().get(0).finishReason().asString()).as(c.choices().get(0).message().content().orElse("")).isEqualTo("tool_calls");
        var call = c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction().function();
        JsonNode args = read(call.arguments());
        if (call.name().equals("add")) {
            assertThat(args.path("a").isInt() && args.path("b").isInt()).as(args.toString()).isTrue();
            assertThat(args.path("a").asInt()).isBetween(0, 99);
        } else {
            assertThat(call.name()).isEqualTo("shout");
            assertThat(args.path("word").asText()).isIn("hi", "bye");
        }
    }

    @Test
    void chat_logprobs_reportEveryTokenWithAlternatives_streamedToo() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("stories").addUserMessage("The cat")
                .maxCompletionTokens(8).temperature(0.0).logprobs(true).topLogprobs(3).build();
        ChatCompletion c = client.chat().completions().create(p);
        var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().orElseThrow().completionTokens());
        for (var t : content) {
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(t.topLogprobs()).hasSize(3);
            assertThat(t.topLogprobs().get(0).logprob()).isGreaterThanOrEqualTo(t.topLogprobs().get(2).logprob());
            assertThat(t.topLogprobs().get(0).token()).isEqualTo(t.token()); // greedy: the chosen token is the most likely
        }
        StringBuilder streamed = new StringBuilder();
        int[] entries = {0};
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            s.stream().forEach(ch -> ch.choices().forEach(choice -> {
                choice.delta().content().ifPresent(streamed::append);
                choice.logprobs().flatMap(l -> l.content()).ifPresent(l -> entries[0] += l.size());
            }));
        }
        assertThat(entries[0]).isEqualTo(content.size());
        assertThat(streamed.toString()).isEqualTo(c.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void chat_logitBias_steersGreedyOutput() {
        int[] ids = Models.stories().tokenize(" cat", false, false);
        int cat = ids[ids.length - 1];
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories")
                .addUserMessage("Once upon a time").maxCompletionTokens(4).temperature(0.0)
                .logitBias(ChatCompletionCreateParams.LogitBias.builder().putAdditionalProperty(Integer.toString(cat), JsonValue.from(100)).build())
                .build());
        String piece = Models.stories().detokenize(new int[] {cat});
        assertThat(c.choices().get(0).message().content().orElseThrow()).isEqualTo(piece.repeat(4));
    }

    @Test
    void chat_sharedSystemPrompt_reportsCachedPromptTokens() {
        String system = "You are a kind storyteller who tells short tales about a dog named Max and his friends. ".repeat(4);
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model("stories").addSystemMessage(system)
                .maxCompletionTokens(4).temperature(0.0);
        client.chat().completions().create(b.addUserMessage("First question").build());
        ChatCompletion second = client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories")
                .addSystemMessage(system).addUserMessage("Another question").maxCompletionTokens(4).temperature(0.0).build());
        var usage = second.usage().orElseThrow();
        long cached = usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        assertThat(cached).isGreaterThan(40).isLessThan(usage.promptTokens());
    }

    @Test
    void models_listAndRetrieve() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly("stories", "tiny");
        assertThat(client.models().retrieve("tiny").id()).isEqualTo("tiny");
        assertThatThrownBy(() -> client.models().retrieve("nope")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void errors_mapToTheSdkExceptionTypes() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-model");
        assertThatThrownBy(() -> client("sk-wrong-0123456789").chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("hi").build()))
                .isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("hi").maxCompletionTokens(-5).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("max_completion_tokens must be >= 1, was -5");
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addUserMessage("hi").temperature(3.5).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("temperature must be in [0, 2], was 3.5");
        OpenAIClient limited = client("sk-limited-0123456789");
        ChatCompletionCreateParams tiny = ChatCompletionCreateParams.builder().model("stories").addUserMessage("hi")
                .maxCompletionTokens(1).temperature(0.0).build();
        limited.chat().completions().create(tiny);
        limited.chat().completions().create(tiny);
        assertThatThrownBy(() -> limited.chat().completions().create(tiny)).isInstanceOf(RateLimitException.class)
                .satisfies(e -> assertThat(((RateLimitException) e).headers().values("Retry-After")).isNotEmpty());
    }

    static JsonNode read(String json) {
        try {
            return OpenAiJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
