package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.grammar.Json;
import io.autoglm.testing.fixtures.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A web application with Actuator: the health endpoint and the metrics endpoint over HTTP. */
@SpringBootTest(classes = ActuatorApplicationTest.WebApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"autoglm.chat-template=chatml", "autoglm.threads=1", "autoglm.context-size=256", "autoglm.parallel=1",
                "autoglm.chat.max-tokens=8", "management.endpoints.web.exposure.include=health,metrics",
                "management.endpoint.health.show-details=always"})
class ActuatorApplicationTest {
    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class WebApplication {
    }

    @BeforeAll
    static void fixtures() {
        TestModels.stories260K();
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("autoglm.model", () -> TestModels.stories260K().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    ChatModel chatModel;

    private Map<String, Object> get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return Json.parseObject(r.body());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void health_reportsTheLoadedModelAndItsQueue() throws Exception {
        Map<String, Object> health = get("/actuator/health");
        assertThat(health.get("status")).isEqualTo("UP");
        Map<String, Object> autoglm = (Map<String, Object>) ((Map<String, Object>) health.get("components")).get("autoglm");
        assertThat(autoglm.get("status")).isEqualTo("UP");
        Map<String, Object> details = (Map<String, Object>) autoglm.get("details");
        assertThat(details).containsEntry("model", "llama").containsEntry("backend", "ffm").containsEntry("contextSize", 256L)
                .containsEntry("parallel", 1L).containsEntry("queuedRequests", 0L).containsEntry("busySequences", 0L)
                .containsKeys("kvCellsUsed", "kvCellsTotal", "path", "precision");
        assertThat((String) details.get("path")).endsWith("stories260K.gguf");
    }

    @Test
    @SuppressWarnings("unchecked")
    void metrics_countTheGeneratedTokens() throws Exception {
        double before = measurement(get("/actuator/metrics/autoglm.tokens.generated"));
        chatModel.call("Tell me a story.");
        Map<String, Object> after = get("/actuator/metrics/autoglm.tokens.generated");
        assertThat(measurement(after)).isEqualTo(before + 8);
        assertThat((List<Map<String, Object>>) after.get("availableTags"))
                .anySatisfy(t -> assertThat(t).containsEntry("tag", "model"));
        Map<String, Object> requests = get("/actuator/metrics/autoglm.requests?tag=outcome:completed");
        assertThat(measurement(requests)).isGreaterThanOrEqualTo(1);
        assertThat(measurement(get("/actuator/metrics/autoglm.kv.cells.total"))).isPositive();
    }

    @SuppressWarnings("unchecked")
    private static double measurement(Map<String, Object> metric) {
        List<Map<String, Object>> m = (List<Map<String, Object>>) metric.get("measurements");
        return ((Number) m.getFirst().get("value")).doubleValue();
    }
}
