package io.autoglm.automl.lr;

import java.util.Map;
import java.util.Objects;

/**
 * Linear warm-up in front of any schedule: for {@code t < warmupSteps},
 * {@code lr_t = inner.learningRate() * (startFactor + (1 - startFactor) * t / warmupSteps)} and the
 * inner schedule is not advanced; from {@code t = warmupSteps} on, the inner schedule runs from its
 * own step 0. Signals (metric, gradient norm) are forwarded to the inner schedule only after warm-up.
 */
final class WarmupSchedule implements LearningRateSchedule {
    private final LearningRateSchedule inner;
    private final long warmupSteps;
    private final double startFactor;
    private long steps;

    WarmupSchedule(LearningRateSchedule inner, long warmupSteps, double startFactor) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.warmupSteps = Schedules.positive("warmupSteps", warmupSteps);
        this.startFactor = Schedules.inRange("startFactor", startFactor, 0, 1);
    }

    @Override
    public double learningRate() {
        if (steps < warmupSteps) {
            return inner.learningRate() * (startFactor + (1 - startFactor) * steps / (double) warmupSteps);
        }
        return inner.learningRate();
    }

    @Override
    public void step() {
        if (steps >= warmupSteps) {
            inner.step();
        }
        steps++;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public void reportMetric(double metric) {
        LearningRateSchedule.super.reportMetric(metric);
        if (steps >= warmupSteps) {
            inner.reportMetric(metric);
        }
    }

    @Override
    public void reportGradientNorm(double norm) {
        Schedules.checkNorm(norm);
        if (steps >= warmupSteps) {
            inner.reportGradientNorm(norm);
        }
    }

    @Override
    public void scale(double factor) {
        inner.scale(factor);
    }

    @Override
    public String type() {
        return "warmup";
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = Schedules.newState(type());
        m.put("warmupSteps", warmupSteps);
        m.put("startFactor", startFactor);
        m.put("steps", steps);
        m.put("inner", inner.state());
        return m;
    }

    @Override
    public void loadState(Map<String, ?> state) {
        Schedules.checkType(state, type());
        Map<String, ?> innerState = Schedules.map(state, "inner");
        inner.loadState(innerState);
        steps = Schedules.lng(state, "steps");
    }

    @Override
    public String toString() {
        return "warmup(" + warmupSteps + " steps from x" + startFactor + ", then " + inner + ")";
    }
}
