package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code autoglm tune}: a short real tune on stories260K, its resumption, its config file, and its flag errors. */
class TuneCommandTest {
    @TempDir
    Path tmp;

    /** A small space so that a trial takes a second or two on a loaded machine. */
    private List<String> args(Path out, String db, int trials) {
        return new ArrayList<>(List.of("tune", "--model", TestModels.stories260K().toString(), "--memory-budget", "256M",
                "--trials", Integer.toString(trials), "--presets", "none,Q8_0", "--max-threads", "1", "--batches", "64,128",
                "--ubatches", "64", "--parallels", "1,2", "--contexts", "256", "--gen-tokens", "8", "--concurrency", "2",
                "--kld-windows", "2", "--text", TestModels.text().toString(), "--storage", "sqlite:" + db,
                "--out", out.toString(), "--json"));
    }

    @Test
    void tune_onStories260K_writesTheBestAsAValidConfig_andASecondRunResumesTheStudy() throws Exception {
        Path out = tmp.resolve("deploy/autoglm.yaml");
        String db = tmp.resolve("tune.db").toString();
        AutoGlmCliTest.Run first = run(args(out, db, 2).toArray(String[]::new));
        assertThat(first.exit()).as(first.err()).isZero();
        JsonNode o = first.json();
        JsonConventions.assertSnakeCase(o);
        assertThat(o.get("trials_before").asInt()).isZero();
        assertThat(o.get("trials")).hasSize(2);
        JsonNode t0 = o.get("trials").get(0);
        // the first trial is the library's defaults, moved into the space (batch 512 -> 128, parallel 4 -> 2)
        assertThat(t0.get("baseline").asBoolean()).isTrue();
        assertThat(t0.get("params").get("quantize").asText()).isEqualTo("none");
        assertThat(t0.get("params").get("batch").asInt()).isEqualTo(128);
        assertThat(t0.get("params").get("parallel").asInt()).isEqualTo(2);
        assertThat(t0.get("state").asText()).isEqualTo("COMPLETE");
        assertThat(t0.get("tokens_per_second").asDouble()).isPositive();
        assertThat(t0.get("kl_mean").asDouble()).isZero();
        assertThat(o.get("gain_over_baseline").asDouble()).isGreaterThanOrEqualTo(1.0);
        // one line per trial on stderr (stdout is the JSON)
        assertThat(first.err()).contains("[1/2] trial 0 (defaults)").contains("[2/2] trial 1");

        JsonNode best = o.get("best");
        JsonNode model = new ObjectMapper(new YAMLFactory()).readTree(out.toFile()).get("models").get(0);
        List<String> keys = new ArrayList<>();
        model.fieldNames().forEachRemaining(keys::add);
        // the b4916 library cannot be told about flash attention, so it is not tuned and not written
        assertThat(keys).containsExactly("name", "model", "quantize", "parallel", "context", "threads", "batch", "ubatch");
        assertThat(model.get("name").asText()).isEqualTo("stories260K");
        assertThat(model.get("model").asText()).isEqualTo(TestModels.stories260K().toString());
        for (String k : List.of("quantize", "parallel", "context", "threads", "batch", "ubatch")) {
            assertThat(model.get(k).asText()).as(k).isEqualTo(best.get("params").get(k).asText());
        }
        assertThat(model.get("parallel").isInt()).isTrue();

        // the same command with more trials resumes the study: the two trials are kept, one more runs
        AutoGlmCliTest.Run second = run(args(out, db, 3).toArray(String[]::new));
        assertThat(second.exit()).as(second.err()).isZero();
        JsonNode o2 = second.json();
        assertThat(o2.get("study").asText()).isEqualTo(o.get("study").asText());
        assertThat(o2.get("trials_before").asInt()).isEqualTo(2);
        assertThat(o2.get("trials")).hasSize(3);
        assertThat(o2.get("trials").get(0).get("tokens_per_second").asDouble())
                .isEqualTo(t0.get("tokens_per_second").asDouble());
        assertThat(second.err()).contains("resuming study " + o.get("study").asText() + ": 2 of 3 trials done")
                .contains("[3/3] trial 2").doesNotContain("trial 0 (defaults)");
    }

    @Test
    void tune_text_printsTheTableThePlotAndTheGain() throws Exception {
        List<String> a = args(tmp.resolve("autoglm.yaml"), tmp.resolve("t.db").toString(), 2);
        a.remove("--json");
        AutoGlmCliTest.Run r = run(a.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("state").contains("tok/s").contains("defaults")
                .contains("tok/s per trial (o: trial, -: best so far").contains("best: trial")
                .containsPattern("the best is [0-9.]+x the throughput").contains("wrote " + tmp.resolve("autoglm.yaml"));
        assertThat(Files.readString(tmp.resolve("autoglm.yaml"))).startsWith("models:\n  - name: stories260K\n");
    }

    @Test
    void tune_overBudget_prunesWithoutLoading_andFailsWhenNothingFits() {
        List<String> a = args(tmp.resolve("autoglm.yaml"), tmp.resolve("t.db").toString(), 2);
        a.set(a.indexOf("--memory-budget") + 1, "1M");
        AutoGlmCliTest.Run r = run(a.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("pruned: over budget:").contains("no trial of 2 completed: 2 over the memory budget; raise --memory-budget")
                .contains("raise --memory-budget");
        assertThat(tmp.resolve("autoglm.yaml")).doesNotExist();
    }

    @Test
    void tune_badFlags_exit2_namingTheFlag() {
        String m = tmp.resolve("none.gguf").toString();
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--objective", "fast"),
                "autoglm tune: --objective must be throughput or latency, was 'fast'", "objective must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--trials", "0"),
                "autoglm tune: --trials must be in [1, 10000], was 0", "trials must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--max-kld", "-1"),
                "autoglm tune: --max-kld must be >= 0 and finite, was -1.0", "maxKld");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "lots"),
                "autoglm tune: --memory-budget must be a positive size such as 512M, 4G or 1073741824, was 'lots'", "memoryBudget");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--presets", "none,Q9_Z"),
                "autoglm tune: --presets must list none or presets (F16, BF16, Q8_0", "presets must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--batches", "64,0"),
                "autoglm tune: --batches must be in [1, 65536], was 0", "batches must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--parallels", "2,2"),
                "autoglm tune: --parallels must be a non-empty list of distinct values, was [2, 2]", "parallels must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--concurrency", "0"),
                "autoglm tune: --concurrency must be in [1, 256], was 0", "concurrency must");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--gen-tokens", "0"),
                "autoglm tune: --gen-tokens must be in [1, 4096], was 0", "genTokens");
        AutoGlmCliTest.assertFlagError(run("tune", "--model", m, "--memory-budget", "1G", "--max-threads", "0"),
                "autoglm tune: --max-threads must be in [1, 512], was 0", "maxThreads");
        AutoGlmCliTest.Run missing = run("tune", "--memory-budget", "1G");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--model");
        // a model that does not exist is bad input (exit 3), not a usage error
        assertThat(run("tune", "--model", m, "--memory-budget", "1G", "--offline", "--storage", "memory:").exit()).isEqualTo(3);
    }
}
