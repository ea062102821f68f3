package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.testing.fixtures.TestModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code --json} output is compact (one line per object), with snake_case field names, and carries the fields
 * docs/user-guide.md lists for it.
 */
class JsonOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** @return the one JSON line of a successful run, checked for the conventions */
    private static JsonNode oneLine(AutoGlmCliTest.Run r, String... fields) throws Exception {
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().strip().lines().toList();
        assertThat(lines).as(r.out()).hasSize(1);
        JsonNode o = JSON.readTree(lines.get(0));
        JsonConventions.assertSnakeCase(o);
        JsonNode first = o.isArray() ? o.get(0) : o;
        for (String f : fields) {
            assertThat(first.has(f)).as("field %s in %s", f, lines.get(0)).isTrue();
        }
        return o;
    }

    @Test
    void modelCommands() throws Exception {
        String stories = TestModels.stories260K().toString();
        JsonNode g = oneLine(run("generate", "--model", stories, "--prompt", "Once", "--max-tokens", "4", "--json"),
                "text", "tokens", "finish_reason", "usage", "timings", "backend", "native_library", "precision");
        assertThat(g.get("usage").has("prompt_tokens")).isTrue();
        assertThat(g.get("timings").has("decode_tokens_per_second")).isTrue();
        oneLine(run("tokenize", "--model", stories, "--text", "Hello", "--json"), "tokens");
        oneLine(run("inspect", "--model", stories, "--json"), "architecture", "name", "parameters", "file_type",
                "context_length", "embedding_length", "block_count", "vocab_size", "tensor_count", "tensors", "metadata");
        oneLine(run("inspect", "--native-library", "--json"), "native_library");
    }

    @Test
    void chat_oneCompactLinePerReply() throws Exception {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream("Hi\nTell me more\n".getBytes(StandardCharsets.UTF_8)));
        try {
            AutoGlmCliTest.Run r = run("chat", "--model", TestModels.stories260K().toString(), "--chat-template", "chatml",
                    "--max-tokens", "4", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = r.out().strip().lines().toList();
            assertThat(lines).hasSize(2);
            for (String line : lines) {
                JsonNode o = JSON.readTree(line);
                JsonConventions.assertSnakeCase(o);
                assertThat(o.has("text") && o.has("finish_reason") && o.has("usage")).as(line).isTrue();
            }
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void quantizeAndEval() throws Exception {
        String stories = TestModels.stories260K().toString();
        Path q8 = tmp.resolve("q8.gguf");
        oneLine(run("quantize", stories, q8.toString(), "--type", "Q8_0", "--json"), "input", "output", "type",
                "tensors_per_type", "fallbacks", "input_bytes", "output_bytes", "seconds", "mb_per_second");
        List<String> args = new ArrayList<>(List.of("eval", "--base", stories, "--quantized", q8.toString(), "--text",
                TestModels.text().toString(), "--ctx", "64", "--max-windows", "2", "--json"));
        String[] fields = {"base", "quantized", "ctx", "stride", "windows", "tokens", "kl_mean", "kl_p99", "kl_max",
            "top1_agreement", "ppl_base", "ppl_quantized"};
        oneLine(run(args.toArray(String[]::new)), fields);
        args.addAll(List.of("--quantized", q8.toString()));
        assertThat(oneLine(run(args.toArray(String[]::new)), fields).size()).isEqualTo(2); // an array for several models
    }

    @Test
    void hpoBenchAndTrain() throws Exception {
        oneLine(run("hpo", "bench", "--function", "branin", "--sampler", "random", "--trials", "5", "--seeds", "1",
                "--json"), "trials", "runs");
        TestModels.datasetsDir();
        oneLine(run("train", "--dataset", "breast_cancer", "--model", "softmax", "--epochs", "1", "--json"), "config",
                "epochs", "final");
        JsonNode tune = oneLine(run("train", "--dataset", "breast_cancer", "--model", "softmax", "--epochs", "2", "--tune",
                "3", "--json"), "best_val_accuracy", "best_params", "complete", "pruned", "study");
        assertThat(tune.get("study")).hasSize(3);
        assertThat(tune.get("study").get(0).has("intermediate_values")).isTrue();
    }
}
