package io.autoglm.examples.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Ranking and calibration metrics of fraud scores against 0/1 labels. */
public final class Metrics {
    private Metrics() {
    }

    /** A point of a curve. @param x abscissa @param y ordinate */
    public record Point(double x, double y) {
    }

    /**
     * One calibration bin.
     *
     * @param lo lower edge of the predicted probability
     * @param hi upper edge
     * @param count rows in the bin
     * @param meanPredicted mean predicted probability
     * @param observedRate share of positives
     */
    public record CalibrationBin(double lo, double hi, int count, double meanPredicted, double observedRate) {
    }

    private static void check(double[] scores, boolean[] labels) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(labels, "labels");
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores has " + scores.length + " entries, labels " + labels.length);
        }
    }

    /**
     * Area under the ROC curve (the Mann-Whitney statistic; tied scores count one half).
     *
     * @param scores higher means more likely positive
     * @param labels true for positives
     * @return the AUC, or NaN when a class is missing
     */
    public static double auc(double[] scores, boolean[] labels) {
        check(scores, labels);
        Integer[] idx = order(scores);
        long pos = 0;
        long neg = 0;
        double rankSumPos = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1; // 1-based average rank of the tie group
            for (int k = i; k <= j; k++) {
                if (labels[idx[k]]) {
                    pos++;
                    rankSumPos += midRank;
                } else {
                    neg++;
                }
            }
            i = j + 1;
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Indices sorted by ascending score. */
    private static Integer[] order(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        return idx;
    }

    /**
     * The ROC curve: (false positive rate, true positive rate) at every distinct threshold, from (0,0)
     * to (1,1).
     *
     * @param scores scores
     * @param labels labels
     * @return the points
     */
    public static List<Point> roc(double[] scores, boolean[] labels) {
        check(scores, labels);
        Integer[] idx = order(scores);
        long pos = 0;
        for (boolean l : labels) {
            pos += l ? 1 : 0;
        }
        long neg = labels.length - pos;
        List<Point> out = new ArrayList<>();
        out.add(new Point(0, 0));
        long tp = 0;
        long fp = 0;
        int i = idx.length - 1;
        while (i >= 0) {
            int j = i;
            while (j - 1 >= 0 && scores[idx[j - 1]] == scores[idx[i]]) {
                j--;
            }
            for (int k = j; k <= i; k++) {
                if (labels[idx[k]]) {
                    tp++;
                } else {
                    fp++;
                }
            }
            out.add(new Point(neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos));
            i = j - 1;
        }
        return out;
    }

    /**
     * The precision-recall curve: (recall, precision) at every distinct threshold, highest first.
     *
     * @param scores scores
     * @param labels labels
     * @return the points
     */
    public static List<Point> precisionRecall(double[] scores, boolean[] labels) {
        check(scores, labels);
        Integer[] idx = order(scores);
        long pos = 0;
        for (boolean l : labels) {
            pos += l ? 1 : 0;
        }
        List<Point> out = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        int i = idx.length - 1;
        while (i >= 0) {
            int j = i;
            while (j - 1 >= 0 && scores[idx[j - 1]] == scores[idx[i]]) {
                j--;
            }
            for (int k = j; k <= i; k++) {
                if (labels[idx[k]]) {
                    tp++;
                } else {
                    fp++;
                }
            }
            out.add(new Point(pos == 0 ? 0 : (double) tp / pos, (double) tp / (tp + fp)));
            i = j - 1;
        }
        return out;
    }

    /**
     * Recall (true positive rate) at the lowest threshold whose false positive rate is at most
     * {@code maxFpr}; tied scores are never split.
     *
     * @param scores scores
     * @param labels labels
     * @param maxFpr the false positive budget, in [0, 1]
     * @return the recall
     */
    public static double recallAtFpr(double[] scores, boolean[] labels, double maxFpr) {
        if (!(maxFpr >= 0 && maxFpr <= 1)) {
            throw new IllegalArgumentException("maxFpr must be in [0, 1], was " + maxFpr);
        }
        double best = 0;
        for (Point p : roc(scores, labels)) {
            if (p.x() <= maxFpr + 1e-12) {
                best = Math.max(best, p.y());
            }
        }
        return best;
    }

    /**
     * Calibration over equal-width probability bins.
     *
     * @param probs predicted probabilities in [0, 1]
     * @param labels labels
     * @param bins number of bins, {@code >= 2}
     * @return one entry per non-empty bin
     */
    public static List<CalibrationBin> calibration(double[] probs, boolean[] labels, int bins) {
        check(probs, labels);
        if (bins < 2) {
            throw new IllegalArgumentException("bins must be >= 2, was " + bins);
        }
        int[] n = new int[bins];
        double[] sp = new double[bins];
        int[] npos = new int[bins];
        for (int i = 0; i < probs.length; i++) {
            int b = Math.min(bins - 1, (int) (probs[i] * bins));
            n[b]++;
            sp[b] += probs[i];
            npos[b] += labels[i] ? 1 : 0;
        }
        List<CalibrationBin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (n[b] > 0) {
                out.add(new CalibrationBin((double) b / bins, (double) (b + 1) / bins, n[b], sp[b] / n[b],
                        (double) npos[b] / n[b]));
            }
        }
        return out;
    }

    /**
     * Expected calibration error: the count-weighted mean of |mean predicted - observed rate| over the
     * bins of {@link #calibration}.
     *
     * @param probs probabilities
     * @param labels labels
     * @param bins bins
     * @return the ECE
     */
    public static double expectedCalibrationError(double[] probs, boolean[] labels, int bins) {
        double s = 0;
        for (CalibrationBin b : calibration(probs, labels, bins)) {
            s += b.count() * Math.abs(b.meanPredicted() - b.observedRate());
        }
        return s / probs.length;
    }

    /**
     * @param probs probabilities
     * @param labels labels
     * @return the Brier score, mean of (p - y)^2
     */
    public static double brier(double[] probs, boolean[] labels) {
        check(probs, labels);
        double s = 0;
        for (int i = 0; i < probs.length; i++) {
            double d = probs[i] - (labels[i] ? 1 : 0);
            s += d * d;
        }
        return s / probs.length;
    }

    /**
     * @param values samples
     * @param q quantile in [0, 1]
     * @return the quantile (nearest rank on a sorted copy)
     */
    public static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int k = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, k))];
    }
}
