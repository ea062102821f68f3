package io.autoglm.automl.lr;

import java.util.Map;

/**
 * A stateful learning-rate schedule that a training loop queries and advances.
 *
 * <p>The loop reads {@link #learningRate()} before each optimiser update, calls {@link #step()}
 * after it (one step is whatever unit the caller chose: usually one mini-batch), and feeds the
 * optional signals some schedules react to: {@link #reportMetric(double)} once per evaluation
 * (reduce-on-plateau) and {@link #reportGradientNorm(double)} once per update (gradient-variance
 * adaptive). Schedules that do not use a signal ignore it (after validating it).
 *
 * <p>A schedule is checkpointable: {@link #state()} returns a JSON-friendly map (numbers, strings,
 * lists and nested maps only) and {@link #loadState(Map)} restores it into a schedule built with the
 * same configuration; {@link LearningRateSchedules#toJson} / {@link LearningRateSchedules#loadJson}
 * do the same through Jackson. Implementations are not thread-safe: one training loop owns one.
 *
 * <pre>{@code
 * LearningRateSchedule lr = LearningRateSchedules.warmup(
 *         LearningRateSchedules.cosineWarmRestarts(0.1, 100, 2, 0.0), 50, 0.1);
 * for (Batch b : batches) {
 *     optimiser.update(b, lr.learningRate());
 *     lr.step();
 * }
 * }</pre>
 */
public interface LearningRateSchedule {

    /** @return the learning rate to use for the next update; always finite and {@code >= 0} */
    double learningRate();

    /** Advances the schedule by one step (one update, or one epoch: the caller's unit). */
    void step();

    /** @return how many times {@link #step()} has been called */
    long stepCount();

    /**
     * Reports an evaluation metric (for example the validation loss). Reduce-on-plateau acts on it;
     * the default implementation validates it and ignores it.
     *
     * @param metric the metric; must not be NaN
     * @throws IllegalArgumentException if {@code metric} is NaN
     */
    default void reportMetric(double metric) {
        if (Double.isNaN(metric)) {
            throw new IllegalArgumentException("metric must not be NaN");
        }
    }

    /**
     * Reports the norm of the gradient of the last update. The gradient-variance adaptive schedule
     * acts on it; the default implementation validates it and ignores it.
     *
     * @param norm the gradient norm; must be finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code norm} is NaN, infinite or negative
     */
    default void reportGradientNorm(double norm) {
        Schedules.checkNorm(norm);
    }

    /**
     * Multiplies every rate the schedule will produce from now on by {@code factor}, keeping its
     * position in the schedule. Monitors use it to lower the rate after an explosion.
     *
     * @param factor a finite factor {@code > 0}
     * @throws IllegalArgumentException if {@code factor} is not finite and positive
     */
    void scale(double factor);

    /** @return a short name of the schedule type, also stored as {@code "type"} in {@link #state()} */
    String type();

    /** @return a JSON-friendly snapshot of the mutable state (and the configuration, for checking) */
    Map<String, Object> state();

    /**
     * Restores a snapshot taken by {@link #state()} of a schedule of the same type.
     *
     * @param state the snapshot
     * @throws IllegalArgumentException if the snapshot is of another type or misses a field
     */
    void loadState(Map<String, ?> state);
}
