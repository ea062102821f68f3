package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.routing.EmbeddingFunction;
import io.autoglm.routing.ModelProfile;
import io.autoglm.routing.TaskRouter;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code model: "auto"}: the registry routes by the request's text; the answer names the model and why. */
class RoutingTest {
    /** Lower-cased words hashed into 128 buckets: a real, if simple, embedding for routing by shared words. */
    static final EmbeddingFunction WORDS = text -> {
        float[] v = new float[128];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), 127)] += 1;
            }
        }
        v[127] = 0.01f;
        return v;
    };

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] AUTH = {"Authorization", "Bearer sk-route-0123456789"};

    /** Counts find/route answers and releases per model, to check every answer is released once. */
    private static final class Counting implements ModelRegistry {
        final ModelRegistry inner;
        final Map<String, AtomicInteger> leased = new ConcurrentHashMap<>();

        Counting(ModelRegistry inner) {
            this.inner = inner;
        }

        @Override
        public Optional<ServedModel> find(String name) {
            Optional<ServedModel> m = inner.find(name);
            m.ifPresent(x -> leased.computeIfAbsent(x.id(), k -> new AtomicInteger()).incrementAndGet());
            return m;
        }

        @Override
        public List<ServedModel> models() {
            return inner.models();
        }

        @Override
        public boolean routes(String name) {
            return inner.routes(name);
        }

        @Override
        public RoutedModel route(String name, String text, java.util.function.Predicate<ServedModel> allowed) {
            RoutedModel r = inner.route(name, text, allowed);
            leased.computeIfAbsent(r.model().id(), k -> new AtomicInteger()).incrementAndGet();
            return r;
        }

        @Override
        public void release(ServedModel model) {
            leased.get(model.id()).decrementAndGet();
        }
    }

    @Test
    void autoModel_routesByText_andSaysWhichModelAndWhyInHeaderAndBody() throws Exception {
        ServedModel stories = ServedModel.builder("stories", Models.stories()).chatTemplate("chatml").build();
        ServedModel tiny = ServedModel.builder("tiny", Models.tiny()).chatTemplate("chatml").build();
        TaskRouter router = TaskRouter.builder(WORDS).defaultExamples(false)
                .example("story", "tell me a story about a little girl")
                .example("story", "once upon a time there was a dog")
                .example("code", "write a java function that sorts a list")
                .example("code", "fix the bug in this python code")
                .k(2)
                .model(ModelProfile.builder("stories").tasks("story").quality(0.5).build())
                .model(ModelProfile.builder("tiny").tasks("code").quality(0.5).build())
                .build();
        Counting registry = new Counting(ModelRegistry.routing(ModelRegistry.of(List.of(stories, tiny)), "auto", router));
        try (OpenAiServer s = OpenAiServer.builder().registry(registry).apiKey("sk-route-0123456789")
                .apiKey(ApiKey.builder().secret("sk-only-stories-0123").models("stories").build())
                .metricsOpen(true).port(0).build().start()) {
            String chat = "{\"model\":\"auto\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":\"please write a java function that sorts a list\"}],"
                    + "\"max_tokens\":3,\"temperature\":0}";
            HttpResponse<String> r = Http.post(s.url() + "/v1/chat/completions", chat, AUTH);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-autoglm-route").orElseThrow()).startsWith("tiny; task=code; confidence=");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("model").asText()).isEqualTo("tiny");
            assertThat(body.path("routing").path("model").asText()).isEqualTo("tiny");
            assertThat(body.path("routing").path("task").asText()).isEqualTo("code");
            assertThat(body.path("routing").path("reason").asText()).startsWith("task code (").contains("tiny scores");
            assertThat(body.path("routing").path("candidates")).hasSize(2);

            // the same request again is a cache hit and still says how it was routed
            HttpResponse<String> again = Http.post(s.url() + "/v1/chat/completions", chat, AUTH);
            assertThat(again.headers().firstValue("x-autoglm-cache")).hasValue("hit");
            assertThat(JSON.readTree(again.body()).path("routing").path("model").asText()).isEqualTo("tiny");

            // completions route by the prompt; streams carry the header
            String story = "{\"model\":\"auto\",\"prompt\":\"once upon a time there was a little girl\",\"max_tokens\":3,"
                    + "\"stream\":true}";
            HttpResponse<String> st = Http.post(s.url() + "/v1/completions", story, AUTH);
            assertThat(st.statusCode()).as(st.body()).isEqualTo(200);
            assertThat(st.headers().firstValue("x-autoglm-route").orElseThrow()).startsWith("stories; task=story");
            assertThat(st.body()).contains("\"model\":\"stories\"").endsWith("data: [DONE]\n\n");

            // a key limited to stories is routed among what it may use
            HttpResponse<String> limited = Http.post(s.url() + "/v1/chat/completions", chat,
                    "Authorization", "Bearer sk-only-stories-0123");
            assertThat(limited.statusCode()).as(limited.body()).isEqualTo(200);
            assertThat(JSON.readTree(limited.body()).path("model").asText()).isEqualTo("stories");

            // embeddings cannot be routed: a 400 naming what to do
            HttpResponse<String> emb = Http.post(s.url() + "/v1/embeddings", "{\"model\":\"auto\",\"input\":\"hi\"}", AUTH);
            assertThat(emb.statusCode()).isEqualTo(400);
            assertThat(emb.body()).contains("name a model here");

            assertThat(Http.get(s.url() + "/metrics").body())
                    .contains("autoglm_server_routed_requests_total{model=\"tiny\",task=\"code\"}");
            // every model a request was given was released exactly once
            assertThat(registry.leased).allSatisfy((k, v) -> assertThat(v.get()).as(k).isZero());
        }
    }

    @Test
    void apiKeys_canBeReplacedWhileRunning() throws Exception {
        try (OpenAiServer s = OpenAiServer.builder().model(ServedModel.of("stories", Models.stories()))
                .apiKey("sk-old-key-0123456789").port(0).build().start()) {
            assertThat(Http.get(s.url() + "/v1/models", "Authorization", "Bearer sk-old-key-0123456789").statusCode())
                    .isEqualTo(200);
            s.apiKeys(ApiKey.parse("sk-new-key-0123456789"));
            assertThat(Http.get(s.url() + "/v1/models", "Authorization", "Bearer sk-old-key-0123456789").statusCode())
                    .isEqualTo(401);
            assertThat(Http.get(s.url() + "/v1/models", "Authorization", "Bearer sk-new-key-0123456789").statusCode())
                    .isEqualTo(200);
        }
    }
}
