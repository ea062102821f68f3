package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.LanguageModel;
import io.autoglm.grammar.Json;
import io.autoglm.server.OpenAiServer;
import io.autoglm.testing.fixtures.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An application that serves its model over the OpenAI-compatible API of autoglm-server (autoglm.server.enabled). */
@SpringBootTest(classes = ServerApplicationTest.ServedApplication.class, properties = {
        "autoglm.chat-template=chatml", "autoglm.threads=1", "autoglm.context-size=256", "autoglm.parallel=1",
        "autoglm.server.enabled=true", "autoglm.server.port=0", "autoglm.server.api-key=sk-test-0123456789",
        "autoglm.server.model-name=stories", "management.prometheus.metrics.export.enabled=true"})
class ServerApplicationTest {
    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ServedApplication {
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
    OpenAiServer server;

    @Autowired
    LanguageModel languageModel;

    @Autowired
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry;

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.url() + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                r.header("Authorization", "Bearer " + key);
            }
            return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void chatCompletions_answerWithTheModel_behindTheApiKey() throws Exception {
        assertThat(server.isRunning()).isTrue();
        assertThat(server.port()).isPositive();
        String body = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"max_tokens\":12,\"temperature\":0}";

        HttpResponse<String> ok = post("/v1/chat/completions", "sk-test-0123456789", body);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        Map<String, Object> json = Json.parseObject(ok.body());
        Map<String, Object> message = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) json.get("choices")).getFirst()).get("message");
        String expected = languageModel.chat(io.autoglm.ChatRequest.builder().message(io.autoglm.ChatMessage.user("Tell me a story."))
                .chatTemplate("chatml").maxTokens(12).build()).text();
        assertThat(message.get("content")).isEqualTo(expected);

        assertThat(post("/v1/chat/completions", null, body).statusCode()).isEqualTo(401);
    }

    @Test
    void metrics_areTheApplicationsPrometheusRegistry() throws Exception {
        assertThat(post("/v1/chat/completions", "sk-test-0123456789",
                "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2}").statusCode())
                .isEqualTo(200);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                    .header("Authorization", "Bearer sk-test-0123456789").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // the server's own meters beside the starter's (bound to the application's registries): one registry
            assertThat(r.body()).contains("autoglm_server_requests_total{").contains("autoglm_tokens_generated_tokens_total{");
        }
        assertThat(registry.getMeters()).anyMatch(m -> m.getId().getName().equals("autoglm.server.requests"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void models_listTheConfiguredName() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models"))
                    .header("Authorization", "Bearer sk-test-0123456789").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<Object> data = (List<Object>) Json.parseObject(r.body()).get("data");
            assertThat(data).extracting(m -> ((Map<String, Object>) m).get("id")).containsExactly("stories");
        }
    }
}
