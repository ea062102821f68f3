package io.autoglm.examples.risk;

import io.autoglm.automl.search.FrozenTrial;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end walk-through, as a simulation over generated days:
 * <ol>
 *   <li>generate customers and transactions (seeded), write them to the database (all but the last
 *       {@code onlineTransactions}, which will arrive through the online path);</li>
 *   <li>compute the batch features in SQL;</li>
 *   <li>tune XGBoost (TPE + ASHA over rounds, time-ordered folds) on the first training days, train
 *       it and the logistic baseline, check calibration on the last training days (the reference);</li>
 *   <li>replay the remaining days hour by hour: score (rules, SHAP), review queue, analysts' noisy
 *       labels and chargebacks, hourly drift and daily AUC monitoring, retraining through the
 *       feedback loop when an alarm is active, promotion only when the candidate wins on recent data;
 *       the last transactions are scored one by one through {@link OnlineScorer} (timed);</li>
 *   <li>check that the online features equal the batch features, and compute the figures on the
 *       last {@code evalDays} days, which no model ever trained on.</li>
 * </ol>
 */
public final class RiskDemo {
    private static final Logger LOG = LoggerFactory.getLogger(RiskDemo.class);
    /**
     * Days after the last active alarm during which the feedback loop retrains once a day: the labels of
     * the drifted traffic arrive day by day, so the first run, right after the alarm, has hardly any.
     */
    static final int FOLLOW_UP_DAYS = 5;

    /**
     * Settings of a run.
     *
     * @param days simulated days
     * @param transactions total transactions
     * @param seed seed of the data, the tuning and the analysts
     * @param db database spec
     * @param driftDay day of the injected drift, or -1 for none
     * @param warmupDays first days that only build up history for the windows (not trained on)
     * @param trainDays days before monitoring starts (the last {@code refDays} of them are the reference)
     * @param refDays reference days (out-of-sample scores for calibration, baselines and drift)
     * @param evalDays final days on which the figures are computed (never trained on)
     * @param onlineTransactions last transactions scored through the online path
     * @param trials tuning trials
     * @param maxRounds boosting rounds of a full trial
     * @param labelNoise probability that an analyst's label is wrong
     * @param chargebackRate probability that a fraud outside the review queue is reported by a chargeback
     * @param retrainCooldownHours minimum hours between retraining runs
     */
    public record Config(int days, int transactions, long seed, String db, int driftDay, int warmupDays, int trainDays,
            int refDays,
            int evalDays, int onlineTransactions, int trials, int maxRounds, double labelNoise, double chargebackRate,
            int retrainCooldownHours) {

        /** Validates; messages name the flag. */
        public Config {
            Objects.requireNonNull(db, "db");
            if (days < 8) {
                throw new IllegalArgumentException("--days must be >= 8, was " + days);
            }
            if (warmupDays < 0 || refDays < 1 || trainDays < warmupDays + refDays + 2) {
                throw new IllegalArgumentException("--train-days must be >= warm-up days + reference days + 2 = "
                        + (warmupDays + refDays + 2) + ", was " + trainDays);
            }
            if (evalDays < 1 || trainDays + evalDays >= days) {
                throw new IllegalArgumentException("--train-days + eval days must be < --days=" + days + ", were " + trainDays
                        + " + " + evalDays);
            }
            if (driftDay != -1 && (driftDay <= trainDays || driftDay >= days)) {
                throw new IllegalArgumentException("--drift-day must be -1 or in (" + trainDays + ", " + days + "), was "
                        + driftDay);
            }
            if (onlineTransactions < 0 || onlineTransactions > transactions / 2) {
                throw new IllegalArgumentException("--online must be in [0, transactions/2=" + transactions / 2 + "], was "
                        + onlineTransactions);
            }
            if (!(labelNoise >= 0 && labelNoise < 0.5)) {
                throw new IllegalArgumentException("--label-noise must be in [0, 0.5), was " + labelNoise);
            }
            if (!(chargebackRate >= 0 && chargebackRate <= 1)) {
                throw new IllegalArgumentException("chargebackRate must be in [0, 1], was " + chargebackRate);
            }
        }

        /**
         * The defaults for a number of days and transactions: the first half of the days before monitoring
         * starts (a warm-up of up to 7 days that only builds history, then training, then 2 reference
         * days), drift injected 7 days after monitoring starts (or halfway), figures
         * on the last 3 days, the last min(20,000, 10 %) transactions online, 20 trials of 200 rounds,
         * 5 % analyst noise, 85 % chargebacks, a 24 h retraining cooldown.
         *
         * @param days days
         * @param transactions transactions
         * @param seed seed
         * @param db database spec
         * @return the config
         */
        public static Config defaults(int days, int transactions, long seed, String db) {
            int train = Math.max(5, days / 2);
            int drift = train + Math.min(7, (days - train) / 2);
            int warmup = Math.max(0, Math.min(7, train - 5));
            return new Config(days, transactions, seed, db, drift, warmup, train, 2, 3, Math.min(20_000, transactions / 10), 20, 200,
                    0.05, 0.85, 24);
        }
    }

    /**
     * One retraining run.
     *
     * @param ts simulated time
     * @param candidateAuc candidate's hold-out AUC
     * @param currentAuc current model's hold-out AUC
     * @param promoted whether it was promoted
     * @param version version of the candidate in the {@code models} table
     */
    public record Retrain(long ts, double candidateAuc, double currentAuc, boolean promoted, int version) {
    }

    /**
     * Everything a run measured.
     *
     * @param config the settings
     * @param fraudRows fraud transactions generated
     * @param driftTs start of the injected drift, or -1
     * @param tuning the tuning result
     * @param calibrationBins calibration on the reference days
     * @param ece expected calibration error on the reference days
     * @param brier Brier score on the reference days
     * @param evalScores the serving model's scores on the evaluation days
     * @param evalLogistic the baseline's scores on them
     * @param evalLabels their ground truth
     * @param auc XGBoost AUC on the evaluation days
     * @param logisticAuc baseline AUC on them
     * @param recallAt1pctFpr XGBoost recall at 1 % false positive rate
     * @param logisticRecallAt1pctFpr baseline recall at 1 % false positive rate
     * @param meanAbsShap mean |SHAP| per feature on the evaluation days
     * @param scoringTps online transactions per second (single thread)
     * @param scoringP50Ms median online latency
     * @param scoringP99Ms 99th percentile online latency
     * @param scoringCpuTps online transactions per second of the scoring thread's CPU time (what one idle core
     *     would do; on a shared machine the wall-clock figures also count the time other processes held the CPU)
     * @param scoringCpuP99Ms 99th percentile of the CPU time per transaction
     * @param onlineScored transactions scored online
     * @param parityMismatches online rows whose features differ from the batch features
     * @param hours the monitor's hourly figures
     * @param days the monitor's daily figures
     * @param alerts every alert
     * @param driftAlarmDelayHours hours from the drift to the first alarm (NaN when none)
     * @param falseAlarms alarms before the drift
     * @param stationaryDays monitored days before the drift
     * @param retrains retraining runs
     * @param decisionCounts decisions by action
     * @param caseNotes the case notes written (may be empty)
     * @param metrics the monitor's final snapshot
     * @param seconds wall time of the run
     */
    public record Result(Config config, long fraudRows, long driftTs, ModelTuning.Result tuning,
            List<Metrics.CalibrationBin> calibrationBins, double ece, double brier, double[] evalScores,
            double[] evalLogistic, boolean[] evalLabels, double auc, double logisticAuc, double recallAt1pctFpr,
            double logisticRecallAt1pctFpr, Map<String, Double> meanAbsShap, double scoringTps, double scoringP50Ms,
            double scoringP99Ms, double scoringCpuTps, double scoringCpuP99Ms, int onlineScored, int parityMismatches, List<RiskMonitor.HourReport> hours,
            List<RiskMonitor.DayReport> days, List<Alert> alerts, double driftAlarmDelayHours, int falseAlarms,
            int stationaryDays, List<Retrain> retrains, Map<Decision.Action, Integer> decisionCounts,
            List<CaseNoteExample> caseNotes, RiskMetrics metrics, double seconds) {
    }

    /**
     * A case note with what it was written for.
     *
     * @param tx the transaction
     * @param decision its decision
     * @param note the note
     */
    public record CaseNoteExample(Transaction tx, Decision decision, CaseNotes.CaseNote note) {
    }

    /** Progress of a run: a phase and how far it got. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param phase what runs
         * @param done units done
         * @param total units in all
         */
        void report(String phase, long done, long total);
    }

    private final Config cfg;
    private final Progress progress;
    private final CaseNotes notes;
    private final int maxNotes;

    /**
     * @param cfg settings
     * @param progress progress listener (may be null)
     * @param notes case-note writer for review-queue items, or null for none
     * @param maxNotes case notes to write at most
     */
    public RiskDemo(Config cfg, Progress progress, CaseNotes notes, int maxNotes) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.progress = progress == null ? (p, d, t) -> { } : progress;
        this.notes = notes;
        this.maxNotes = maxNotes;
    }

    /**
     * Runs the walk-through.
     *
     * @return the figures
     * @throws SQLException when the database fails
     */
    public Result run() throws SQLException {
        long wall = System.nanoTime();
        progress.report("generate", 0, cfg.transactions());
        GeneratedData data = TransactionGenerator.builder().days(cfg.days()).transactions(cfg.transactions())
                .seed(cfg.seed()).driftDay(cfg.driftDay()).build().generate();
        List<Transaction> txs = data.transactions();
        int n = txs.size();
        progress.report("generate", n, n);
        int online = cfg.onlineTransactions();
        int batchN = n - online;
        long day0 = data.startTs();
        long monitorStart = day0 + (long) cfg.trainDays() * Features.DAY;
        long refStart = monitorStart - (long) cfg.refDays() * Features.DAY;
        long evalStart = day0 + (long) (cfg.days() - cfg.evalDays()) * Features.DAY;
        long end = day0 + (long) cfg.days() * Features.DAY;
        boolean[] truth = new boolean[n];
        for (int i = 0; i < n; i++) {
            truth[i] = data.isFraud(i);
        }
        try (RiskDatabase db = RiskDatabase.open(cfg.db())) {
            db.createSchema();
            db.insertCustomers(data.customers());
            db.insertTransactions(txs.subList(0, batchN), data.fraudTypes().subList(0, batchN),
                    k -> progress.report("write " + db.describe(), k, n));
            db.insertGroundTruth(txs.subList(batchN, n), data.fraudTypes().subList(batchN, n));
            progress.report("write " + db.describe(), n, n);

            progress.report("features (SQL window functions)", 0, batchN);
            FeatureRow[] rows = new FeatureRow[n];
            for (FeatureRow r : db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE)) {
                rows[(int) r.txId() - 1] = r;
            }
            progress.report("features (SQL window functions)", batchN, batchN);

            // --- initial training: tune on [warm-up, refStart), reference on [refStart, monitorStart)
            int trainFrom = firstAtOrAfter(txs, day0 + (long) cfg.warmupDays() * Features.DAY);
            int trainEnd = firstAtOrAfter(txs, refStart);
            int refEnd = firstAtOrAfter(txs, monitorStart);
            double[][] trainX = slice(rows, trainFrom, trainEnd);
            boolean[] trainY = Arrays.copyOfRange(truth, trainFrom, trainEnd);
            long[] trainTs = tsOf(txs, trainFrom, trainEnd);
            ModelTuning.Result tuning = ModelTuning.builder().trials(cfg.trials()).maxRounds(cfg.maxRounds())
                    .seed(cfg.seed()).build().tune(trainX, trainY, trainTs, new Consumer<>() {
                        private int done;

                        @Override
                        public void accept(FrozenTrial t) {
                            progress.report("tune XGBoost (TPE + ASHA, " + tuning(t) + ")", ++done, cfg.trials());
                        }
                    });
            progress.report("train final model", 0, 1);
            ModelPair serving = new ModelPair(BoostedModel.train(trainX, trainY, null, tuning.best(), cfg.seed(), 1),
                    LogisticModel.fit(trainX, trainY, null, 1.0));
            double[][] refX = slice(rows, trainEnd, refEnd);
            boolean[] refY = Arrays.copyOfRange(truth, trainEnd, refEnd);
            double[] refScores = serving.booster().scores(refX);
            double baseline = Metrics.auc(refScores, refY);
            List<Metrics.CalibrationBin> calib = Metrics.calibration(refScores, refY, 10);
            double ece = Metrics.expectedCalibrationError(refScores, refY, 10);
            double brier = Metrics.brier(refScores, refY);
            int version = db.saveModel(serving, monitorStart, true, metricsJson(tuning.best().asMap(), baseline, ece, brier));
            progress.report("train final model", 1, 1);
            LOG.info("initial model v{}: reference AUC {}, ECE {}, Brier {}", version, baseline, ece, brier);

            RuleEngine rules = RuleEngine.builder().build();
            RiskMonitor monitor = RiskMonitor.builder().build();
            monitor.setReference(refX, refScores, tsOf(txs, trainEnd, refEnd), baseline, version);
            FeedbackLoop loop = new FeedbackLoop(tuning.best(), cfg.seed(), 1, 0.001, 3);

            // --- replay
            double[] score = new double[n];
            double[] logit = new double[n];
            int[] feedback = new int[n]; // -1 none, 0/1 label
            boolean[] analyst = new boolean[n];
            Arrays.fill(feedback, -1);
            Decision.Action[] action = new Decision.Action[n];
            double[] shapSum = new double[Features.count()];
            int shapRows = 0;
            SplittableRandom analysts = new SplittableRandom(cfg.seed() * 31 + 7);
            List<Long> onlineNanos = new ArrayList<>();
            List<Long> onlineCpu = new ArrayList<>();
            long onlineWall = 0;
            List<Retrain> retrains = new ArrayList<>();
            List<CaseNoteExample> caseNotes = new ArrayList<>();
            long lastRetrain = Long.MIN_VALUE / 2;
            long lastHoldEnd = Long.MIN_VALUE;
            long followUpUntil = Long.MIN_VALUE;
            int i = refEnd;
            int dayStartIdx = refEnd;
            long hours = (end - monitorStart) / 3600;
            OnlineScorer scorer = null;
            try {
                for (long h = 0; h < hours; h++) {
                    long hs = monitorStart + h * 3600;
                    int from = i;
                    while (i < n && txs.get(i).ts() < hs + 3600) {
                        i++;
                    }
                    // batch part of the hour
                    int batchTo = Math.min(i, batchN);
                    List<FeatureRow> hourRows = new ArrayList<>();
                    for (int k = from; k < batchTo; k++) {
                        hourRows.add(rows[k]);
                    }
                    double[] s = new double[hourRows.size()];
                    List<Decision> ds = Scoring.decide(hourRows, serving.booster(), rules, s);
                    db.insertDecisions(ds, version);
                    for (int k = from; k < batchTo; k++) {
                        score[k] = s[k - from];
                        logit[k] = serving.logistic().predict(rows[k].values());
                        action[k] = ds.get(k - from).action();
                    }
                    if (hs >= evalStart && !hourRows.isEmpty()) {
                        float[][] contrib = serving.booster().contributions(slice(rows, from, batchTo));
                        for (float[] c : contrib) {
                            for (int j = 0; j < shapSum.length; j++) {
                                shapSum[j] += Math.abs(c[j]);
                            }
                        }
                        shapRows += contrib.length;
                    }
                    // online part of the hour: one transaction at a time through the database
                    if (i > batchN) {
                        if (scorer == null) {
                            scorer = new OnlineScorer(db, serving, version, rules);
                        }
                        long w0 = System.nanoTime();
                        for (int k = Math.max(from, batchN); k < i; k++) {
                            OnlineScorer.Result r = scorer.score(txs.get(k));
                            onlineNanos.add(r.nanos());
                            onlineCpu.add(r.cpuNanos());
                            rows[k] = r.features();
                            score[k] = r.decision().score();
                            logit[k] = r.logisticScore();
                            action[k] = r.decision().action();
                            ds.add(r.decision());
                            if (hs >= evalStart) {
                                for (int j = 0; j < shapSum.length; j++) {
                                    shapSum[j] += Math.abs(r.contributions()[j]);
                                }
                                shapRows++;
                            }
                        }
                        onlineWall += System.nanoTime() - w0;
                    }
                    // review queue and chargebacks -> feedback labels
                    List<long[]> fb = new ArrayList<>();
                    for (int k = from; k < i; k++) {
                        if (action[k] != Decision.Action.APPROVE) {
                            boolean wrong = analysts.nextDouble() < cfg.labelNoise();
                            feedback[k] = truth[k] ^ wrong ? 1 : 0;
                            analyst[k] = true;
                            fb.add(new long[] {txs.get(k).txId(), feedback[k], 1});
                        } else if (truth[k] && analysts.nextDouble() < cfg.chargebackRate()) {
                            feedback[k] = 1;
                            fb.add(new long[] {txs.get(k).txId(), 1, 0});
                        }
                        if (notes != null && caseNotes.size() < maxNotes && hs >= evalStart
                                && action[k] == Decision.Action.REVIEW) {
                            Decision dk = ds.get(k - from);
                            caseNotes.add(new CaseNoteExample(txs.get(k), dk, notes.write(txs.get(k), dk)));
                        }
                    }
                    if (!fb.isEmpty()) {
                        db.insertFeedback(fb.stream().mapToLong(f -> f[0]).toArray(),
                                fb.stream().mapToInt(f -> (int) f[1]).toArray(),
                                fb.stream().map(f -> f[2] == 1 ? "analyst" : "chargeback").toArray(String[]::new));
                    }
                    monitor.observeHour(hs, slice(rows, from, i), Arrays.copyOfRange(score, from, i));
                    boolean dayEnd = (hs + 3600 - day0) % Features.DAY == 0;
                    if (dayEnd) {
                        boolean[] lab = new boolean[i - dayStartIdx];
                        for (int k = dayStartIdx; k < i; k++) {
                            lab[k - dayStartIdx] = feedback[k] == 1;
                        }
                        monitor.observeDay(hs + 3600 - Features.DAY, Arrays.copyOfRange(score, dayStartIdx, i), lab);
                        dayStartIdx = i;
                    }
                    progress.report("replay " + (cfg.days() - cfg.trainDays()) + " days hour by hour (monitor, review queue, "
                            + "feedback; last " + online + " tx online)", h + 1, hours);
                    // feedback loop: an alarm opens a follow-up window with one retraining run per cooldown
                    long now = hs + 3600;
                    long today = now - Math.floorMod(now - day0, Features.DAY);
                    long holdEnd = Math.min(today, evalStart);
                    if (monitor.alarmActive()) {
                        followUpUntil = now + FOLLOW_UP_DAYS * Features.DAY;
                    }
                    if (now < followUpUntil && now - lastRetrain >= cfg.retrainCooldownHours() * 3600L
                            && holdEnd > lastHoldEnd
                            && holdEnd - 2 * Features.DAY >= monitorStart - (long) cfg.refDays() * Features.DAY) {
                        lastRetrain = now;
                        lastHoldEnd = holdEnd;
                        long firstTs = day0 + (long) cfg.warmupDays() * Features.DAY;
                        FeedbackLoop.Outcome o = loop.retrain(() -> collect(txs, rows, truth, feedback, analyst, firstTs,
                                monitorStart, holdEnd), serving);
                        if (o.candidate() == null) {
                            LOG.warn("retraining failed: {}", o.reportJson());
                            monitor.recordRetrain(false);
                            continue;
                        }
                        int v = db.saveModel(o.candidate(), now, o.promote(), o.reportJson());
                        retrains.add(new Retrain(now, o.candidateAuc(), o.currentAuc(), o.promote(), v));
                        monitor.recordRetrain(o.promote());
                        LOG.info("retrain at {}: candidate AUC {} vs current {} -> {}", now, o.candidateAuc(), o.currentAuc(),
                                o.promote() ? "promoted" : "kept current");
                        if (o.promote()) {
                            serving.close();
                            serving = o.candidate();
                            version = v;
                            if (scorer != null) {
                                scorer.close();
                                scorer = null;
                            }
                            monitor.setReference(o.data().holdoutX(), o.holdoutScores(), o.data().holdoutTs(),
                                    o.candidateAuc(), v);
                        } else {
                            // the current model held its own on the recent days: accept them as the new normal
                            o.candidate().close();
                            monitor.setReference(o.data().holdoutX(), o.currentHoldoutScores(), o.data().holdoutTs(),
                                    o.currentAuc(), version);
                        }
                    }
                }
            } finally {
                if (scorer != null) {
                    scorer.close();
                }
                serving.close();
            }

            // --- parity of the online rows with the batch query
            int mismatches = 0;
            if (online > 0) {
                List<FeatureRow> batchTail = db.batchFeatures(txs.get(batchN).ts(), Long.MAX_VALUE);
                for (FeatureRow b : batchTail) {
                    if (!b.equals(rows[(int) b.txId() - 1])) {
                        mismatches++;
                    }
                }
                mismatches += online - batchTail.size();
            }

            // --- figures on the evaluation days
            int evalFrom = firstAtOrAfter(txs, evalStart);
            double[] es = Arrays.copyOfRange(score, evalFrom, n);
            double[] el = Arrays.copyOfRange(logit, evalFrom, n);
            boolean[] ey = Arrays.copyOfRange(truth, evalFrom, n);
            Map<String, Double> shap = new LinkedHashMap<>();
            for (int j = 0; j < shapSum.length; j++) {
                shap.put(Features.NAMES.get(j), shapRows == 0 ? 0 : shapSum[j] / shapRows);
            }
            long[] lat = onlineNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            double tps = onlineWall == 0 ? 0 : lat.length / (onlineWall / 1e9);
            long[] cpu = onlineCpu.stream().mapToLong(Long::longValue).sorted().toArray();
            double cpuTps = cpu.length == 0 ? 0 : cpu.length / (java.util.Arrays.stream(cpu).sum() / 1e9);
            List<Alert> alerts = monitor.alerts();
            long driftTs = data.driftTs();
            double delay = Double.NaN;
            int falseAlarms = 0;
            for (Alert a : alerts) {
                if (!a.isAlarm()) {
                    continue;
                }
                if (driftTs < 0 || a.ts() < driftTs) {
                    falseAlarms++;
                } else if (Double.isNaN(delay) && a.type() == Alert.Type.PREDICTION_DRIFT) {
                    delay = (a.ts() + 3600 - driftTs) / 3600.0; // raised at the end of the hour starting at a.ts()
                }
            }
            Map<Decision.Action, Integer> counts = new LinkedHashMap<>();
            for (Decision.Action a : Decision.Action.values()) {
                counts.put(a, 0);
            }
            for (Decision.Action a : action) {
                if (a != null) {
                    counts.merge(a, 1, Integer::sum);
                }
            }
            int stationary = (int) (((driftTs < 0 ? end : driftTs) - monitorStart) / Features.DAY);
            return new Result(cfg, data.fraudCount(), driftTs, tuning, calib, ece, brier, es, el, ey, Metrics.auc(es, ey),
                    Metrics.auc(el, ey), Metrics.recallAtFpr(es, ey, 0.01), Metrics.recallAtFpr(el, ey, 0.01), shap, tps,
                    lat.length == 0 ? 0 : lat[(int) Math.min(lat.length - 1, Math.ceil(0.5 * lat.length) - 1)] / 1e6,
                    lat.length == 0 ? 0 : lat[(int) Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)] / 1e6,
                    cpuTps, cpu.length == 0 ? 0 : cpu[(int) Math.min(cpu.length - 1, Math.ceil(0.99 * cpu.length) - 1)] / 1e6,
                    lat.length, mismatches, monitor.hours(), monitor.days(), alerts, delay, falseAlarms, stationary, retrains,
                    counts, caseNotes, monitor.snapshot(), (System.nanoTime() - wall) / 1e9);
        }
    }

    private static String tuning(FrozenTrial t) {
        return "trial " + t.number() + " " + t.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Labelled rows for a retraining run: training on the 14 days before the 2-day hold-out ending at {@code holdEnd}. */
    private static FeedbackLoop.Data collect(List<Transaction> txs, FeatureRow[] rows, boolean[] truth, int[] feedback,
            boolean[] analyst, long firstTs, long monitorStart, long holdEnd) {
        long holdStart = holdEnd - 2 * Features.DAY;
        long trainStart = Math.max(firstTs, holdStart - 14 * Features.DAY);
        int a = firstAtOrAfter(txs, trainStart);
        int b = firstAtOrAfter(txs, holdStart);
        int c = firstAtOrAfter(txs, holdEnd);
        double[][] x = slice(rows, a, b);
        boolean[] y = new boolean[b - a];
        boolean[] an = new boolean[b - a];
        long[] ts = new long[b - a];
        for (int k = a; k < b; k++) {
            // before monitoring: confirmed historical labels; afterwards: what feedback said (none = legitimate)
            y[k - a] = txs.get(k).ts() < monitorStart ? truth[k] : feedback[k] == 1;
            an[k - a] = analyst[k];
            ts[k - a] = txs.get(k).ts();
        }
        double[][] hx = slice(rows, b, c);
        boolean[] hy = new boolean[c - b];
        long[] hts = new long[c - b];
        for (int k = b; k < c; k++) {
            hy[k - b] = txs.get(k).ts() < monitorStart ? truth[k] : feedback[k] == 1;
            hts[k - b] = txs.get(k).ts();
        }
        return new FeedbackLoop.Data(x, y, an, ts, hx, hy, hts);
    }

    static int firstAtOrAfter(List<Transaction> txs, long ts) {
        int lo = 0;
        int hi = txs.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (txs.get(mid).ts() < ts) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double[][] slice(FeatureRow[] rows, int from, int to) {
        double[][] out = new double[to - from][];
        for (int k = from; k < to; k++) {
            out[k - from] = rows[k].values();
        }
        return out;
    }

    private static long[] tsOf(List<Transaction> txs, int from, int to) {
        long[] out = new long[to - from];
        for (int k = from; k < to; k++) {
            out[k - from] = txs.get(k).ts();
        }
        return out;
    }

    private static String metricsJson(Map<String, Object> params, double auc, double ece, double brier) {
        Map<String, Object> m = new HashMap<>();
        m.put("params", params);
        m.put("reference_auc", auc);
        m.put("ece", ece);
        m.put("brier", brier);
        return Json.MAPPER.valueToTree(m).toString();
    }
}
