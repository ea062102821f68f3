package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.server.openai.OpenAiJson;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed input, authentication, limits, cache and metrics over plain HTTP (JDK HttpClient). */
class RawHttpTest {
    static final String KEY = "sk-raw-0123456789";
    static final String HASHED = "sk-hashed-0123456789";
    static final String[] AUTH = {"Authorization", "Bearer " + KEY};
    static OpenAiServer server;
    static String url;

    @BeforeAll
    static void start() {
        server = OpenAiServer.builder()
                .model(ServedModel.builder("stories", Models.stories()).chatTemplate("chatml").build())
                .model(ServedModel.builder("tiny", Models.tiny()).chatTemplate("chatml").build())
                .apiKey(KEY)
                .apiKey(ApiKey.builder().sha256(ApiKey.sha256Hex(HASHED)).name("hashed").models("tiny").build())
                .apiKey(ApiKey.builder().secret("sk-tokens-0123456789").tokensPerMinute(30).build())
                .maxBodyBytes(4096)
                .maxPromptTokens(200)
                .port(0).build().start();
        url = server.url();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return OpenAiJson.mapper().readTree(r.body());
    }

    static void assertError(HttpResponse<String> r, int status, String param, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode e = json(r).get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).as(r.body()).isTrue();
        assertThat(e.get("message").asText()).contains(messagePart);
        if (param != null) {
            assertThat(e.get("param").asText()).isEqualTo(param);
        }
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    static HttpResponse<String> chat(String body, String... headers) throws Exception {
        String[] h = headers.length == 0 ? AUTH : headers;
        return Http.post(url + "/v1/chat/completions", body, h);
    }

    static String userChat(String extra) {
        return "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]" + extra + "}";
    }

    @Test
    void malformedJson_is400() throws Exception {
        assertError(chat("{\"model\": \"stories\", \"messages\": [}"), 400, null, "not valid JSON");
        assertError(chat("[1,2]"), 400, null, "must be a JSON object");
        assertError(chat(""), 400, null, "empty");
        assertError(chat("{\"model\":\"stories\"} trailing"), 400, null, "not valid JSON");
    }

    @Test
    void wrongTypesAndRanges_nameTheFieldAndLimit() throws Exception {
        assertError(chat(userChat(",\"max_tokens\":\"ten\"")), 400, "max_tokens", "max_tokens must be an integer");
        assertError(chat(userChat(",\"max_tokens\":-5")), 400, "max_tokens", "max_tokens must be >= 1, was -5");
        assertError(chat(userChat(",\"max_tokens\":100000")), 400, "max_tokens", "must be <= 1024");
        assertError(chat(userChat(",\"n\":9")), 400, "n", "n must be <= 8, was 9");
        assertError(chat(userChat(",\"top_p\":1.5")), 400, "top_p", "top_p must be in [0, 1], was 1.5");
        assertError(chat(userChat(",\"stream\":\"yes\"")), 400, "stream", "stream must be true or false");
        assertError(chat(userChat(",\"stop\":[\"a\",7]")), 400, "stop", "stop[1] must be a string");
        assertError(chat(userChat(",\"logit_bias\":{\"abc\":1}")), 400, "logit_bias", "token ids");
        assertError(chat("{\"model\":\"stories\"}"), 400, "messages", "messages is required");
        assertError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "model", "model is required");
        assertError(chat("{\"model\":\"stories\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}"), 400,
                "messages[0].role", "'wizard'");
        assertError(chat("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}"),
                400, "messages[0].content[0].type", "image_url");
        assertError(chat(userChat(",\"audio\":{\"voice\":\"x\"}")), 400, "audio", "not supported");
        assertError(chat(userChat(",\"tool_choice\":\"required\"")), 400, "tool_choice", "needs tools");
        assertError(chat(userChat(",\"response_format\":{\"type\":\"xml\"}")), 400, "response_format.type", "'xml'");
        assertError(chat(userChat(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                + "{\"type\":\"object\",\"if\":{\"required\":[\"a\"]},\"then\":{\"required\":[\"b\"]}}}}")),
                400, "response_format.json_schema.schema", "cannot use this JSON Schema");
        assertError(chat(userChat(",\"logprobs\":true,\"top_logprobs\":21")), 400, "top_logprobs", "top_logprobs must be <= 20, was 21");
        assertError(chat(userChat(",\"logit_bias\":{\"600\":5}")), 400, "logit_bias", "[0, 512)");
    }

    @Test
    void unknownFieldsAreIgnored_andTextPartsAreJoined() throws Exception {
        HttpResponse<String> r = chat("{\"model\":\"stories\",\"foo\":{\"bar\":1},\"messages\":[{\"role\":\"developer\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"Be kind.\"}]},{\"role\":\"user\",\"content\":\"Hi\",\"extra\":true}],\"max_tokens\":4,\"temperature\":0}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).at("/choices/0/message/role").asText()).isEqualTo("assistant");
    }

    @Test
    void promptLongerThanTheLimitOrContext_is400() throws Exception {
        String longText = "the cat sat on the mat and ".repeat(40);
        assertError(chat(userChat("").replace("Once upon a time", longText)), 400, "messages", "limit of 200");
        assertError(Http.post(url + "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"" + longText + "\"}", AUTH),
                400, "prompt", "limit of 200");
    }

    @Test
    void unknownPath_is404_wrongMethod_is405() throws Exception {
        assertError(Http.get(url + "/v1/nothing", AUTH), 404, null, "Unknown request URL");
        assertError(Http.get(url + "/v1/chat/completions", AUTH), 405, null, "GET is not allowed");
        assertError(Http.send("DELETE", url + "/v1/models", null, AUTH), 405, null, "DELETE is not allowed");
    }

    @Test
    void bodyOverTheLimit_is413() throws Exception {
        String big = userChat("").replace("Once upon a time", "x".repeat(5000));
        HttpResponse<String> r = chat(big);
        assertError(r, 413, null, "limit of 4096 bytes");
    }

    @Test
    void authentication() throws Exception {
        assertError(chat(userChat(""), "X-Nothing", "1"), 401, null, "didn't provide an API key");
        assertError(chat(userChat(""), "Authorization", "Basic abc"), 401, null, "Bearer");
        assertError(chat(userChat(""), "Authorization", "Bearer sk-wrong-0123456789"), 401, null, "Incorrect API key");
        assertThat(Http.get(url + "/health").statusCode()).isEqualTo(200);
        assertThat(Http.get(url + "/metrics").statusCode()).isEqualTo(401);
        assertThat(Http.get(url + "/metrics", AUTH).statusCode()).isEqualTo(200);
        assertThat(Http.get(url + "/v1/models").statusCode()).isEqualTo(401);
    }

    @Test
    void hashedKey_restrictedToItsModels() throws Exception {
        String[] hashed = {"Authorization", "Bearer " + HASHED};
        HttpResponse<String> ok = Http.post(url + "/v1/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}", hashed);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertError(Http.post(url + "/v1/chat/completions", userChat(""), hashed), 404, "model", "'stories' does not exist");
        JsonNode models = json(Http.get(url + "/v1/models", hashed));
        assertThat(models.get("data")).hasSize(1);
        assertThat(models.at("/data/0/id").asText()).isEqualTo("tiny");
    }

    @Test
    void tokensPerMinute_exhausted_is429WithRetryAfter() throws Exception {
        String[] k = {"Authorization", "Bearer sk-tokens-0123456789"};
        HttpResponse<String> first = chat(userChat(",\"max_tokens\":20,\"temperature\":0"), k);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).at("/usage/total_tokens").asInt()).isGreaterThan(30);
        HttpResponse<String> second = chat(userChat(",\"max_tokens\":2"), k);
        assertError(second, 429, null, "30 tokens per minute");
        assertThat(Long.parseLong(second.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 120L);
    }

    @Test
    void responseCache_hitMissBypass_andStreamReplay() throws Exception {
        String req = userChat(",\"max_tokens\":12,\"temperature\":0,\"user\":\"u1\"");
        HttpResponse<String> a = chat(req);
        HttpResponse<String> b = chat(req.replace("\"u1\"", "\"u2\""));
        assertThat(a.headers().firstValue("x-autoglm-cache")).hasValue("miss");
        assertThat(b.headers().firstValue("x-autoglm-cache")).hasValue("hit");
        assertThat(b.body()).isEqualTo(a.body());
        String text = json(a).at("/choices/0/message/content").asText();

        HttpResponse<String> s = chat(req.replace("}", ",\"stream\":true}").replaceFirst(",\"stream\":true}", "}")
                .substring(0, req.length() - 1) + ",\"stream\":true}");
        assertThat(s.headers().firstValue("x-autoglm-cache")).hasValue("hit");
        assertThat(s.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(streamedText(s.body())).isEqualTo(text);
        assertThat(s.body()).endsWith("data: [DONE]\n\n");

        HttpResponse<String> fresh = Http.post(url + "/v1/chat/completions", req, "Authorization", "Bearer " + KEY,
                "Cache-Control", "no-cache");
        assertThat(fresh.headers().firstValue("x-autoglm-cache")).hasValue("bypass");
        assertThat(json(fresh).at("/choices/0/message/content").asText()).isEqualTo(text);
        assertThat(json(fresh).get("id").asText()).isNotEqualTo(json(a).get("id").asText());

        HttpResponse<String> random = chat(userChat(",\"max_tokens\":4,\"temperature\":0.9"));
        assertThat(random.headers().firstValue("x-autoglm-cache")).hasValue("bypass");
        HttpResponse<String> seeded1 = chat(userChat(",\"max_tokens\":6,\"temperature\":0.9,\"seed\":11"));
        HttpResponse<String> seeded2 = chat(userChat(",\"max_tokens\":6,\"temperature\":0.9,\"seed\":11"));
        assertThat(seeded1.headers().firstValue("x-autoglm-cache")).hasValue("miss");
        assertThat(seeded2.headers().firstValue("x-autoglm-cache")).hasValue("hit");

        String metrics = Http.get(url + "/metrics", AUTH).body();
        assertThat(metricValue(metrics, "autoglm_server_response_cache_requests_total{result=\"hit\"}")).isGreaterThanOrEqualTo(3);
        assertThat(metricValue(metrics, "autoglm_server_response_cache_requests_total{result=\"miss\"}")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void streamFirstAndCacheAfterwards_sameTextAsNonStreamed() throws Exception {
        String req = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"The big tree\"}],\"max_tokens\":14,\"temperature\":0";
        HttpResponse<String> streamed = chat(req + ",\"stream\":true}");
        assertThat(streamed.headers().firstValue("x-autoglm-cache")).hasValue("miss");
        HttpResponse<String> whole = chat(req + "}");
        assertThat(whole.headers().firstValue("x-autoglm-cache")).hasValue("hit");
        assertThat(streamedText(streamed.body())).isEqualTo(json(whole).at("/choices/0/message/content").asText());
    }

    @Test
    void completionsEmbeddingsTokenize_edgeCases() throws Exception {
        HttpResponse<String> tokens = Http.post(url + "/v1/completions",
                "{\"model\":\"stories\",\"prompt\":[1,9038,2501,263,931],\"max_tokens\":8,\"temperature\":0,\"echo\":true}", AUTH);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(400); // stories has 512 tokens: 9038 is out of range
        assertThat(json(tokens).at("/error/message").asText()).contains("[0, 512)");
        HttpResponse<String> tok = Http.post(url + "/tokenize", "{\"model\":\"stories\",\"content\":\"Once upon a time\"}", AUTH);
        JsonNode ids = json(tok).get("tokens");
        assertThat(ids.size()).isGreaterThan(2);
        HttpResponse<String> echo = Http.post(url + "/v1/completions",
                "{\"model\":\"stories\",\"prompt\":" + ids + ",\"max_tokens\":8,\"temperature\":0,\"echo\":true}", AUTH);
        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        HttpResponse<String> two = Http.post(url + "/v1/completions",
                "{\"model\":\"stories\",\"prompt\":[\"Once\",\"The big dog\"],\"n\":2,\"max_tokens\":3,\"temperature\":0}", AUTH);
        JsonNode t = json(two);
        assertThat(t.get("choices")).hasSize(4);
        int once = json(Http.post(url + "/tokenize", "{\"model\":\"stories\",\"content\":\"Once\"}", AUTH)).get("count").asInt();
        int dog = json(Http.post(url + "/tokenize", "{\"model\":\"stories\",\"content\":\"The big dog\"}", AUTH)).get("count").asInt();
        assertThat(t.at("/usage/prompt_tokens").asInt()).isEqualTo(once + dog);
        assertThat(t.at("/usage/completion_tokens").asInt()).isEqualTo(12);
        assertThat(t.at("/choices/0/text").asText()).isEqualTo(t.at("/choices/1/text").asText());
        HttpResponse<String> detok = Http.post(url + "/detokenize", "{\"model\":\"stories\",\"tokens\":" + ids + "}", AUTH);
        String promptText = json(detok).get("content").asText();
        assertThat(promptText).contains("Once upon a time");
        assertThat(json(echo).at("/choices/0/text").asText()).startsWith(promptText).hasSizeGreaterThan(promptText.length());
        assertError(Http.post(url + "/detokenize", "{\"model\":\"stories\",\"tokens\":[1,99999]}", AUTH), 400, null, "token id");
        HttpResponse<String> b64 = Http.post(url + "/v1/embeddings",
                "{\"model\":\"stories\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}", AUTH);
        assertThat(json(b64).at("/data/1/embedding").asText()).matches("[A-Za-z0-9+/=]{300,}");
        assertError(Http.post(url + "/v1/embeddings", "{\"model\":\"stories\",\"input\":[]}", AUTH), 400, "input", "must not be empty");
        assertError(Http.post(url + "/v1/embeddings", "{\"model\":\"stories\",\"input\":\"x\",\"encoding_format\":\"hex\"}", AUTH),
                400, "encoding_format", "'hex'");
        assertThat(Http.get(url + "/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_countRequestsByRouteModelStatus_andStreamsRecordTimeToFirstToken() throws Exception {
        chat(userChat(",\"max_tokens\":3,\"temperature\":0.5,\"stream\":true"));
        chat(userChat(",\"max_tokens\":-1"));
        String m = Http.get(url + "/metrics", AUTH).body();
        assertThat(m).contains("autoglm_server_requests_total{model=\"stories\",route=\"chat\",status=\"200\"}");
        assertThat(m).contains("autoglm_server_requests_total{model=\"\",route=\"chat\",status=\"400\"}");
        assertThat(metricValue(m, "autoglm_server_time_to_first_token_seconds_count{model=\"stories\"}")).isGreaterThanOrEqualTo(1);
        assertThat(m).contains("autoglm_server_request_duration_seconds_bucket");
        assertThat(metricValue(m, "autoglm_server_generated_tokens_total{model=\"stories\"}")).isGreaterThanOrEqualTo(3);
        // the engine's own statistics, per model
        assertThat(metricValue(m, "autoglm_model_requests_total{model=\"stories\",outcome=\"completed\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metricValue(m, "autoglm_model_busy_sequences{model=\"stories\"}")).isZero();
        assertThat(metricValue(m, "autoglm_model_kv_cells_capacity{model=\"stories\"}")).isGreaterThan(0);
        assertThat(m).contains("autoglm_model_prefix_cache_hit_ratio{model=\"tiny\"}");
    }

    static String streamedText(String sse) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode c = OpenAiJson.mapper().readTree(line.substring(6));
                for (JsonNode ch : c.path("choices")) {
                    if (ch.path("delta").has("content")) {
                        sb.append(ch.path("delta").get("content").asText());
                    }
                    if (ch.has("text")) {
                        sb.append(ch.get("text").asText());
                    }
                }
            }
        }
        return sb.toString();
    }

    static double metricValue(String page, String series) {
        return page.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }
}
