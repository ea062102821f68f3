package io.autoglm.examples.train;

import java.util.Arrays;
import java.util.Random;

/**
 * Softmax regression or a one-hidden-layer MLP (ReLU) over plain Java arrays, with all parameters in
 * one flat array (so an optimiser, a gradient norm and a checkpoint are one loop or one copy).
 * Layout: {@code W1[d][h], b1[h], W2[h][k], b2[k]} for the MLP; {@code W[d][k], b[k]} for softmax.
 */
public final class Model {
    private final int d;
    private final int h; // 0 for softmax regression
    private final int k;
    private final double[] p;

    private Model(int d, int h, int k, long seed) {
        this.d = d;
        this.h = h;
        this.k = k;
        this.p = new double[h == 0 ? d * k + k : d * h + h + h * k + k];
        Random rnd = new Random(seed);
        if (h == 0) {
            double s = Math.sqrt(1.0 / d);
            for (int i = 0; i < d * k; i++) {
                p[i] = rnd.nextGaussian() * s;
            }
        } else {
            double s1 = Math.sqrt(2.0 / d);
            for (int i = 0; i < d * h; i++) {
                p[i] = rnd.nextGaussian() * s1;
            }
            double s2 = Math.sqrt(1.0 / h);
            int w2 = d * h + h;
            for (int i = 0; i < h * k; i++) {
                p[w2 + i] = rnd.nextGaussian() * s2;
            }
        }
    }

    /**
     * @param features input features
     * @param classes output classes
     * @param seed initialisation seed
     * @return a softmax-regression model
     */
    public static Model softmax(int features, int classes, long seed) {
        check(features, classes);
        return new Model(features, 0, classes, seed);
    }

    /**
     * @param features input features
     * @param hidden hidden units, {@code > 0}
     * @param classes output classes
     * @param seed initialisation seed
     * @return a one-hidden-layer ReLU MLP
     */
    public static Model mlp(int features, int hidden, int classes, long seed) {
        check(features, classes);
        if (hidden <= 0) {
            throw new IllegalArgumentException("hidden must be > 0, was " + hidden);
        }
        return new Model(features, hidden, classes, seed);
    }

    private static void check(int features, int classes) {
        if (features <= 0 || classes < 2) {
            throw new IllegalArgumentException("need features > 0 and classes >= 2, got " + features + ", "
                    + classes);
        }
    }

    /** @return the live parameter array */
    public double[] parameters() {
        return p;
    }

    /** @return the number of features expected */
    public int features() {
        return d;
    }

    /**
     * Mean cross-entropy over the given rows and its gradient.
     *
     * @param x feature rows
     * @param y labels
     * @param rows indices of the rows to use
     * @param from first index in {@code rows}
     * @param to end (exclusive) in {@code rows}
     * @param grad receives the gradient (same length as the parameters; overwritten)
     * @return the mean loss
     */
    public double lossAndGradient(double[][] x, int[] y, int[] rows, int from, int to, double[] grad) {
        return lossAndGradient(x, y, rows, from, to, grad, null, null);
    }

    /**
     * Weighted mean cross-entropy {@code (1/m) sum w_i l_i} over the given rows and its gradient.
     *
     * @param x feature rows
     * @param y labels
     * @param rows indices of the rows to use
     * @param from first index in {@code rows}
     * @param to end (exclusive) in {@code rows}
     * @param grad receives the gradient (overwritten)
     * @param weights per-row sample weights indexed like {@code x}, or {@code null} for all 1
     * @param losses if not {@code null}, receives the unweighted loss of each row, {@code losses[r - from]}
     * @return the weighted mean loss
     */
    public double lossAndGradient(double[][] x, int[] y, int[] rows, int from, int to, double[] grad,
            double[] weights, double[] losses) {
        Arrays.fill(grad, 0);
        int m = to - from;
        double loss = 0;
        double[] hid = new double[h];
        double[] logits = new double[k];
        double[] dh = new double[h];
        int w2 = d * h + h;
        for (int r = from; r < to; r++) {
            double[] xi = x[rows[r]];
            int yi = y[rows[r]];
            forward(xi, hid, logits);
            double li = -Math.log(Math.max(logits[yi], 1e-300));
            double wi = weights == null ? 1.0 : weights[rows[r]];
            if (losses != null) {
                losses[r - from] = li;
            }
            loss += wi * li;
            // logits now hold softmax probabilities; dL/dz = w (p - onehot)
            logits[yi] -= 1;
            if (wi != 1.0) {
                for (int c = 0; c < k; c++) {
                    logits[c] *= wi;
                }
            }
            if (h == 0) {
                for (int j = 0; j < d; j++) {
                    addScaled(xi[j], logits, 0, grad, j * k, k);
                }
                for (int c = 0; c < k; c++) {
                    grad[d * k + c] += logits[c];
                }
            } else {
                for (int u = 0; u < h; u++) {
                    int base = w2 + u * k;
                    double s = 0;
                    for (int c = 0; c < k; c++) {
                        grad[base + c] += hid[u] * logits[c];
                        s += p[base + c] * logits[c];
                    }
                    dh[u] = hid[u] > 0 ? s : 0;
                }
                for (int c = 0; c < k; c++) {
                    grad[w2 + h * k + c] += logits[c];
                }
                for (int j = 0; j < d; j++) {
                    if (xi[j] != 0) {
                        addScaled(xi[j], dh, 0, grad, j * h, h);
                    }
                }
                for (int u = 0; u < h; u++) {
                    grad[d * h + u] += dh[u];
                }
            }
        }
        double inv = 1.0 / m;
        for (int i = 0; i < grad.length; i++) {
            grad[i] *= inv;
        }
        return loss * inv;
    }

    /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < n}: one row of a matrix product or gradient. */
    private static void addScaled(double a, double[] x, int xOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** Fills {@code probs} with the softmax probabilities of one row (and {@code hid} with the hidden layer). */
    private void forward(double[] xi, double[] hid, double[] probs) {
        if (xi.length != d) {
            throw new IllegalArgumentException("row has " + xi.length + " features, model expects " + d);
        }
        if (h == 0) {
            System.arraycopy(p, d * k, probs, 0, k);
            for (int j = 0; j < d; j++) {
                addScaled(xi[j], p, j * k, probs, 0, k);
            }
        } else {
            System.arraycopy(p, d * h, hid, 0, h);
            for (int j = 0; j < d; j++) {
                if (xi[j] != 0) {
                    addScaled(xi[j], p, j * h, hid, 0, h);
                }
            }
            for (int u = 0; u < h; u++) {
                hid[u] = hid[u] > 0 ? hid[u] : 0;
            }
            int w2 = d * h + h;
            System.arraycopy(p, w2 + h * k, probs, 0, k);
            for (int u = 0; u < h; u++) {
                addScaled(hid[u], p, w2 + u * k, probs, 0, k);
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, probs[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            probs[c] = Math.exp(probs[c] - max);
            sum += probs[c];
        }
        for (int c = 0; c < k; c++) {
            probs[c] /= sum;
        }
    }

    /**
     * @param data rows and labels
     * @return mean cross-entropy and accuracy (a row whose output is NaN counts as wrong; the loss is
     *     then NaN and reported as such)
     */
    public Evaluation evaluate(Dataset data) {
        double[] hid = new double[h];
        double[] probs = new double[k];
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            forward(data.x()[i], hid, probs);
            int yi = data.y()[i];
            loss += -Math.log(Math.max(probs[yi], 1e-300));
            int best = -1;
            double bestP = -1;
            for (int c = 0; c < k; c++) {
                if (probs[c] > bestP) {
                    bestP = probs[c];
                    best = c;
                }
            }
            if (best == yi) {
                correct++;
            }
        }
        return new Evaluation(loss / data.size(), (double) correct / data.size());
    }

    /**
     * Loss and accuracy on a dataset.
     *
     * @param loss mean cross-entropy (NaN if the model produced NaN)
     * @param accuracy fraction correct
     */
    public record Evaluation(double loss, double accuracy) {
    }
}
