package io.autoglm.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.grammar.Json;
import io.autoglm.testing.fixtures.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Runs the documented Spring Boot example with the documented properties and calls it over HTTP. */
@SpringBootTest(classes = StoryApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "autoglm.chat-template=chatml", "autoglm.context-size=512", "autoglm.chat.max-tokens=100", "autoglm.threads=1",
        "autoglm.parallel=2"})
class StoryApplicationTest {
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

    private HttpResponse<String> get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void story_andHero_overHttp() throws Exception {
        HttpResponse<String> story = get("/story?topic=cats");
        assertThat(story.statusCode()).isEqualTo(200);
        assertThat(story.body()).isNotBlank();

        HttpResponse<String> hero = get("/hero?name=Lily");
        assertThat(hero.statusCode()).as(hero.body()).isEqualTo(200);
        Map<String, Object> json = Json.parseObject(hero.body());
        assertThat(json).containsOnlyKeys("name", "age", "brave");
        assertThat(json.get("brave")).isInstanceOf(Boolean.class);
        assertThat((String) json.get("name")).hasSizeLessThanOrEqualTo(20); // @Schema(maxLength = 20) reached the grammar
    }
}
