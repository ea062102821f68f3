package io.autoglm.automl.feedback;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-sample weights driven by feedback signals, usable as sample weights by any trainer.
 *
 * <p>All weights start at 1. An update applies {@code w_i += rate * signal_i} (a positive signal,
 * such as "this sample was misclassified" or "a user flagged this answer", raises the weight),
 * clips every weight to {@code [minWeight, maxWeight]} and rescales so the weights average 1
 * (their sum stays {@code n}, so the effective learning rate of a weighted loss is unchanged).
 * Clipping and rescaling are repeated until both hold (rescaling can push a weight past a bound);
 * the bounds must satisfy {@code minWeight <= 1 <= maxWeight} so that a solution exists.
 *
 * <pre>{@code
 * FeedbackWeights w = FeedbackWeights.builder(trainSize).rate(0.5).build();
 * w.update(indicesOfBatch, lossesOfBatch);  // e.g. signal = per-sample loss
 * double weight = w.weight(i);
 * }</pre>
 * Not thread-safe.
 */
public final class FeedbackWeights {
    private final double rate;
    private final double min;
    private final double max;
    private final double[] w;

    private FeedbackWeights(Builder b) {
        this.rate = b.rate;
        this.min = b.min;
        this.max = b.max;
        this.w = new double[b.n];
        Arrays.fill(w, 1.0);
    }

    /**
     * @param samples number of samples, {@code > 0}
     * @return a builder: rate 0.1, bounds [0.1, 10]
     */
    public static Builder builder(int samples) {
        return new Builder(samples);
    }

    /** @return the number of samples */
    public int size() {
        return w.length;
    }

    /**
     * @param i sample index
     * @return its weight
     */
    public double weight(int i) {
        Objects.checkIndex(i, w.length);
        return w[i];
    }

    /** @return a copy of all weights */
    public double[] weights() {
        return w.clone();
    }

    /**
     * Applies one signal.
     *
     * @param index sample index
     * @param signal finite feedback value
     */
    public void update(int index, double signal) {
        update(new int[] {index}, new double[] {signal});
    }

    /**
     * Applies a batch of signals, then clips and renormalises once.
     *
     * @param indices sample indices
     * @param signals one finite signal per index
     * @throws IllegalArgumentException on mismatched lengths, an index out of range or a non-finite signal
     *     (nothing is changed then)
     */
    public void update(int[] indices, double[] signals) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(signals, "signals");
        if (indices.length != signals.length) {
            throw new IllegalArgumentException("indices has " + indices.length + " entries, signals "
                    + signals.length);
        }
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= w.length) {
                throw new IllegalArgumentException("index " + indices[k] + " out of range [0, " + w.length + ")");
            }
            if (!Double.isFinite(signals[k])) {
                throw new IllegalArgumentException("signal for sample " + indices[k] + " must be finite, was "
                        + signals[k]);
            }
        }
        for (int k = 0; k < indices.length; k++) {
            w[indices[k]] += rate * signals[k];
        }
        clipAndRenormalise();
    }

    private void clipAndRenormalise() {
        for (int iter = 0; iter < 100; iter++) {
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.min(max, Math.max(min, w[i]));
                sum += w[i];
            }
            double scale = w.length / sum;
            boolean inBounds = true;
            for (int i = 0; i < w.length; i++) {
                w[i] *= scale;
                if (w[i] < min * (1 - 1e-12) || w[i] > max * (1 + 1e-12)) {
                    inBounds = false;
                }
            }
            if (inBounds) {
                return;
            }
        }
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private final int n;
        private double rate = 0.1;
        private double min = 0.1;
        private double max = 10;

        private Builder(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("samples must be > 0, was " + n);
            }
            this.n = n;
        }

        /** @param v step size of an update, finite {@code >= 0}, default 0.1 @return this */
        public Builder rate(double v) {
            if (!(v >= 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("rate must be finite and >= 0, was " + v);
            }
            this.rate = v;
            return this;
        }

        /**
         * @param minWeight lowest weight, in (0, 1]
         * @param maxWeight highest weight, finite and {@code >= 1}
         * @return this
         */
        public Builder bounds(double minWeight, double maxWeight) {
            if (!(minWeight > 0 && minWeight <= 1)) {
                throw new IllegalArgumentException("minWeight must be in (0, 1], was " + minWeight);
            }
            if (!(maxWeight >= 1 && Double.isFinite(maxWeight))) {
                throw new IllegalArgumentException("maxWeight must be finite and >= 1, was " + maxWeight);
            }
            this.min = minWeight;
            this.max = maxWeight;
            return this;
        }

        /** @return the weights, all 1 */
        public FeedbackWeights build() {
            return new FeedbackWeights(this);
        }
    }
}
