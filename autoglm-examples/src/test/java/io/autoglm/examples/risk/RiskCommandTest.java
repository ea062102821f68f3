package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.cli.AutoGlmCli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code autoglm risk demo} end to end on a small simulation (16 days, 30,000 transactions, drift on day 12), then
 * {@code autoglm risk score} on the database it left.
 */
class RiskCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Run demo;
    static JsonNode figures;

    record Run(int exit, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        CommandLine cl = AutoGlmCli.commandLine();
        if (stdin != null) {
            RiskCommand.Score score = cl.getSubcommands().get("risk").getSubcommands().get("score").getCommand();
            score.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void runDemo() throws Exception {
        // plain progress lines from the start (in auto mode, phases shorter than a second show none)
        System.setProperty("autoglm.progress", "plain");
        try {
            demo = runDemoCommand();
        } finally {
            System.clearProperty("autoglm.progress");
        }
        assertThat(demo.exit()).as(demo.err()).isZero();
        figures = JSON.readTree(demo.out());
    }

    private static Run runDemoCommand() {
        return run(null, "risk", "demo", "--days", "16", "--transactions", "30000", "--seed", "1", "--db",
                "sqlite:" + dir.resolve("risk.db"), "--report", dir.resolve("report.html").toString(), "--json", "--trials", "5",
                "--max-rounds", "60", "--online", "1500");
    }

    @Test
    void json_isOneCompactObject_withTheIssuesFigures() {
        assertThat(demo.out().strip()).doesNotContain("\n");
        io.autoglm.cli.JsonConventions.assertSnakeCase(figures);
        for (String f : List.of("auc", "logistic_auc", "recall_at_1pct_fpr", "scoring_tps", "scoring_p99_ms",
                "drift_alarm_delay_hours", "false_alarms")) {
            assertThat(figures.has(f)).as(f).isTrue();
        }
        assertThat(figures.get("auc").asDouble()).isGreaterThan(0.9);
        assertThat(figures.get("logistic_auc").asDouble()).isGreaterThan(0.8);
        assertThat(figures.get("recall_at_1pct_fpr").asDouble()).isBetween(0.3, 1.0);
        assertThat(figures.get("scoring_tps").asDouble()).isPositive();
        assertThat(figures.get("online_scored").asInt()).isEqualTo(1500);
        assertThat(figures.get("tuning_trials_pruned").asInt()).isPositive();
    }

    @Test
    void onlineFeatures_equalTheBatchFeatures_forEveryOnlineTransaction() {
        assertThat(figures.get("online_batch_feature_mismatches").asInt()).isZero();
    }

    @Test
    void injectedDrift_firesWithinHours_andTheStationaryDaysRaiseNoFalseAlarm() {
        assertThat(figures.get("drift_alarm_delay_hours").isNumber()).as(demo.out()).isTrue();
        assertThat(figures.get("drift_alarm_delay_hours").asDouble()).isBetween(1.0, 12.0);
        assertThat(figures.get("stationary_days").asInt()).isEqualTo(4);
        assertThat(figures.get("false_alarms").asInt()).isZero();
        assertThat(figures.get("retrains").asInt()).isPositive();
    }

    @Test
    void progress_isShownOnStderr_asTheCliShowsAllLongWork() {
        assertThat(demo.err()).contains("features 100%").contains("tune XGBoost 100%").contains("5/5")
                .contains("replay 8 days hour by hour 100%").contains("192/192").contains("report: ");
        // the one progress style of the CLI: amount, elapsed / left, rate
        List<String> tune = demo.err().lines().filter(l -> l.startsWith("tune XGBoost ")).toList();
        assertThat(tune).isNotEmpty().allSatisfy(l -> assertThat(l).containsPattern("\\d+/5 \\(\\d+:\\d\\d:\\d\\d / .*\\) [0-9.?]+/s"));
        // the phase's detail follows the rate (the very first line may be drawn before it is set)
        assertThat(tune.getLast()).containsPattern("5/5 .* \\(TPE \\+ ASHA, trial \\d+ [a-z]+\\)$");
    }

    @Test
    void report_embedsEveryPlot_andTheFigures() throws Exception {
        String html = Files.readString(dir.resolve("report.html"));
        Matcher m = Pattern.compile("<img alt=\"([^\"]+)\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            byte[] png = java.util.Base64.getDecoder().decode(m.group(2));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            assertThat(png.length).as(m.group(1)).isGreaterThan(5000);
            images++;
        }
        assertThat(images).isEqualTo(7);
        assertThat(html).contains("ROC curve", "Precision-recall curve", "Scores by class", "SHAP summary",
                "Prediction drift per hour", "AUC per day", "held-out AUC, XGBoost", "drift alarm delay", "PREDICTION_DRIFT");
    }

    @Test
    void score_readsJsonLines_withThePromotedModel_andAnswersEveryLine() throws Exception {
        Transaction t = new Transaction(900_001, "u000003", TransactionGenerator.START_TS + 17 * 86_400L, 7_500_000, "mc1",
                "cash", "atm", "DE", "EU", 51.2, 10.4, "d3-0");
        Transaction again = new Transaction(900_002, "u000003", t.ts() + 60, 1_000, "mg1", "grocery", "pos", "DE", "EU", 51.2,
                10.4, "d3-0");
        String in = ScoreStreamTest.line(t) + "\n{\"tx_id\": 5}\n" + ScoreStreamTest.line(again) + "\n";
        Run r = run(in, "risk", "score", "--db", "sqlite:" + dir.resolve("risk.db"));
        assertThat(r.exit()).as(r.err()).isEqualTo(3); // one line failed
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(3);
        JsonNode a = JSON.readTree(lines[0]);
        for (String line : lines) {
            io.autoglm.cli.JsonConventions.assertSnakeCase(JSON.readTree(line));
        }
        assertThat(a.get("tx_id").asLong()).isEqualTo(900_001);
        assertThat(a.get("action").asText()).isEqualTo("verify"); // 75,000 > 50,000
        assertThat(a.get("reasons").toString()).contains("strong verification");
        assertThat(JSON.readTree(lines[1]).get("error").asText()).isEqualTo("missing field 'user_id'");
        JsonNode c = JSON.readTree(lines[2]);
        assertThat(c.get("contributions").get(0).get("feature").asText()).isNotBlank();
        assertThat(c.get("latency_ms").asDouble()).isPositive();
        assertThat(r.err()).contains("scored 2, failed 1");
    }

    @Test
    void usageErrors_exitWith2_andNameTheFlag() {
        Run badDb = run(null, "risk", "demo", "--db", "mysql://x", "--days", "16", "--transactions", "30000");
        assertThat(badDb.exit()).isEqualTo(2);
        assertThat(badDb.err()).contains("--db must be sqlite:PATH or postgresql://");
        Run fewDays = run(null, "risk", "demo", "--days", "5", "--db", "sqlite:" + dir.resolve("x.db"));
        assertThat(fewDays.exit()).isEqualTo(2);
        assertThat(fewDays.err()).contains("--days must be >= 8, was 5");
        Run noModel = run("", "risk", "score", "--db", "sqlite:" + dir.resolve("empty.db"));
        assertThat(noModel.exit()).isEqualTo(3);
        assertThat(noModel.err()).contains("no promoted model");
    }
}
