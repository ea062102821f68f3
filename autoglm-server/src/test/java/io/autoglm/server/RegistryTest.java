package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The ModelRegistry seam: a model still loading answers 503 with Retry-After; /ready follows the registry. */
class RegistryTest {
    @Test
    void loadingModel_is503WithRetryAfter_andReadyFollowsTheRegistry() throws Exception {
        ServedModel stories = ServedModel.builder("stories", Models.stories()).chatTemplate("chatml").build();
        AtomicBoolean loaded = new AtomicBoolean(false);
        ModelRegistry registry = new ModelRegistry() {
            @Override
            public Optional<ServedModel> find(String name) {
                if (name.equals("big")) {
                    if (!loaded.get()) {
                        throw new ModelUnavailableException("model big is still loading", 7);
                    }
                    return Optional.of(stories);
                }
                return name.equals("stories") ? Optional.of(stories) : Optional.empty();
            }

            @Override
            public List<ServedModel> models() {
                return List.of(stories);
            }

            @Override
            public boolean ready() {
                return loaded.get();
            }
        };
        try (OpenAiServer s = OpenAiServer.builder().registry(registry).apiKey("sk-registry-0123456789").metricsOpen(true)
                .port(0).build().start()) {
            String[] auth = {"Authorization", "Bearer sk-registry-0123456789"};
            String body = "{\"model\":\"big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}";
            HttpResponse<String> loading = Http.post(s.url() + "/v1/chat/completions", body, auth);
            assertThat(loading.statusCode()).isEqualTo(503);
            assertThat(loading.headers().firstValue("retry-after")).hasValue("7");
            assertThat(loading.body()).contains("\"code\":\"model_loading\"").contains("still loading");
            assertThat(Http.get(s.url() + "/ready").statusCode()).isEqualTo(503);
            assertThat(Http.get(s.url() + "/health").statusCode()).isEqualTo(200);
            assertThat(Http.get(s.url() + "/metrics").statusCode()).isEqualTo(200); // metricsOpen
            loaded.set(true);
            assertThat(Http.get(s.url() + "/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> ok = Http.post(s.url() + "/v1/chat/completions", body, auth);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.body()).contains("\"model\":\"stories\"");
            assertThat(Http.post(s.url() + "/v1/chat/completions", body.replace("big", "nothing"), auth).statusCode()).isEqualTo(404);
        }
    }
}
