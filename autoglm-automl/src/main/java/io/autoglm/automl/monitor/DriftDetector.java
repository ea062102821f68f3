package io.autoglm.automl.monitor;

import java.util.ArrayList;
import java.util.Arrays;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-drift detection between a reference sample and live samples, feature by feature.
 *
 * <p>Numeric features are binned at the reference's quantiles ({@code bins} bins, default 10; equal
 * quantiles of discrete features collapse into one edge). Categorical features use one bin per
 * reference category plus one for categories never seen in the reference. Bin probabilities are
 * smoothed, {@code p_i = (c_i / n + eps) / (1 + B eps)} (default {@code eps = 1e-4}), so empty bins
 * give finite scores. For each feature the detector computes
 * <pre>
 *   KL  = sum_i live_i ln(live_i / ref_i)                 (Kullback-Leibler divergence of live from reference)
 *   PSI = sum_i (live_i - ref_i) ln(live_i / ref_i)       (population stability index)
 * </pre>
 * and flags it when the chosen {@link Metric} (KL by default) exceeds the threshold (default 0.1).
 * A report with a drifted feature also goes to the listeners as a {@link MonitorEvent.Type#DATA_DRIFT}.
 *
 * <pre>{@code
 * DriftDetector d = DriftDetector.builder().featureNames(names).build(referenceRows);
 * DriftReport r = d.compare(liveRows);
 * if (r.anyDrift()) log.warn("drifted: {}", r.driftedNames());
 * }</pre>
 */
public final class DriftDetector {
    private static final Logger LOG = LoggerFactory.getLogger(DriftDetector.class);

    /** The score compared with the threshold. */
    public enum Metric {
        /** Kullback-Leibler divergence of the live distribution from the reference. */
        KL,
        /** Population stability index. */
        PSI
    }

    private final int features;
    private final String[] names;
    private final boolean[] categorical;
    private final double[][] edges;                 // numeric features
    private final List<Map<Double, Integer>> categories; // categorical features
    private final double[][] refProb;
    private final double eps;
    private final double threshold;
    private final Metric metric;
    private final Listeners listeners = new Listeners(LOG);
    private long comparisons;

    private DriftDetector(Builder b, double[][] reference) {
        this.features = reference[0].length;
        this.names = new String[features];
        for (int j = 0; j < features; j++) {
            names[j] = b.names == null ? "f" + j : b.names.get(j);
        }
        this.categorical = new boolean[features];
        for (int j : b.categorical) {
            if (j < 0 || j >= features) {
                throw new IllegalArgumentException("categorical feature index " + j + " out of range [0, "
                        + features + ")");
            }
            categorical[j] = true;
        }
        this.eps = b.eps;
        this.threshold = b.threshold;
        this.metric = b.metric;
        this.edges = new double[features][];
        this.categories = new ArrayList<>(features);
        this.refProb = new double[features][];
        int n = reference.length;
        for (int j = 0; j < features; j++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) {
                col[i] = reference[i][j];
            }
            if (categorical[j]) {
                Map<Double, Integer> cats = new LinkedHashMap<>();
                for (double v : col) {
                    cats.putIfAbsent(v, cats.size());
                }
                categories.add(cats);
            } else {
                categories.add(null);
                double[] sorted = col.clone();
                Arrays.sort(sorted);
                edges[j] = Histograms.quantileEdges(sorted, b.bins);
            }
            refProb[j] = Histograms.probabilities(counts(j, col), n, eps);
        }
    }

    /** @return a builder: 10 bins, eps 1e-4, threshold 0.1 on KL, all features numeric */
    public static Builder builder() {
        return new Builder();
    }

    /** @param listener called when a comparison finds drift @return this */
    public DriftDetector addListener(MonitorListener listener) {
        listeners.add(listener);
        return this;
    }

    /** @return the number of features */
    public int featureCount() {
        return features;
    }

    private long[] counts(int j, double[] col) {
        if (categorical[j]) {
            Map<Double, Integer> cats = categories.get(j);
            long[] c = new long[cats.size() + 1];
            for (double v : col) {
                c[cats.getOrDefault(v, cats.size())]++;
            }
            return c;
        }
        long[] c = new long[edges[j].length + 1];
        for (double v : col) {
            c[Histograms.bin(edges[j], v)]++;
        }
        return c;
    }

    /**
     * @param live rows of the live sample, same feature count as the reference, no NaN
     * @return per-feature scores and which features drifted
     * @throws IllegalArgumentException on an empty sample, a ragged row, a wrong feature count or NaN
     */
    public DriftReport compare(double[][] live) {
        checkRows("live", live, features);
        int n = live.length;
        List<FeatureDrift> out = new ArrayList<>(features);
        double[] col = new double[n];
        for (int j = 0; j < features; j++) {
            for (int i = 0; i < n; i++) {
                col[i] = live[i][j];
            }
            double[] p = Histograms.probabilities(counts(j, col), n, eps);
            double kl = Histograms.kl(p, refProb[j]);
            double psi = Histograms.psi(p, refProb[j]);
            double score = metric == Metric.KL ? kl : psi;
            out.add(new FeatureDrift(j, names[j], categorical[j], kl, psi, score > threshold));
        }
        DriftReport report = new DriftReport(out, threshold, metric, n);
        long idx = comparisons++;
        if (report.anyDrift()) {
            Map<String, Object> details = new LinkedHashMap<>();
            for (FeatureDrift f : report.drifted()) {
                details.put(f.name(), metric == Metric.KL ? f.kl() : f.psi());
            }
            double max = report.drifted().stream().mapToDouble(f -> metric == Metric.KL ? f.kl() : f.psi()).max()
                    .orElse(0);
            listeners.fire(new MonitorEvent(MonitorEvent.Type.DATA_DRIFT, idx, max,
                    "data drift (" + metric + " > " + threshold + ") in " + report.driftedNames(), details));
        }
        return report;
    }

    static void checkRows(String what, double[][] rows, int expected) {
        Objects.requireNonNull(rows, what);
        if (rows.length == 0) {
            throw new IllegalArgumentException(what + " sample is empty");
        }
        int f = expected < 0 ? Objects.requireNonNull(rows[0], what + " row 0").length : expected;
        if (f == 0) {
            throw new IllegalArgumentException(what + " sample has no features");
        }
        for (int i = 0; i < rows.length; i++) {
            double[] r = Objects.requireNonNull(rows[i], what + " row " + i);
            if (r.length != f) {
                throw new IllegalArgumentException(what + " row " + i + " has " + r.length + " features, expected "
                        + f + (expected >= 0 ? " (the reference's feature count)" : ""));
            }
            for (int j = 0; j < f; j++) {
                if (Double.isNaN(r[j])) {
                    throw new IllegalArgumentException(what + " row " + i + " feature " + j + " is NaN");
                }
            }
        }
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private int bins = 10;
        private double eps = 1e-4;
        private double threshold = 0.1;
        private Metric metric = Metric.KL;
        private List<String> names;
        private final Set<Integer> categorical = new HashSet<>();

        private Builder() {
        }

        /** @param v numeric bins, in [2, 1000], default 10 @return this */
        public Builder bins(int v) {
            if (v < 2 || v > 1000) {
                throw new IllegalArgumentException("bins must be in [2, 1000], was " + v);
            }
            this.bins = v;
            return this;
        }

        /** @param v probability floor added to every bin, in (0, 0.1], default 1e-4 @return this */
        public Builder epsilon(double v) {
            if (!(v > 0 && v <= 0.1)) {
                throw new IllegalArgumentException("epsilon must be in (0, 0.1], was " + v);
            }
            this.eps = v;
            return this;
        }

        /** @param v drift threshold, finite {@code > 0}, default 0.1 @return this */
        public Builder threshold(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("threshold must be finite and > 0, was " + v);
            }
            this.threshold = v;
            return this;
        }

        /** @param v the score compared with the threshold, default KL @return this */
        public Builder metric(Metric v) {
            this.metric = Objects.requireNonNull(v, "metric");
            return this;
        }

        /** @param v one name per feature @return this */
        public Builder featureNames(List<String> v) {
            this.names = List.copyOf(v);
            return this;
        }

        /** @param indices columns holding category codes rather than numbers @return this */
        public Builder categorical(int... indices) {
            for (int i : indices) {
                if (i < 0) {
                    throw new IllegalArgumentException("categorical feature index must be >= 0, was " + i);
                }
                categorical.add(i);
            }
            return this;
        }

        /**
         * @param reference the reference rows (at least 1 row, no NaN)
         * @return a detector fitted on it
         */
        public DriftDetector build(double[][] reference) {
            checkRows("reference", reference, -1);
            if (names != null && names.size() != reference[0].length) {
                throw new IllegalArgumentException("featureNames has " + names.size() + " names, reference has "
                        + reference[0].length + " features");
            }
            return new DriftDetector(this, reference);
        }
    }

}
