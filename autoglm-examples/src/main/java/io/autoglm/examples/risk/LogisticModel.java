package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The baseline: L2-regularised logistic regression fitted by Newton's method (IRLS) on a fixed
 * expansion of the {@link Features}: {@code log1p} of the amounts, counts, times and distances,
 * the 0/1 flags, the local hour as sine and cosine, and one-hot categories and channels, all
 * standardised with the training rows' mean and deviation.
 */
public final class LogisticModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] LOG1P = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12};
    private static final int[] FLAGS = {11, 13, 15};
    static final int DIM = LOG1P.length + FLAGS.length + 2 + (Features.CATEGORIES.size() + 1)
            + (Features.CHANNELS.size() + 1);

    private final double[] mean;
    private final double[] std;
    private final double[] beta; // [0] intercept

    private LogisticModel(double[] mean, double[] std, double[] beta) {
        this.mean = mean;
        this.std = std;
        this.beta = beta;
    }

    static double[] expand(double[] x) {
        double[] e = new double[DIM];
        int k = 0;
        for (int j : LOG1P) {
            e[k++] = Math.log1p(Math.max(0, x[j]));
        }
        for (int j : FLAGS) {
            e[k++] = x[j];
        }
        double h = x[14] * 2 * Math.PI / 24;
        e[k++] = Math.sin(h);
        e[k++] = Math.cos(h);
        int cat = (int) x[Features.CATEGORY];
        e[k + (cat < 0 ? Features.CATEGORIES.size() : cat)] = 1;
        k += Features.CATEGORIES.size() + 1;
        int ch = (int) x[Features.CHANNEL];
        e[k + (ch < 0 ? Features.CHANNELS.size() : ch)] = 1;
        return e;
    }

    /**
     * Fits the model.
     *
     * @param x feature rows
     * @param y labels
     * @param weights sample weights, or null for all 1
     * @param l2 regularisation strength, {@code >= 0}
     * @return the fitted model
     */
    public static LogisticModel fit(double[][] x, boolean[] y, double[] weights, double l2) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("x and y must be non-empty and of equal length, were " + x.length + " and "
                    + y.length);
        }
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("l2 must be >= 0, was " + l2);
        }
        int n = x.length;
        double[][] z = new double[n][];
        double[] mean = new double[DIM];
        double[] std = new double[DIM];
        for (int i = 0; i < n; i++) {
            z[i] = expand(x[i]);
            for (int j = 0; j < DIM; j++) {
                mean[j] += z[i][j];
            }
        }
        for (int j = 0; j < DIM; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < DIM; j++) {
                double d = z[i][j] - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < DIM; j++) {
            std[j] = Math.sqrt(std[j] / n);
            if (std[j] < 1e-9) {
                std[j] = 1;
            }
        }
        int p = DIM + 1;
        double[][] a = new double[n][p];
        for (int i = 0; i < n; i++) {
            a[i][0] = 1;
            for (int j = 0; j < DIM; j++) {
                a[i][j + 1] = (z[i][j] - mean[j]) / std[j];
            }
        }
        double[] beta = new double[p];
        for (int iter = 0; iter < 30; iter++) {
            double[][] h = new double[p][p];
            double[] g = new double[p];
            for (int i = 0; i < n; i++) {
                double w = weights == null ? 1 : weights[i];
                double m = dot(beta, a[i]);
                double pr = 1 / (1 + Math.exp(-m));
                double r = w * ((y[i] ? 1 : 0) - pr);
                double s = w * Math.max(pr * (1 - pr), 1e-10);
                double[] ai = a[i];
                for (int j = 0; j < p; j++) {
                    g[j] += r * ai[j];
                    double sj = s * ai[j];
                    for (int k = 0; k <= j; k++) {
                        h[j][k] += sj * ai[k];
                    }
                }
            }
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < j; k++) {
                    h[k][j] = h[j][k];
                }
                if (j > 0) {
                    h[j][j] += l2;
                    g[j] -= l2 * beta[j];
                }
            }
            double[] step = solve(h, g);
            double max = 0;
            for (int j = 0; j < p; j++) {
                beta[j] += step[j];
                max = Math.max(max, Math.abs(step[j]));
            }
            if (max < 1e-7) {
                break;
            }
        }
        return new LogisticModel(mean, std, beta);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Solves h s = g for a symmetric positive definite h (Cholesky). */
    private static double[] solve(double[][] h, double[] g) {
        int p = g.length;
        double[][] l = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double s = h[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    l[i][i] = Math.sqrt(Math.max(s, 1e-12));
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        double[] v = new double[p];
        for (int i = 0; i < p; i++) {
            double s = g[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * v[k];
            }
            v[i] = s / l[i][i];
        }
        double[] out = new double[p];
        for (int i = p - 1; i >= 0; i--) {
            double s = v[i];
            for (int k = i + 1; k < p; k++) {
                s -= l[k][i] * out[k];
            }
            out[i] = s / l[i][i];
        }
        return out;
    }

    /** @param x a feature row @return its fraud probability */
    public double predict(double[] x) {
        double[] z = expand(x);
        double m = beta[0];
        for (int j = 0; j < DIM; j++) {
            m += beta[j + 1] * (z[j] - mean[j]) / std[j];
        }
        return 1 / (1 + Math.exp(-m));
    }

    /** @param x feature rows @return their probabilities */
    public double[] predict(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = predict(x[i]);
        }
        return out;
    }

    /** @return the model as JSON */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.set("mean", JSON.valueToTree(mean));
        o.set("std", JSON.valueToTree(std));
        o.set("beta", JSON.valueToTree(beta));
        return o.toString();
    }

    /**
     * @param json from {@link #toJson()}
     * @return the model
     * @throws IllegalArgumentException when it is not one
     */
    public static LogisticModel fromJson(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            double[] m = JSON.treeToValue(o.get("mean"), double[].class);
            double[] s = JSON.treeToValue(o.get("std"), double[].class);
            double[] b = JSON.treeToValue(o.get("beta"), double[].class);
            if (m.length != DIM || s.length != DIM || b.length != DIM + 1) {
                throw new IllegalArgumentException("logistic model has " + m.length + " features, expected " + DIM);
            }
            return new LogisticModel(m, s, b);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NullPointerException e) {
            throw new IllegalArgumentException("not a logistic model: " + e.getMessage(), e);
        }
    }
}
