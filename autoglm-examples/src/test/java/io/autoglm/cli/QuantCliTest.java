package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.memory.PrecisionPlanner;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantization commands: quantize, eval, and generate --quantize / --memory-budget. */
class QuantCliTest {
    @TempDir
    Path tmp;

    @Test
    void quantize_json_reportsTypesBytesAndSpeed_andWritesTheFile() throws Exception {
        Path out = tmp.resolve("q8.gguf");
        String stories = TestModels.stories260K().toString();
        long t0 = System.nanoTime();
        AutoGlmCliTest.Run r = run("quantize", stories, out.toString(), "--type", "int8", "--threads", "2", "--json");
        double wallSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = r.json();
        assertThat(o.get("type").asText()).isEqualTo("Q8_0");
        assertThat(o.get("output_bytes").asLong()).isEqualTo(Files.size(out));
        assertThat(o.get("input_bytes").asLong()).isEqualTo(Files.size(TestModels.stories260K()));
        int total = 0;
        for (var e : o.get("tensors_per_type").properties()) {
            total += e.getValue().asInt();
        }
        assertThat(total).isEqualTo(48);
        assertThat(o.get("tensors_per_type").has("Q8_0")).isTrue();
        // the reported time lies inside the call, and the rate is bytes / time (both rounded to 3 decimals)
        double seconds = o.get("seconds").asDouble();
        assertThat(seconds).isPositive().isLessThanOrEqualTo(wallSeconds + 0.0005);
        double megabytes = o.get("input_bytes").asLong() / 1e6;
        assertThat(megabytes / o.get("mb_per_second").asDouble()).isCloseTo(seconds,
                org.assertj.core.data.Offset.offset(0.001 + 0.002 * seconds));
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.fileType().orElseThrow()).isEqualTo(Quantization.Q8_0.fileType());
        }
    }

    @Test
    void quantize_text_printsASummary_andPureSkipsTheMix() throws Exception {
        Path out = tmp.resolve("q4km-pure.gguf");
        AutoGlmCliTest.Run r = run("quantize", TestModels.stories260K().toString(), out.toString(), "--type", "Q4_K_M", "--pure");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Q4_K_M").contains("tensors").contains("MB/s").contains("bytes");
        try (GgufFile f = GgufFile.open(out)) {
            // stories260K's output.weight rows are 64 long: Q4_K does not fit, --pure keeps the row-length fallback
            // but not the Q6_K output rule
            assertThat(f.tensor("output.weight").orElseThrow().type()).isNotEqualTo(GgmlType.Q6_K);
        }
    }

    @Test
    void quantize_badInput_exits3_andUsageErrors_exit2() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.gguf"), "not a gguf file at all");
        assertThat(run("quantize", junk.toString(), tmp.resolve("o.gguf").toString(), "--type", "Q8_0").exit()).isEqualTo(3);
        AutoGlmCliTest.Run unknownType = run("quantize", TestModels.stories260K().toString(), tmp.resolve("o.gguf").toString(),
                "--type", "Q9_Z");
        assertThat(unknownType.exit()).isEqualTo(2);
        // only what --type accepts is listed: not auto or none, which Quantization.parse knows but quantize refuses
        assertThat(unknownType.err()).contains("autoglm quantize: --type must be one of F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, "
                + "Q5_1, Q2_K, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, int8, int4, fp16; was 'Q9_Z'")
                .doesNotContainPattern("(?i)\\bauto\\b").doesNotContainPattern("(?i)\\bnone\\b");
        for (String refused : new String[] {"auto", "none"}) {
            AutoGlmCliTest.Run r = run("quantize", TestModels.stories260K().toString(), tmp.resolve("o.gguf").toString(),
                    "--type", refused);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("--type must be one of F16");
        }
        AutoGlmCliTest.assertFlagError(run("quantize", TestModels.stories260K().toString(), tmp.resolve("o.gguf").toString(),
                "--type", "Q8_0", "--threads", "0"), "autoglm quantize: --threads must be in [1, 1024], was 0", "threads must");
        AutoGlmCliTest.assertFlagError(run("eval", "--base", TestModels.stories260K().toString(), "--quantized",
                TestModels.stories260K().toString(), "--text", TestModels.text().toString(), "--ctx", "8"),
                "autoglm eval: --ctx must be in [16, 65536], was 8", "contextSize");
        AutoGlmCliTest.assertFlagError(run("eval", "--base", TestModels.stories260K().toString(), "--quantized",
                TestModels.stories260K().toString(), "--text", TestModels.text().toString(), "--ctx", "64", "--stride", "100"),
                "autoglm eval: --stride must be <= --ctx 64, was 100", "contextSize");
        assertThat(run("quantize", TestModels.stories260K().toString()).exit()).isEqualTo(2);
        assertThat(run("eval", "--base", TestModels.stories260K().toString()).exit()).isEqualTo(2);
        assertThat(tmp.resolve("o.gguf")).doesNotExist();
    }

    @Test
    void eval_json_modelAgainstItsQ8Copy() {
        Path q8 = tmp.resolve("q8.gguf");
        assertThat(run("quantize", TestModels.stories260K().toString(), q8.toString(), "--type", "Q8_0").exit()).isZero();
        AutoGlmCliTest.Run r = run("eval", "--base", TestModels.stories260K().toString(), "--quantized", q8.toString(), "--text",
                TestModels.text().toString(), "--ctx", "64", "--stride", "32", "--max-windows", "2", "--threads", "2", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = r.json();
        assertThat(o.get("windows").asInt()).isEqualTo(2);
        assertThat(o.get("tokens").asLong()).isEqualTo(63 + 32);
        assertThat(o.get("kl_mean").asDouble()).isGreaterThan(0).isLessThan(0.1);
        assertThat(o.get("kl_p99").asDouble()).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(o.get("kl_max").asDouble());
        assertThat(o.get("kl_max").asDouble()).isGreaterThanOrEqualTo(o.get("kl_mean").asDouble());
        assertThat(o.get("top1_agreement").asDouble()).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
        assertThat(o.get("ppl_base").asDouble()).isGreaterThan(1);
        assertThat(o.get("ppl_quantized").asDouble()).isGreaterThan(1);
    }

    @Test
    void eval_severalQuantizedModels_givesAnArrayInTheSameOrder_withMoreDriftForFewerBits() {
        Path q8 = tmp.resolve("q8.gguf");
        Path q4 = tmp.resolve("q4_0.gguf");
        assertThat(run("quantize", TestModels.stories260K().toString(), q8.toString(), "--type", "Q8_0").exit()).isZero();
        assertThat(run("quantize", TestModels.stories260K().toString(), q4.toString(), "--type", "Q4_0").exit()).isZero();
        AutoGlmCliTest.Run r = run("eval", "--base", TestModels.stories260K().toString(), "--quantized", q8.toString(),
                "--quantized", q4.toString(), "--text", TestModels.text().toString(), "--ctx", "64", "--max-windows", "3",
                "--threads", "2", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode a = r.json();
        assertThat(a.isArray()).isTrue();
        assertThat(a).hasSize(2);
        assertThat(a.get(0).get("quantized").asText()).isEqualTo(q8.toString());
        assertThat(a.get(1).get("quantized").asText()).isEqualTo(q4.toString());
        assertThat(a.get(0).get("ppl_base").asDouble()).isEqualTo(a.get(1).get("ppl_base").asDouble());
        assertThat(a.get(1).get("kl_mean").asDouble()).isGreaterThan(a.get(0).get("kl_mean").asDouble());
    }

    @Test
    void generate_withQuantizeAndMemoryBudget_runsTheChosenPrecision() {
        Path stories = TestModels.stories260K();
        long q8 = PrecisionPlanner.create().decide(stories, Quantization.Q8_0, 64, Long.MAX_VALUE).requiredBytes();
        AutoGlmCliTest.Run r = run("generate", "--model", stories.toString(), "--prompt", "Once upon a time", "--max-tokens", "4",
                "--ctx", "64", "--quantize", "auto", "--memory-budget", Long.toString(q8), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().get("precision").asText()).startsWith("AUTO -> Q8_0");
        AutoGlmCliTest.Run tooSmall = run("generate", "--model", stories.toString(), "--prompt", "x", "--ctx", "64",
                "--quantize", "auto", "--memory-budget", "1M");
        assertThat(tooSmall.exit()).isEqualTo(3);
        assertThat(tooSmall.err()).contains("smallest budget that would work");
        AutoGlmCliTest.Run badSize = run("generate", "--model", stories.toString(), "--prompt", "x", "--memory-budget", "lots");
        assertThat(badSize.exit()).isEqualTo(2);
        assertThat(badSize.err()).contains("--memory-budget must be a positive size");
        AutoGlmCliTest.Run int4 = run("generate", "--model", stories.toString(), "--prompt", "Once", "--max-tokens", "2", "--ctx",
                "64", "--quantize", "int4", "--json");
        assertThat(int4.exit()).as(int4.err()).isZero();
        assertThat(int4.json().get("precision").asText()).startsWith("Q4_K_M -> Q4_K_M");
    }

    @Test
    void memoryBudgetSizes_parse() {
        assertThat(ModelOptions.parseSize("512M")).isEqualTo(512L << 20);
        assertThat(ModelOptions.parseSize("2g")).isEqualTo(2L << 30);
        assertThat(ModelOptions.parseSize("1.5GiB")).isEqualTo(3L << 29);
        assertThat(ModelOptions.parseSize("1000")).isEqualTo(1000);
    }
}
