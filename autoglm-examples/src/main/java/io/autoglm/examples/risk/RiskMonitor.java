package io.autoglm.examples.risk;

import io.autoglm.automl.monitor.DriftDetector;
import io.autoglm.automl.monitor.DriftReport;
import io.autoglm.automl.monitor.FeatureDrift;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Production monitoring of the risk model, hour by hour and day by day, on {@code autoglm-automl}'s
 * {@link DriftDetector} (PSI and KL over the reference's decile bins).
 *
 * <ul>
 *   <li><b>Prediction drift</b>, every hour: the scores of the trailing window against the reference
 *       scores of the same hours of the day (so the daily cycle is not mistaken for drift). The window
 *       is the last {@code windowHours} (6) hours, stretched back hour by hour (up to 24) until it holds
 *       {@code minWindowRows} (1,000) scores, so quiet night hours do not make the statistic noisy. The seed's "prediction drift rate &gt; 15 %" is read as a population
 *       stability index above 0.15 (PSI 0.1-0.25 is the usual "moderate shift" band).</li>
 *   <li><b>Feature drift</b>, every hour: the same test per feature (PSI &gt; 0.2 names the feature;
 *       informational, it explains a prediction drift).</li>
 *   <li><b>AUC decay</b>, every day: AUC on that day's labelled feedback; an alarm when it is more than
 *       0.1 below the serving model's baseline AUC.</li>
 * </ul>
 * An alert is raised when its figure crosses the threshold and again only after it has cleared.
 * Not thread-safe, except {@link #snapshot()}, which may be read from any thread.
 */
public final class RiskMonitor {
    private final int windowHours;
    private final double predictionPsi;
    private final double featurePsi;
    private final double aucDrop;
    private final int minWindowRows;

    private double[][] refRows;
    private double[] refScores;
    private int[] refHour;
    private double baselineAuc;
    private final Map<Integer, DriftDetector> featureDetectors = new HashMap<>(); // key: end hour * 100 + hours
    private final Map<Integer, DriftDetector> scoreDetectors = new HashMap<>();
    private final Deque<double[][]> windowRows = new ArrayDeque<>();
    private final Deque<double[]> windowScores = new ArrayDeque<>();
    private final Set<Alert.Type> active = EnumSet.noneOf(Alert.Type.class);
    private final List<Alert> alerts = new ArrayList<>();
    private final List<HourReport> hours = new ArrayList<>();
    private final List<DayReport> days = new ArrayList<>();
    private volatile RiskMetrics snapshot;
    private int modelVersion;
    private long scored;
    private int retrains;
    private int promotions;

    /**
     * One hour's figures.
     *
     * @param ts start of the hour
     * @param rows rows in the trailing window (0 while it is filling)
     * @param psi prediction PSI (NaN when the window had too few rows)
     * @param kl prediction KL
     * @param driftedFeatures features above the feature threshold
     * @param alarm whether the prediction-drift alert is active
     */
    public record HourReport(long ts, int rows, double psi, double kl, List<String> driftedFeatures, boolean alarm) {
    }

    /**
     * One day's figures.
     *
     * @param ts start of the day
     * @param auc AUC on labelled feedback
     * @param baseline the model's baseline AUC
     * @param alarm whether the AUC-decay alert is active
     */
    public record DayReport(long ts, double auc, double baseline, boolean alarm) {
    }

    private RiskMonitor(Builder b) {
        this.windowHours = b.windowHours;
        this.predictionPsi = b.predictionPsi;
        this.featurePsi = b.featurePsi;
        this.aucDrop = b.aucDrop;
        this.minWindowRows = b.minWindowRows;
    }

    /** @return a builder with the seed's thresholds: prediction PSI 0.15, AUC drop 0.1; 6-hour window */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sets (or replaces, after a promotion) the reference the live data is compared with.
     *
     * @param rows feature rows of the reference period (scored out of sample)
     * @param scores the serving model's scores for them
     * @param ts their times, epoch seconds
     * @param baseline the serving model's AUC on them
     * @param version the serving model's version
     */
    public void setReference(double[][] rows, double[] scores, long[] ts, double baseline, int version) {
        if (rows.length != scores.length || rows.length != ts.length) {
            throw new IllegalArgumentException("rows, scores and ts must have the same length, were " + rows.length + ", "
                    + scores.length + ", " + ts.length);
        }
        if (rows.length < 100) {
            throw new IllegalArgumentException("reference must have at least 100 rows, had " + rows.length);
        }
        this.refRows = rows;
        this.refScores = scores;
        this.refHour = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            refHour[i] = (int) Math.floorMod(ts[i] / 3600, 24L);
        }
        this.baselineAuc = baseline;
        this.modelVersion = version;
        featureDetectors.clear();
        scoreDetectors.clear();
        windowRows.clear();
        windowScores.clear();
        active.remove(Alert.Type.PREDICTION_DRIFT);
        active.remove(Alert.Type.FEATURE_DRIFT);
        active.remove(Alert.Type.AUC_DECAY);
        publish(Double.NaN, Double.NaN, Map.of());
    }

    /** Detectors over the reference rows whose hour of day is among the {@code span} hours ending at {@code h}. */
    private int ensureDetectors(int h, int span) {
        int key = h * 100 + span;
        if (scoreDetectors.containsKey(key)) {
            return key;
        }
        boolean[] in = new boolean[24];
        for (int k = 0; k < span; k++) {
            in[Math.floorMod(h - k, 24)] = true;
        }
        List<double[]> rows = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        for (int i = 0; i < refRows.length; i++) {
            if (in[refHour[i]]) {
                rows.add(refRows[i]);
                scores.add(new double[] {refScores[i]});
            }
        }
        if (rows.size() < 20) { // a window of quiet hours: fall back to the whole reference
            for (int i = 0; i < refRows.length; i++) {
                rows.add(refRows[i]);
                scores.add(new double[] {refScores[i]});
            }
        }
        featureDetectors.put(key, DriftDetector.builder().metric(DriftDetector.Metric.PSI).threshold(featurePsi)
                .featureNames(Features.NAMES).categorical(Features.CONTINENT_CHANGE, 13, 15, Features.CATEGORY, Features.CHANNEL)
                .build(rows.toArray(double[][]::new)));
        scoreDetectors.put(key, DriftDetector.builder().metric(DriftDetector.Metric.PSI).threshold(predictionPsi)
                .featureNames(List.of("score")).build(scores.toArray(double[][]::new)));
        return key;
    }

    /**
     * Observes one hour of scored transactions.
     *
     * @param hourTs start of the hour, epoch seconds
     * @param rows the hour's feature rows
     * @param scores the serving model's scores for them
     * @return the hour's figures; new alerts are in {@link #alerts()}
     */
    public HourReport observeHour(long hourTs, double[][] rows, double[] scores) {
        if (refRows == null) {
            throw new IllegalStateException("setReference must be called before observeHour");
        }
        if (rows.length != scores.length) {
            throw new IllegalArgumentException("rows has " + rows.length + " entries, scores " + scores.length);
        }
        scored += rows.length;
        windowRows.addLast(rows);
        windowScores.addLast(scores);
        while (windowRows.size() > 24) {
            windowRows.removeFirst();
            windowScores.removeFirst();
        }
        // the last windowHours hours, stretched back until the window holds minWindowRows rows
        List<double[][]> blocks = new ArrayList<>();
        List<double[]> blockScores = new ArrayList<>();
        var itRows = windowRows.descendingIterator();
        var itScores = windowScores.descendingIterator();
        int n = 0;
        while (itRows.hasNext() && (blocks.size() < windowHours || n < minWindowRows)) {
            double[][] b = itRows.next();
            blocks.add(b);
            blockScores.add(itScores.next());
            n += b.length;
        }
        if (n < minWindowRows || blocks.size() < windowHours) {
            HourReport r = new HourReport(hourTs, n, Double.NaN, Double.NaN, List.of(), active.contains(Alert.Type.PREDICTION_DRIFT));
            hours.add(r);
            publish(Double.NaN, Double.NaN, Map.of());
            return r;
        }
        double[][] live = new double[n][];
        double[][] liveScores = new double[n][1];
        int k = 0;
        for (int b = 0; b < blocks.size(); b++) {
            double[][] block = blocks.get(b);
            double[] s = blockScores.get(b);
            for (int i = 0; i < block.length; i++) {
                live[k] = block[i];
                liveScores[k++][0] = s[i];
            }
        }
        int span = blocks.size();
        int key = ensureDetectors((int) Math.floorMod(hourTs / 3600, 24L), span);
        FeatureDrift pred = scoreDetectors.get(key).compare(liveScores).features().getFirst();
        DriftReport feats = featureDetectors.get(key).compare(live);
        Map<String, Double> fpsi = new LinkedHashMap<>();
        for (FeatureDrift f : feats.features()) {
            fpsi.put(f.name(), f.psi());
        }
        List<String> drifted = feats.driftedNames();
        edge(Alert.Type.FEATURE_DRIFT, !drifted.isEmpty(), hourTs, feats.drifted().stream().mapToDouble(FeatureDrift::psi)
                .max().orElse(0), featurePsi, "feature drift (PSI > " + featurePsi + ") in " + drifted);
        boolean alarm = pred.psi() > predictionPsi;
        edge(Alert.Type.PREDICTION_DRIFT, alarm, hourTs, pred.psi(), predictionPsi, String.format(Locale.ROOT,
                "prediction drift: score PSI %.3f > %.2f over the last %d h (%d scores); drifted features %s", pred.psi(),
                predictionPsi, span, n, drifted));
        HourReport r = new HourReport(hourTs, n, pred.psi(), pred.kl(), drifted, alarm);
        hours.add(r);
        publish(pred.psi(), pred.kl(), fpsi);
        return r;
    }

    /**
     * Observes one day's labelled feedback.
     *
     * @param dayTs start of the day
     * @param scores the serving model's scores of the day's labelled transactions
     * @param labels their feedback labels
     * @return the day's figures
     */
    public DayReport observeDay(long dayTs, double[] scores, boolean[] labels) {
        double auc = Metrics.auc(scores, labels);
        boolean alarm = !Double.isNaN(auc) && baselineAuc - auc > aucDrop;
        edge(Alert.Type.AUC_DECAY, alarm, dayTs, auc, baselineAuc - aucDrop, String.format(Locale.ROOT,
                "AUC decay: feedback AUC %.3f is %.3f below the baseline %.3f (limit %.2f)", auc, baselineAuc - auc,
                baselineAuc, aucDrop));
        DayReport r = new DayReport(dayTs, auc, baselineAuc, alarm);
        days.add(r);
        RiskMetrics s = snapshot;
        snapshot = new RiskMetrics(modelVersion, scored, s.lastHourTs(), s.predictionPsi(), s.predictionKl(),
                s.featurePsi(), auc, baselineAuc, active, (int) alerts.stream().filter(Alert::isAlarm).count(), retrains,
                promotions);
        return r;
    }

    private void edge(Alert.Type type, boolean on, long ts, double value, double threshold, String message) {
        if (on && active.add(type)) {
            alerts.add(new Alert(type, ts, value, threshold, message));
        } else if (!on) {
            active.remove(type);
        }
    }

    /** Counts a retraining run and whether it promoted a model (for the metrics). @param promoted whether */
    public void recordRetrain(boolean promoted) {
        retrains++;
        if (promoted) {
            promotions++;
        }
        RiskMetrics s = snapshot;
        snapshot = new RiskMetrics(modelVersion, scored, s.lastHourTs(), s.predictionPsi(), s.predictionKl(), s.featurePsi(),
                s.dailyAuc(), baselineAuc, active, s.alarmsRaised(), retrains, promotions);
    }

    private void publish(double psi, double kl, Map<String, Double> fpsi) {
        RiskMetrics s = snapshot;
        long last = hours.isEmpty() ? 0 : hours.getLast().ts();
        snapshot = new RiskMetrics(modelVersion, scored, last, psi, kl, fpsi, s == null ? Double.NaN : s.dailyAuc(),
                baselineAuc, active, (int) alerts.stream().filter(Alert::isAlarm).count(), retrains, promotions);
    }

    /** @return whether a prediction-drift or AUC-decay alert is active */
    public boolean alarmActive() {
        return active.contains(Alert.Type.PREDICTION_DRIFT) || active.contains(Alert.Type.AUC_DECAY);
    }

    /** @return every alert raised so far, in time order */
    public List<Alert> alerts() {
        return List.copyOf(alerts);
    }

    /** @return every hour observed */
    public List<HourReport> hours() {
        return List.copyOf(hours);
    }

    /** @return every day observed */
    public List<DayReport> days() {
        return List.copyOf(days);
    }

    /** @return the current figures (any thread) */
    public RiskMetrics snapshot() {
        return snapshot;
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private int windowHours = 6;
        private double predictionPsi = 0.15;
        private double featurePsi = 0.2;
        private double aucDrop = 0.1;
        private int minWindowRows = 1000;

        private Builder() {
        }

        /** @param v trailing window, in [1, 24] hours @return this */
        public Builder windowHours(int v) {
            if (v < 1 || v > 24) {
                throw new IllegalArgumentException("windowHours must be in [1, 24], was " + v);
            }
            windowHours = v;
            return this;
        }

        /** @param v prediction PSI threshold, {@code > 0} (default 0.15) @return this */
        public Builder predictionPsi(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("predictionPsi must be finite and > 0, was " + v);
            }
            predictionPsi = v;
            return this;
        }

        /** @param v feature PSI threshold, {@code > 0} (default 0.2) @return this */
        public Builder featurePsi(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("featurePsi must be finite and > 0, was " + v);
            }
            featurePsi = v;
            return this;
        }

        /** @param v AUC drop that raises the alarm, in (0, 1) (default 0.1) @return this */
        public Builder aucDrop(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("aucDrop must be in (0, 1), was " + v);
            }
            aucDrop = v;
            return this;
        }

        /**
         * @param v rows the window needs; it stretches back (up to 24 h) to reach them, {@code >= 20} (default 1,000)
         * @return this
         */
        public Builder minWindowRows(int v) {
            if (v < 20) {
                throw new IllegalArgumentException("minWindowRows must be >= 20, was " + v);
            }
            minWindowRows = v;
            return this;
        }

        /** @return the monitor (call {@link RiskMonitor#setReference} before observing) */
        public RiskMonitor build() {
            return new RiskMonitor(this);
        }
    }
}
