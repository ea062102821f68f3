package io.autoglm.examples.risk;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Gradient-boosted trees (XGBoost, {@code binary:logistic}, histogram method) over the
 * {@link Features}: training round by round, probabilities, and per-feature contributions (exact
 * TreeSHAP values from XGBoost's contribution output, which add up with the bias to the margin; for
 * one row, the same values computed in Java by {@link TreeShap}).
 * Not thread-safe.
 */
public final class BoostedModel implements AutoCloseable {
    private final Booster booster;
    private TreeShap shap;
    private boolean closed;

    private BoostedModel(Booster booster) {
        this.booster = booster;
    }

    /**
     * XGBoost parameters of a trial or of the final model.
     *
     * @param eta learning rate
     * @param maxDepth tree depth
     * @param minChildWeight minimum hessian in a leaf
     * @param subsample row subsampling
     * @param colsample column subsampling per tree
     * @param lambda L2 regularisation
     * @param rounds boosting rounds
     */
    public record Params(double eta, int maxDepth, double minChildWeight, double subsample, double colsample,
            double lambda, int rounds) {
        /** Validates. */
        public Params {
            if (!(eta > 0 && eta <= 1)) {
                throw new IllegalArgumentException("eta must be in (0, 1], was " + eta);
            }
            if (maxDepth < 1 || maxDepth > 16) {
                throw new IllegalArgumentException("maxDepth must be in [1, 16], was " + maxDepth);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be >= 1, was " + rounds);
            }
        }

        /** @return sensible defaults (150 rounds of depth 6 at eta 0.1) */
        public static Params defaults() {
            return new Params(0.1, 6, 1, 0.9, 0.9, 1, 150);
        }

        /** @param r rounds @return a copy with {@code r} rounds */
        public Params withRounds(int r) {
            return new Params(eta, maxDepth, minChildWeight, subsample, colsample, lambda, r);
        }

        Map<String, Object> xgb(long seed, int threads) {
            Map<String, Object> p = new HashMap<>();
            p.put("objective", "binary:logistic");
            p.put("tree_method", "hist");
            p.put("eta", eta);
            p.put("max_depth", maxDepth);
            p.put("min_child_weight", minChildWeight);
            p.put("subsample", subsample);
            p.put("colsample_bytree", colsample);
            p.put("lambda", lambda);
            p.put("seed", (int) seed);
            p.put("nthread", threads);
            p.put("verbosity", 0);
            return p;
        }

        /** @return the parameters by name, for reports */
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eta", eta);
            m.put("max_depth", maxDepth);
            m.put("min_child_weight", minChildWeight);
            m.put("subsample", subsample);
            m.put("colsample_bytree", colsample);
            m.put("lambda", lambda);
            m.put("rounds", rounds);
            return m;
        }
    }

    /**
     * A booster being trained round by round (for pruning over rounds).
     */
    static final class Training implements AutoCloseable {
        private final DMatrix train;
        private final Booster booster;
        private int rounds;

        Training(double[][] x, boolean[] y, double[] weights, Params p, long seed, int threads) throws XGBoostError {
            this.train = matrix(x);
            float[] labels = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                labels[i] = y[i] ? 1 : 0;
            }
            train.setLabel(labels);
            if (weights != null) {
                float[] w = new float[weights.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) weights[i];
                }
                train.setWeight(w);
            }
            this.booster = XGBoost.train(train, p.xgb(seed, threads), 0, new HashMap<>(), null, null);
        }

        void boost(int more) throws XGBoostError {
            for (int i = 0; i < more; i++) {
                booster.update(train, rounds++);
            }
        }

        int rounds() {
            return rounds;
        }

        double[] predict(DMatrix m) throws XGBoostError {
            float[][] p = booster.predict(m);
            double[] out = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                out[i] = p[i][0];
            }
            return out;
        }

        /** @return the trained model; this training object must not be used afterwards */
        BoostedModel finish() throws XGBoostError {
            train.dispose();
            booster.setParam("nthread", 1); // scoring is single-threaded: OpenMP threads only add latency
            return new BoostedModel(booster);
        }

        @Override
        public void close() {
            train.dispose();
            booster.dispose();
        }
    }

    /**
     * Trains a model.
     *
     * @param x rows
     * @param y labels
     * @param weights sample weights, or null
     * @param p parameters (rounds included)
     * @param seed seed of the row and column sampling
     * @param threads XGBoost threads
     * @return the model
     */
    public static BoostedModel train(double[][] x, boolean[] y, double[] weights, Params p, long seed, int threads) {
        try {
            Training t = new Training(x, y, weights, p, seed, threads);
            t.boost(p.rounds());
            return t.finish();
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
        }
    }

    static DMatrix matrix(double[][] x) throws XGBoostError {
        int n = x.length;
        int d = n == 0 ? Features.count() : x[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) x[i][j];
            }
        }
        return new DMatrix(flat, n, d, Float.NaN);
    }

    /**
     * @param x rows
     * @return fraud probabilities
     */
    public double[] predict(double[][] x) {
        checkOpen();
        Objects.requireNonNull(x, "x");
        if (x.length == 0) {
            return new double[0];
        }
        try {
            DMatrix m = matrix(x);
            try {
                float[][] p = booster.predict(m);
                double[] out = new double[p.length];
                for (int i = 0; i < p.length; i++) {
                    out[i] = p[i][0];
                }
                return out;
            } finally {
                m.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
        }
    }

    /**
     * Per-feature contributions to the margin (log-odds): {@code features + 1} columns, the last is the
     * bias; each row sums to the margin, so {@code sigmoid(sum)} is the probability.
     *
     * @param x rows
     * @return contributions per row
     */
    public float[][] contributions(double[][] x) {
        checkOpen();
        Objects.requireNonNull(x, "x");
        if (x.length == 0) {
            return new float[0][];
        }
        try {
            DMatrix m = matrix(x);
            try {
                return booster.predictContrib(m, 0);
            } finally {
                m.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost contributions failed: " + e.getMessage(), e);
        }
    }

    /**
     * The contributions of one row computed in Java ({@link TreeShap}, exact TreeSHAP over the trees of
     * the model's JSON form, read once): the same numbers as a row of {@link #contributions(double[][])}
     * within float rounding (1e-5), at a fraction of the cost of XGBoost's per-call matrix. The online
     * path uses it; batch scoring and training keep XGBoost's own output.
     *
     * @param row one row of features
     * @return {@code features + 1} contributions, the last the bias
     * @throws IllegalArgumentException when the row has the wrong length
     */
    public float[] contributions(double[] row) {
        checkOpen();
        Objects.requireNonNull(row, "row");
        return explainer().contributions(row);
    }

    private TreeShap explainer() {
        if (shap == null) {
            try {
                shap = TreeShap.fromJson(toJson(), (int) booster.getNumFeature());
            } catch (XGBoostError e) {
                throw new IllegalStateException("XGBoost feature count failed: " + e.getMessage(), e);
            }
        }
        return shap;
    }

    /** @return the model in XGBoost's JSON format */
    byte[] toJson() {
        checkOpen();
        try {
            return booster.toByteArray("json");
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost JSON export failed: " + e.getMessage(), e);
        }
    }

    /**
     * Fraud probabilities as every scoring path computes them: the sigmoid of the margin found by walking
     * the trees in Java ({@link #score(double[])}). Batch decisions, online decisions and the monitors'
     * reference all use it, so a row gets the same score on every path to the last bit (drift statistics
     * over the reference's quantile bins would otherwise move whole groups of tied scores across a bin
     * edge); it agrees with {@link #predict} within float rounding (1e-6).
     *
     * @param x rows
     * @return probabilities
     */
    public double[] scores(double[][] x) {
        checkOpen();
        Objects.requireNonNull(x, "x");
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = score(x[i]);
        }
        return out;
    }

    /**
     * @param row one row of features
     * @return its fraud probability, as {@link #scores(double[][])} computes it
     * @throws IllegalArgumentException when the row has the wrong length
     */
    public double score(double[] row) {
        checkOpen();
        Objects.requireNonNull(row, "row");
        return 1 / (1 + Math.exp(-explainer().margin(row)));
    }

    /** @param contribRow a row of {@link #contributions} @return its probability */
    public static double probability(float[] contribRow) {
        double s = 0;
        for (float c : contribRow) {
            s += c;
        }
        return 1 / (1 + Math.exp(-s));
    }

    /** @return the model in XGBoost's UBJSON format */
    public byte[] toBytes() {
        checkOpen();
        try {
            return booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost save failed: " + e.getMessage(), e);
        }
    }

    /**
     * @param bytes a model saved by {@link #toBytes()}
     * @return the model
     * @throws IllegalArgumentException when the bytes are not a model
     */
    public static BoostedModel fromBytes(byte[] bytes) {
        try {
            Booster b = XGBoost.loadModel(bytes);
            b.setParam("nthread", 1);
            return new BoostedModel(b);
        } catch (XGBoostError | IOException e) {
            throw new IllegalArgumentException("not an XGBoost model: " + e.getMessage(), e);
        }
    }

    /** @return boosting rounds */
    public int rounds() {
        checkOpen();
        try {
            return booster.getNumBoostedRound();
        } catch (XGBoostError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            booster.dispose();
        }
    }

    @Override
    public String toString() {
        return "BoostedModel[" + (closed ? "closed" : "open") + "]";
    }
}
