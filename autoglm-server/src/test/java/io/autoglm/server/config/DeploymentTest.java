package io.autoglm.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.LanguageModel;
import io.autoglm.server.ServedModel;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration deployed on the real stories260K: served, reloaded without dropping requests, bad reloads refused. */
class DeploymentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String KEY = "sk-deploy-test-0123456789";

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("autoglm.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static String config(String models) {
        return """
                server:
                  port: 0
                  api-keys: ["${TEST_KEY}"]
                  response-cache: {max-bytes: 0}
                models:
                """ + models;
    }

    private static String stories(String name, int parallel, String extra) {
        return "  - name: " + name + "\n    model: " + TestModels.stories260K() + "\n    parallel: " + parallel
                + "\n    context: 512\n    threads: 1\n    chat-template: chatml\n" + extra;
    }

    private static final Map<String, String> ENV = Map.of("TEST_KEY", KEY);

    private Deployment start(Path file) {
        return Deployment.builder(DeployConfig.load(file, ENV::get)).source(file).env(ENV::get).build().start();
    }

    private static HttpResponse<String> chat(Deployment d, String model, String key) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
                + "\"max_tokens\":8,\"temperature\":0}";
        return HTTP.send(HttpRequest.newBuilder(URI.create(d.server().url() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean isClosed(LanguageModel m) {
        try {
            m.tokenize("x");
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Test
    void start_servesTheConfiguredModelWithItsKeyAndAlias() throws Exception {
        try (Deployment d = start(write(config(stories("stories", 2, "    aliases: [default]\n"))))) {
            HttpResponse<String> r = chat(d, "default", KEY);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode j = JSON.readTree(r.body());
            assertThat(j.path("model").asText()).isEqualTo("stories");
            assertThat(j.path("choices").path(0).path("message").path("content").asText()).isNotBlank();
            assertThat(j.path("usage").path("completion_tokens").asInt()).isBetween(1, 8);
            assertThat(chat(d, "stories", "sk-wrong-0123456789").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void reload_loadsTheNewModelFirst_andTheOldOneServesItsRunningRequestToTheEnd() throws Exception {
        Path file = write(config(stories("stories", 1, "")));
        try (Deployment d = start(file)) {
            LanguageModel old = d.model("stories");
            // a request holds the model, as a running request does until the server releases it
            ServedModel held = d.registry().find("stories").orElseThrow();
            Files.writeString(file, config(stories("stories", 2, "    aliases: [story2]\n")));

            assertThat(d.reloadLogged()).isTrue();
            LanguageModel fresh = d.model("stories");
            assertThat(fresh).isNotSameAs(old);
            assertThat(d.config().models().get(0).parallel()).isEqualTo(2);
            assertThat(isClosed(old)).as("the old model still runs its request").isFalse();
            assertThat(held.model().complete("Once upon a time").text()).isNotNull(); // the held request can go on
            assertThat(chat(d, "story2", KEY).statusCode()).isEqualTo(200); // new requests go to the new model

            d.registry().release(held);
            assertThat(isClosed(old)).as("released by its last request, the old model is closed").isTrue();
            assertThat(isClosed(fresh)).isFalse();
        }
    }

    @Test
    void reload_withUnchangedLoadSettings_keepsTheLoadedModel() throws Exception {
        Path file = write(config(stories("stories", 1, "")));
        try (Deployment d = start(file)) {
            LanguageModel before = d.model("stories");
            Files.writeString(file, config(stories("stories", 1, "    aliases: [tiny]\n")));
            String what = d.reload();
            assertThat(what).startsWith("loaded [], kept [stories], released []");
            assertThat(d.model("stories")).isSameAs(before);
            assertThat(chat(d, "tiny", KEY).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reload_ofABadConfig_leavesTheServerAsItWas() throws Exception {
        Path file = write(config(stories("stories", 1, "")));
        try (Deployment d = start(file)) {
            LanguageModel before = d.model("stories");
            // invalid: a duplicate name
            Files.writeString(file, config(stories("stories", 1, "") + stories("stories", 2, "")));
            assertThatThrownBy(d::reload).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("two models are named 'stories'");
            // valid YAML, but the second model cannot be loaded: nothing of it stays, the first is not touched
            Files.writeString(file, config(stories("stories", 2, "")
                    + "  - name: broken\n    model: " + dir.resolve("missing.gguf") + "\n"));
            assertThat(d.reloadLogged()).isFalse();
            assertThatThrownBy(d::reload).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(file + ":").hasMessageContaining("models[1]: model 'broken'");
            assertThat(d.model("stories")).isSameAs(before);
            assertThat(isClosed(before)).isFalse();
            assertThat(d.modelNames()).containsExactly("stories");
            assertThat(chat(d, "stories", KEY).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reload_replacesTheApiKeys() throws Exception {
        Path file = write(config(stories("stories", 1, "")));
        try (Deployment d = start(file)) {
            Files.writeString(file, config(stories("stories", 1, "")).replace("${TEST_KEY}", "sk-rotated-0123456789"));
            d.reload();
            assertThat(chat(d, "stories", KEY).statusCode()).isEqualTo(401);
            assertThat(chat(d, "stories", "sk-rotated-0123456789").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void routing_auto_picksAmongProfiledModels_embeddingWithAServedModel() throws Exception {
        String yaml = config(stories("storyteller", 1, "    profile: {tasks: [chat], quality: 0.6, latency: 0.9, memory: 0.9}\n")
                + stories("coder", 1, "    profile: {tasks: [code, maths], quality: 0.8, latency: 0.2, memory: 0.2}\n"))
                + "routing: {model-name: auto, embedding: \"model:storyteller\"}\n";
        try (Deployment d = start(write(yaml))) {
            HttpResponse<String> r = chat(d, "auto", KEY);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-AutoGLM-Route")).isPresent();
            String routedTo = JSON.readTree(r.body()).path("model").asText();
            assertThat(routedTo).isIn("storyteller", "coder");
            assertThat(r.headers().firstValue("X-AutoGLM-Route").orElseThrow()).contains(routedTo);
            // two entries with the same load settings share one loaded model
            assertThat(d.model("coder")).isSameAs(d.model("storyteller"));
        }
    }

    @Test
    void device_thatTheLibraryCannotUse_isAClearErrorNamingTheEntry() throws Exception {
        Path file = write(config(stories("stories", 1, "    device: cuda\n")));
        assertThatThrownBy(() -> start(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":6: models[0]: model 'stories'")
                .hasMessageContaining("CUDA").hasMessageContaining("GPU.md");
    }
}
