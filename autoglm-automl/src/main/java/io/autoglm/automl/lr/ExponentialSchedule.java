package io.autoglm.automl.lr;

import java.util.Map;

/** {@code lr_t = base * gamma^t} (PyTorch's ExponentialLR). */
final class ExponentialSchedule implements LearningRateSchedule {
    private double base;
    private final double gamma;
    private long steps;

    ExponentialSchedule(double base, double gamma) {
        this.base = Schedules.nonNegative("learning rate", base);
        this.gamma = Schedules.positive("gamma", gamma);
    }

    @Override
    public double learningRate() {
        return base * Math.pow(gamma, (double) steps);
    }

    @Override
    public void step() {
        steps++;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public void scale(double factor) {
        base *= Schedules.positive("factor", factor);
    }

    @Override
    public String type() {
        return "exponential";
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = Schedules.newState(type());
        m.put("base", base);
        m.put("gamma", gamma);
        m.put("steps", steps);
        return m;
    }

    @Override
    public void loadState(Map<String, ?> state) {
        Schedules.checkType(state, type());
        base = Schedules.num(state, "base");
        steps = Schedules.lng(state, "steps");
    }

    @Override
    public String toString() {
        return "exponential(lr=" + base + ", gamma=" + gamma + ")";
    }
}
