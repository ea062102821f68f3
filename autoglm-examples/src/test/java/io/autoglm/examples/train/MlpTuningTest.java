package io.autoglm.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.cli.AutoGlmCli;
import io.autoglm.testing.fixtures.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MlpTuningTest {

    @Test
    void tuneThroughTheCli_findsAGoodMlpAndPrunesLaggingTrials() throws Exception {
        TestModels.datasetsDir(); // the command finds it by itself; this only skips (or fails in CI) without it
        CommandLine cl = AutoGlmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("train", "--dataset", "digits", "--model", "mlp", "--epochs", "6", "--tune", "12",
                "--seed", "1", "--json");
        assertThat(code).as(err.toString()).isZero();
        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertThat(root.get("best_val_accuracy").asDouble()).isGreaterThan(0.95);
        assertThat(root.get("pruned").asInt()).as("pruned trials").isPositive();
        assertThat(root.get("complete").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(root.get("complete").asInt() + root.get("pruned").asInt()).isEqualTo(12);
        assertThat(root.get("best_params").get("lr").asDouble()).isBetween(1e-4, 1.0);
        assertThat(root.get("best_params").has("hidden")).isTrue();
    }
}
