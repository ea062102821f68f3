package io.autoglm.automl.cv;

import io.autoglm.automl.AutoMLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores a learner by cross-validation.
 *
 * <pre>{@code
 * double[] scores = CrossValidation.scores(learner, x, y, Folds.kFold(x.length, 5, true, 1), Map.of("k", 5));
 * }</pre>
 */
public final class CrossValidation {
    private CrossValidation() {
    }

    /**
     * Fits on each fold's training rows and scores on its test rows.
     *
     * @param learner the learner
     * @param x rows
     * @param y targets, one per row
     * @param folds the folds (indices within the rows)
     * @param params hyperparameters passed to {@link Learner#fit}
     * @param <M> model type
     * @return one score per fold
     * @throws AutoMLException when the learner fails or returns a non-finite score (message names the fold)
     */
    public static <M> double[] scores(Learner<M> learner, double[][] x, double[] y, List<Fold> folds, Map<String, Object> params) {
        Objects.requireNonNull(learner, "learner");
        Objects.requireNonNull(params, "params");
        checkData(x, y);
        checkFolds(folds, x.length);
        double[] out = new double[folds.size()];
        for (int f = 0; f < folds.size(); f++) {
            Fold fold = folds.get(f);
            try {
                M model = learner.fit(rows(x, fold.train()), values(y, fold.train()), params);
                out[f] = learner.score(model, rows(x, fold.test()), values(y, fold.test()));
            } catch (Exception e) {
                throw new AutoMLException("fold " + f + " of " + folds.size() + " failed with params " + params + ": " + e, e);
            }
            if (!Double.isFinite(out[f])) {
                throw new AutoMLException("fold " + f + " of " + folds.size() + " scored " + out[f] + " with params " + params
                        + "; scores must be finite");
            }
        }
        return out;
    }

    static void checkData(double[][] x, double[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.length == 0) {
            throw new IllegalArgumentException("x must have at least one row");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y must have the same number of rows, were " + x.length + " and " + y.length);
        }
        int d = Objects.requireNonNull(x[0], "x[0]").length;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != d) {
                throw new IllegalArgumentException("every row of x must have " + d + " columns, row " + i + " has "
                        + (x[i] == null ? "none" : x[i].length));
            }
        }
    }

    static void checkFolds(List<Fold> folds, int n) {
        Objects.requireNonNull(folds, "folds");
        if (folds.isEmpty()) {
            throw new IllegalArgumentException("folds must not be empty");
        }
        for (int f = 0; f < folds.size(); f++) {
            Fold fold = Objects.requireNonNull(folds.get(f), "fold");
            int[] tr = fold.train();
            int[] te = fold.test();
            if (tr[tr.length - 1] >= n || te[te.length - 1] >= n || tr[0] < 0 || te[0] < 0) {
                throw new IllegalArgumentException("fold " + f + " has row indices outside [0, " + n + ")");
            }
        }
    }

    static double[][] rows(double[][] x, int[] idx) {
        double[][] out = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            out[i] = x[idx[i]];
        }
        return out;
    }

    static double[] values(double[] y, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = y[idx[i]];
        }
        return out;
    }
}
