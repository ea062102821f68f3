package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.ChatMessage;
import io.autoglm.LanguageModel;
import io.autoglm.grammar.Json;
import io.autoglm.spring.ai.AutoGlmChatModel;
import io.autoglm.testing.fixtures.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An application with only the starter and properties, talking to the model through Spring AI's {@link ChatClient}. */
@SpringBootTest(classes = ChatClientApplicationTest.ChatApplication.class, properties = {
        "autoglm.chat-template=chatml", "autoglm.threads=1", "autoglm.context-size=512", "autoglm.parallel=2",
        "autoglm.chat.max-tokens=32"})
class ChatClientApplicationTest {
    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ChatApplication {
    }

    /** What the structured-output call fills. */
    enum Mood { HAPPY, SAD }

    record Hero(long age, boolean brave, Mood mood) {
    }

    @BeforeAll
    static void fixtures() {
        TestModels.stories260K();
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("autoglm.model", () -> TestModels.stories260K().toString());
    }

    @Autowired
    ChatClient.Builder chatClientBuilder;

    @Autowired
    ChatModel chatModel;

    @Autowired
    LanguageModel languageModel;

    @Test
    void chatModelBean_isAutoGlms_overTheLanguageModelBean() {
        assertThat(chatModel).isInstanceOf(AutoGlmChatModel.class);
        assertThat(((AutoGlmChatModel) chatModel).languageModel()).isSameAs(languageModel);
        assertThat(languageModel.info().contextSize()).isEqualTo(512);
        assertThat(languageModel.info().parallel()).isEqualTo(2);
    }

    @Test
    void call_returnsTheModelsGreedyReply() {
        ChatResponse response = chatClientBuilder.build().prompt().system("You tell stories.").user("Once upon a time")
                .call().chatResponse();
        io.autoglm.ChatResponse core = languageModel.chat(io.autoglm.ChatRequest.builder()
                .message(ChatMessage.system("You tell stories.")).message(ChatMessage.user("Once upon a time"))
                .chatTemplate("chatml").maxTokens(32).build());

        assertThat(response.getResult().getOutput().getText()).isEqualTo(core.text()).isNotBlank();
        assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(core.usage().promptTokens());
        assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(core.usage().completionTokens());
        assertThat(response.getResult().getMetadata().getFinishReason()).isIn("STOP", "LENGTH");
        assertThat(response.getMetadata().getModel()).isEqualTo(languageModel.info().name());
    }

    @Test
    void stream_addsUpToTheCalledReply() {
        ChatClient client = chatClientBuilder.build();
        String called = client.prompt().user("Tell me a story.").call().content();
        List<String> pieces = client.prompt().user("Tell me a story.").stream().content()
                .collectList().block(Duration.ofSeconds(60));

        assertThat(pieces).hasSizeGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(called);

        List<ChatResponse> responses = client.prompt().user("Tell me a story.").stream().chatResponse()
                .collectList().block(Duration.ofSeconds(60));
        ChatResponse last = responses.getLast();
        assertThat(last.getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
        assertThat(last.getMetadata().getUsage().getCompletionTokens()).isEqualTo(32);
    }

    @Test
    void entity_fillsARecord_fromGrammarConstrainedJson() {
        Hero hero = chatClientBuilder.build().prompt().user("Lily is a brave girl of seven.")
                .options(io.autoglm.spring.ai.AutoGlmChatOptions.builder().maxTokens(80))
                .call().entity(Hero.class);

        assertThat(hero).isNotNull();
        assertThat(hero.mood()).isIn(Mood.HAPPY, Mood.SAD);
    }

    @Test
    void outputSchema_constrainsTheReplyToIt() {
        String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
                + "\"age\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":99}},\"required\":[\"name\",\"age\"],"
                + "\"additionalProperties\":false}";
        String json = chatModel.call(new org.springframework.ai.chat.prompt.Prompt("Describe Tom.",
                io.autoglm.spring.ai.AutoGlmChatOptions.builder().outputSchema(schema).maxTokens(60).build()))
                .getResult().getOutput().getText();
        Map<String, Object> value = Json.parseObject(json);
        assertThat(io.autoglm.grammar.JsonGrammars.validate(Json.parseObject(schema), value)).isEmpty();
    }
}
