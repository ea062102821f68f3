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

class TrainCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = AutoGlmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void train_json_printsEveryEpochWithLossesAccuracyAndRate() throws Exception {
        TestModels.datasetsDir(); // the command finds it by itself; this only skips (or fails in CI) without it
        Run r = run("train", "--dataset", "breast_cancer", "--model", "softmax", "--schedule", "cosine", "--lr", "0.05",
                "--epochs", "3", "--seed", "4", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip().lines()).hasSize(1); // one compact line
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.get("config").get("schedule").asText()).isEqualTo("cosine");
        assertThat(root.get("config").get("batch_size").asInt()).isEqualTo(32);
        assertThat(root.get("config").get("train_rows").asInt() + root.get("config").get("val_rows").asInt())
                .isEqualTo(569); // breast_cancer
        assertThat(root.get("epochs")).hasSize(3);
        for (JsonNode e : root.get("epochs")) {
            assertThat(e.get("train_loss").asDouble()).isPositive();
            assertThat(e.get("val_loss").isNumber()).isTrue();
            assertThat(e.get("val_accuracy").asDouble()).isBetween(0.5, 1.0);
            assertThat(e.get("lr").isNumber()).isTrue();
            assertThat(e.get("events").isArray()).isTrue();
        }
        assertThat(root.get("final").get("val_accuracy").asDouble()).isGreaterThan(0.9);
        io.autoglm.cli.JsonConventions.assertSnakeCase(root);
    }

    @Test
    void train_text_printsEpochLinesAndMonitorEvents() {
        TestModels.datasetsDir();
        Run r = run("train", "--dataset", "digits", "--model", "mlp", "--schedule", "constant", "--lr", "3",
                "--epochs", "1", "--recover");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch   1  train_loss").contains("val_acc").contains("lr ")
                .contains("event GRADIENT_EXPLOSION").contains("restores 1");
    }

    @Test
    void train_badArguments_exitWithUsageOrInputErrors() {
        assertThat(run("train", "--schedule", "linear").code()).isEqualTo(2);
        assertThat(run("train", "--model", "cnn").code()).isEqualTo(2);
        Run lr = run("train", "--lr", "-1");
        assertThat(lr.code()).isEqualTo(2);
        assertThat(lr.err()).contains("autoglm train: --lr must be finite and > 0, was -1.0");
        Run batch = run("train", "--batch-size", "0");
        assertThat(batch.code()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch-size must be > 0, was 0").doesNotContain("batchSize");
        Run missing = run("train", "--data-dir", "/nonexistent/datasets", "--epochs", "1");
        assertThat(missing.code()).isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
        assertThat(missing.err()).contains("datasets folder not found");
        assertThat(run("train", "--dataset", "mnist", "--epochs", "1").code()).isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
    }
}
