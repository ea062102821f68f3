package io.autoglm.routing.minilm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.routing.ModelProfile;
import io.autoglm.routing.TaskRouter;
import io.autoglm.server.ModelRegistry;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import io.autoglm.testing.fixtures.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code model: "auto"} end to end: the server routes each request with all-MiniLM-L6-v2 and the default examples
 * among two served models (real GGUF models), and says which model answered and why.
 */
class MiniLmServerRoutingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void autoModel_routesCodeToTheCoderAndChatToTheGeneralModel() throws Exception {
        try (LanguageModel stories = AutoGLM.builder().model(TestModels.stories260K()).contextSize(512).threads(1).build();
                LanguageModel tiny = AutoGLM.builder().model(TestModels.tinyRandom()).contextSize(512).threads(1)
                        .build()) {
            ServedModel general = ServedModel.builder("general", stories).chatTemplate("chatml").build();
            ServedModel coder = ServedModel.builder("coder", tiny).chatTemplate("chatml").build();
            TaskRouter router = TaskRouter.builder(MiniLmEmbeddings.create())
                    .model(ModelProfile.builder("general").quality(0.5).latencyMillis(5).memoryBytes(1L << 20).build())
                    .model(ModelProfile.builder("coder").tasks("code", "math").quality(0.7).latencyMillis(10)
                            .memoryBytes(4L << 20).build())
                    .build();
            ModelRegistry registry = ModelRegistry.routing(ModelRegistry.of(List.of(general, coder)), "auto", router);
            try (OpenAiServer s = OpenAiServer.builder().registry(registry).port(0).build().start()) {
                HttpResponse<String> code = chat(s, "Write a Rust function that returns the largest element of a slice.");
                assertThat(code.statusCode()).as(code.body()).isEqualTo(200);
                assertThat(code.headers().firstValue("x-autoglm-route").orElseThrow()).startsWith("coder; task=code;");
                JsonNode body = JSON.readTree(code.body());
                assertThat(body.path("model").asText()).isEqualTo("coder");
                assertThat(body.path("routing").path("task").asText()).isEqualTo("code");
                assertThat(body.path("routing").path("reason").asText()).contains("coder scores");

                HttpResponse<String> chat = chat(s, "What should I cook tonight with potatoes and leeks?");
                assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
                assertThat(chat.headers().firstValue("x-autoglm-route").orElseThrow()).startsWith("general; task=chat;");
                assertThat(JSON.readTree(chat.body()).path("model").asText()).isEqualTo("general");
            }
        }
    }

    private static HttpResponse<String> chat(OpenAiServer s, String text) throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("model", "auto").put("max_tokens", 3)
                .put("temperature", 0).set("messages", JSON.createArrayNode()
                        .add(JSON.createObjectNode().put("role", "user").put("content", text))));
        HttpRequest req = HttpRequest.newBuilder(URI.create(s.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        }
    }
}
