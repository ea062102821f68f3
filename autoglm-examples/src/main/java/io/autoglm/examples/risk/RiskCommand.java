package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm risk}: the financial risk-control walk-through ({@code demo}) and the online scoring
 * path over JSON lines ({@code score}).
 */
@Command(name = "risk", mixinStandardHelpOptions = true,
        description = "Financial risk control: SQL window features, tuned XGBoost, rules, SHAP, drift monitoring, feedback.",
        subcommands = {RiskCommand.Demo.class, RiskCommand.Score.class})
public final class RiskCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: demo or score");
    }

    /** {@code autoglm risk demo}. */
    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Generate transactions, compute features in SQL, tune and train XGBoost, replay the days with "
                    + "rules, monitoring and the feedback loop, score the last transactions online, write a report.")
    public static final class Demo implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--days", defaultValue = "30", description = "simulated days (default: ${DEFAULT-VALUE})")
        int days;

        @Option(names = "--transactions", defaultValue = "200000", description = "transactions (default: ${DEFAULT-VALUE})")
        int transactions;

        @Option(names = "--seed", defaultValue = "1", description = "seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--db", defaultValue = "sqlite:risk.db",
                description = "sqlite:PATH or postgresql://HOST:PORT/DB?user=U&password=P (default: ${DEFAULT-VALUE}); "
                        + "its risk tables are replaced")
        String db;

        @Option(names = "--report", description = "write the HTML report here")
        Path report;

        @Option(names = "--json", description = "print the figures as one compact JSON object")
        boolean json;

        @Option(names = "--drift-day", description = "day of the injected drift, -1 for none (default: 7 days after "
                + "monitoring starts)")
        Integer driftDay;

        @Option(names = "--train-days", description = "days before monitoring starts, including up to 7 warm-up days "
                + "and 2 reference days (default: half of --days)")
        Integer trainDays;

        @Option(names = "--online", description = "last transactions scored one by one through the online path "
                + "(default: min(20000, 10 %% of --transactions))")
        Integer online;

        @Option(names = "--trials", defaultValue = "20", description = "tuning trials (default: ${DEFAULT-VALUE})")
        int trials;

        @Option(names = "--max-rounds", defaultValue = "200", description = "boosting rounds of a full trial (default: "
                + "${DEFAULT-VALUE})")
        int maxRounds;

        @Option(names = "--label-noise", defaultValue = "0.05", description = "share of wrong analyst labels (default: "
                + "${DEFAULT-VALUE})")
        double labelNoise;

        @Option(names = "--model", description = "a GGUF language model that writes case notes for the review queue")
        Path model;

        @Option(names = "--case-notes", defaultValue = "3", description = "case notes to write with --model (default: "
                + "${DEFAULT-VALUE})")
        int caseNotes;

        @Option(names = "--verbose", description = "print stack traces of errors")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            if (transactions < 1000) {
                throw usage("--transactions must be >= 1000, was " + transactions);
            }
            if (trials < 1) {
                throw usage("--trials must be >= 1, was " + trials);
            }
            if (maxRounds < 10) {
                throw usage("--max-rounds must be >= 10, was " + maxRounds);
            }
            if (caseNotes < 0) {
                throw usage("--case-notes must be >= 0, was " + caseNotes);
            }
            if (model != null && !Files.isRegularFile(model)) {
                throw usage("--model " + model + " is not a file");
            }
            RiskDemo.Config cfg;
            try {
                RiskDemo.Config d = RiskDemo.Config.defaults(days, transactions, seed, db);
                int td = trainDays == null ? d.trainDays() : trainDays;
                int dd = driftDay == null ? (trainDays == null ? d.driftDay() : td + Math.min(7, (days - td) / 2)) : driftDay;
                int warm = trainDays == null ? d.warmupDays() : Math.max(0, Math.min(7, td - 5));
                cfg = new RiskDemo.Config(days, transactions, seed, db, dd, warm, td, d.refDays(), d.evalDays(),
                        online == null ? d.onlineTransactions() : online, trials, maxRounds, labelNoise, d.chargebackRate(),
                        d.retrainCooldownHours());
                RiskDatabase.open(db).close();
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open --db " + db + ": " + e.getMessage(), e);
            }
            if (!verbose) {
                // the monitor reports drift itself; automl's per-comparison warnings would repeat it every hour
                System.setProperty("org.slf4j.simpleLogger.log.io.autoglm.automl.monitor", "error");
                System.setProperty("org.slf4j.simpleLogger.log.io.autoglm.examples.risk", "warn");
            }
            PrintWriter err = spec.commandLine().getErr();
            ProgressLine progress = new ProgressLine(err);
            RiskDemo.Result r;
            try {
                if (model != null) {
                    try (LanguageModel lm = AutoGLM.builder().model(model).contextSize(1024).build()) {
                        r = new RiskDemo(cfg, progress, new CaseNotes(lm), caseNotes).run();
                    }
                } else {
                    r = new RiskDemo(cfg, progress, null, 0).run();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("database " + db + " failed: " + e.getMessage(), e);
            }
            progress.finish();
            if (report != null) {
                RiskReport.write(r, report);
                err.println("report: " + report.toAbsolutePath());
                err.flush();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(figures(r));
            } else {
                out.print(text(r));
            }
            out.flush();
            return 0;
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** The figures as one compact JSON object (the fields of issue 15 item 8 first). */
    static String figures(RiskDemo.Result r) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("auc", round(r.auc()));
        o.put("logistic_auc", round(r.logisticAuc()));
        o.put("recall_at_1pct_fpr", round(r.recallAt1pctFpr()));
        o.put("logistic_recall_at_1pct_fpr", round(r.logisticRecallAt1pctFpr()));
        o.put("scoring_tps", Math.round(r.scoringTps()));
        o.put("scoring_p99_ms", round(r.scoringP99Ms()));
        if (Double.isNaN(r.driftAlarmDelayHours())) {
            o.putNull("drift_alarm_delay_hours");
        } else {
            o.put("drift_alarm_delay_hours", r.driftAlarmDelayHours());
        }
        o.put("false_alarms", r.falseAlarms());
        o.put("stationary_days", r.stationaryDays());
        o.put("scoring_p50_ms", round(r.scoringP50Ms()));
        o.put("scoring_cpu_tps", Math.round(r.scoringCpuTps()));
        o.put("scoring_cpu_p99_ms", round(r.scoringCpuP99Ms()));
        o.put("online_scored", r.onlineScored());
        o.put("online_batch_feature_mismatches", r.parityMismatches());
        o.put("ece", round(r.ece()));
        o.put("retrains", r.retrains().size());
        o.put("promotions", r.retrains().stream().filter(RiskDemo.Retrain::promoted).count());
        o.put("tuning_trials_pruned", r.tuning().pruned());
        o.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        return o.toString();
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1e4) / 1e4;
    }

    static String text(RiskDemo.Result r) {
        StringBuilder b = new StringBuilder();
        RiskDemo.Config c = r.config();
        b.append(String.format(Locale.ROOT, "risk demo: %d days, %,d transactions (%,d fraud), seed %d, %s%n", c.days(),
                c.transactions(), r.fraudRows(), c.seed(), c.db()));
        b.append(String.format(Locale.ROOT, "tuning: %d trials (%d complete, %d pruned by ASHA), best CV AUC %.4f, params %s%n",
                r.tuning().trials().size(), r.tuning().complete(), r.tuning().pruned(), r.tuning().bestAuc(),
                r.tuning().best().asMap()));
        b.append(String.format(Locale.ROOT, "calibration on the reference days: ECE %.4f, Brier %.5f%n", r.ece(), r.brier()));
        b.append(String.format(Locale.ROOT, "held-out AUC on the last %d days: XGBoost %.4f, logistic %.4f%n", c.evalDays(),
                r.auc(), r.logisticAuc()));
        b.append(String.format(Locale.ROOT, "recall at 1%% FPR: XGBoost %.4f, logistic %.4f%n", r.recallAt1pctFpr(),
                r.logisticRecallAt1pctFpr()));
        b.append(String.format(Locale.ROOT, "online scoring (%,d transactions, one thread): %,.0f tx/s, p50 %.3f ms, "
                + "p99 %.3f ms wall clock; %,.0f tx/s, p99 %.3f ms in CPU time; online vs batch feature mismatches: %d%n",
                r.onlineScored(), r.scoringTps(), r.scoringP50Ms(), r.scoringP99Ms(), r.scoringCpuTps(), r.scoringCpuP99Ms(),
                r.parityMismatches()));
        b.append(String.format(Locale.ROOT, "drift alarm delay: %s h; false alarms in %d stationary days: %d%n",
                Double.isNaN(r.driftAlarmDelayHours()) ? "none" : String.format(Locale.ROOT, "%.0f", r.driftAlarmDelayHours()),
                r.stationaryDays(), r.falseAlarms()));
        b.append("decisions: ").append(r.decisionCounts()).append('\n');
        for (Alert a : r.alerts()) {
            if (a.isAlarm()) {
                b.append(String.format(Locale.ROOT, "  alert day %.2f: %s%n", (a.ts() - TransactionGenerator.START_TS) / 86400.0,
                        a.message()));
            }
        }
        for (RiskDemo.Retrain t : r.retrains()) {
            b.append(String.format(Locale.ROOT, "  retrain day %.2f: candidate AUC %.4f vs current %.4f -> %s (v%d)%n",
                    (t.ts() - TransactionGenerator.START_TS) / 86400.0, t.candidateAuc(), t.currentAuc(),
                    t.promoted() ? "promoted" : "kept current", t.version()));
        }
        for (RiskDemo.CaseNoteExample n : r.caseNotes()) {
            b.append("  case note tx ").append(n.tx().txId()).append(": ").append(n.note().json()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "wall time %.1f s%n", r.seconds()));
        return b.toString();
    }

    /** {@code autoglm risk score}. */
    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score transactions read as JSON lines on stdin with the promoted model of --db; print one JSON "
                    + "line per input line (a decision, or an error for that line). Exit code 3 when any line failed.")
    public static final class Score implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--db", defaultValue = "sqlite:risk.db", description = "database with a trained model "
                + "(run 'autoglm risk demo' first; default: ${DEFAULT-VALUE})")
        String db;

        @Option(names = "--model", description = "a GGUF language model that writes case notes for review-queue decisions")
        Path model;

        @Option(names = "--verbose", description = "print stack traces of errors")
        boolean verbose;

        /** Where lines come from; tests replace it. */
        java.io.InputStream in = System.in;

        @Override
        public Integer call() throws Exception {
            if (model != null && !Files.isRegularFile(model)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--model " + model + " is not a file");
            }
            RiskDatabase database;
            try {
                database = RiskDatabase.open(db);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (database) {
                RiskDatabase.ServingModel sm;
                try {
                    sm = database.loadPromotedModel().orElseThrow(() -> new SQLException("the models table is empty"));
                } catch (SQLException e) {
                    throw new IllegalStateException("no promoted model in " + database.describe() + " (" + e.getMessage()
                            + "); run 'autoglm risk demo --db " + db + "' first", e);
                }
                PrintWriter out = spec.commandLine().getOut();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                try (ModelPair m = sm.model();
                        LanguageModel lm = model == null ? null : AutoGLM.builder().model(model).contextSize(1024).build()) {
                    ScoreStream stream = new ScoreStream(database, m, sm.version(), RuleEngine.builder().build(),
                            lm == null ? null : new CaseNotes(lm));
                    ScoreStream.Summary s = stream.run(reader, out);
                    out.flush();
                    PrintWriter err = spec.commandLine().getErr();
                    err.printf(Locale.ROOT, "scored %d, failed %d%n", s.scored(), s.failed());
                    err.flush();
                    return s.failed() == 0 ? 0 : io.autoglm.cli.AutoGlmCli.EXIT_BAD_INPUT;
                }
            }
        }
    }
}
