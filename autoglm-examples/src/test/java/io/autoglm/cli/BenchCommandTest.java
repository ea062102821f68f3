package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static io.autoglm.cli.AutoGlmCliTest.stories;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.cli.AutoGlmCliTest.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code autoglm bench} on stories260K with tiny numbers: JSON fields and their consistency, flag validation, exit codes. */
class BenchCommandTest {

    private static Run bench(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("bench", "--model", stories(), "--threads", "1"));
        args.addAll(List.of(extra));
        return run(args.toArray(new String[0]));
    }

    @Test
    void json_hasEveryFieldPerConcurrency_andEachRequestGeneratesExactlyMaxTokens() {
        Run r = bench("--parallel", "1,3", "--prompt-tokens", "8", "--max-tokens", "6", "--reps", "2", "--warmup", "1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n"); // one compact line
        JsonNode o = r.json();
        JsonConventions.assertSnakeCase(o);
        // the fields docs/batching.md and docs/user-guide.md list
        assertThat(o.properties().stream().map(java.util.Map.Entry::getKey).toList()).containsExactly("model", "backend",
                "native_library", "threads", "context_size", "prompt_tokens", "prefix_tokens", "max_tokens", "reps", "warmup",
                "load_ms", "results");
        assertThat(o.get("context_size").asInt()).as("smallest multiple of 32 holding 8 + 6 tokens").isEqualTo(32);
        assertThat(o.get("backend").asText()).isEqualTo("ffm");
        assertThat(o.get("prompt_tokens").asInt()).isEqualTo(8);
        assertThat(o.get("max_tokens").asInt()).isEqualTo(6);
        assertThat(o.get("reps").asInt()).isEqualTo(2);
        assertThat(o.get("threads").asInt()).isEqualTo(1);
        assertThat(o.get("load_ms").asDouble()).isPositive();
        JsonNode results = o.get("results");
        assertThat(results).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode level = results.get(i);
            int parallel = level.get("parallel").asInt();
            assertThat(parallel).isEqualTo(i == 0 ? 1 : 3);
            for (String rate : List.of("generated_tokens_per_second", "prompt_tokens_per_second")) {
                JsonNode s = level.get(rate);
                assertThat(s.get("min").asDouble()).as(rate).isPositive().isLessThanOrEqualTo(s.get("median").asDouble());
                assertThat(s.get("median").asDouble()).as(rate).isLessThanOrEqualTo(s.get("max").asDouble());
            }
            assertThat(level.at("/time_to_first_token_ms/p50").asDouble()).isPositive()
                    .isLessThanOrEqualTo(level.at("/time_to_first_token_ms/p99").asDouble());
            assertThat(level.at("/inter_token_gap_ms/p50").asDouble()).isPositive()
                    .isLessThanOrEqualTo(level.at("/inter_token_gap_ms/p99").asDouble());
            assertThat(level.properties().stream().map(java.util.Map.Entry::getKey).toList()).containsExactly("parallel",
                    "generated_tokens_per_second", "prompt_tokens_per_second", "time_to_first_token_ms", "inter_token_gap_ms",
                    "cached_prompt_tokens", "requests");
            JsonNode requests = level.get("requests");
            assertThat(requests).hasSize(parallel * 2);
            long cached = 0;
            for (JsonNode q : requests) {
                assertThat(q.get("rep").asInt()).isBetween(1, 2);
                assertThat(q.get("prompt_tokens").asInt()).isEqualTo(8);
                assertThat(q.get("tokens")).as("--max-tokens with end-of-generation ignored").hasSize(6);
                assertThat(q.get("finish_reason").asText()).isEqualTo("length");
                for (JsonNode t : q.get("tokens")) {
                    assertThat(t.asInt()).isBetween(0, 511); // stories260K has 512 tokens
                }
                cached += q.get("cached_prompt_tokens").asLong();
            }
            assertThat(level.get("cached_prompt_tokens").asLong()).isEqualTo(cached);
        }
    }

    @Test
    void prefixTokens_areSharedAndReusedFromTheCache() {
        Run r = bench("--parallel", "2", "--prompt-tokens", "8", "--prefix-tokens", "40", "--max-tokens", "4", "--reps", "2",
                "--warmup", "1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode level = r.json().get("results").get(0);
        assertThat(r.json().get("prefix_tokens").asInt()).isEqualTo(40);
        for (JsonNode q : level.get("requests")) {
            assertThat(q.get("prompt_tokens").asInt()).isEqualTo(48);
            // the warm-up left the 40-token prefix in the cache; the own 8 tokens are not shared (at most by chance a few)
            assertThat(q.get("cached_prompt_tokens").asInt()).isBetween(40, 47);
        }
        assertThat(level.get("cached_prompt_tokens").asLong()).isGreaterThanOrEqualTo(4 * 40);
    }

    @Test
    void text_printsOneRowPerConcurrency() {
        Run r = bench("--parallel", "1,2", "--prompt-tokens", "4", "--max-tokens", "3", "--reps", "1", "--warmup", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("stories260K.gguf", "| parallel | generated tok/s", "1 threads");
        assertThat(r.out().lines().filter(l -> l.startsWith("| 1 |") || l.startsWith("| 2 |"))).hasSize(2);
    }

    @Test
    void badFlags_exit2_withAMessageNamingTheFlag() {
        record Case(List<String> args, String flag) {
        }
        List<Case> cases = List.of(
                new Case(List.of("--parallel", "0"), "--parallel"),
                new Case(List.of("--parallel", "65"), "--parallel"),
                new Case(List.of("--parallel", "1,x"), "--parallel"),
                new Case(List.of("--prompt-tokens", "0"), "--prompt-tokens"),
                new Case(List.of("--max-tokens", "0"), "--max-tokens"),
                new Case(List.of("--prefix-tokens", "-1"), "--prefix-tokens"),
                new Case(List.of("--reps", "0"), "--reps"),
                new Case(List.of("--warmup", "-1"), "--warmup"),
                new Case(List.of("--ctx", "64", "--prompt-tokens", "32", "--max-tokens", "64"), "--ctx"),
                new Case(List.of("--max-tokens", "many"), "--max-tokens"));
        for (Case c : cases) {
            Run r = bench(c.args().toArray(new String[0]));
            assertThat(r.exit()).as("%s: %s", c.args(), r.err()).isEqualTo(2);
            assertThat(r.err()).as("%s", c.args()).contains(c.flag());
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void missingModel_exits3() {
        Run r = run("bench", "--model", "/nonexistent/model.gguf", "--parallel", "1", "--max-tokens", "2");
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("/nonexistent/model.gguf");
    }
}
