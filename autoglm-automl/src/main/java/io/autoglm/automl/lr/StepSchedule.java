package io.autoglm.automl.lr;

import java.util.Map;

/** {@code lr_t = base * gamma^floor(t / stepSize)} (PyTorch's StepLR). */
final class StepSchedule implements LearningRateSchedule {
    private double base;
    private final long stepSize;
    private final double gamma;
    private long steps;

    StepSchedule(double base, long stepSize, double gamma) {
        this.base = Schedules.nonNegative("learning rate", base);
        this.stepSize = Schedules.positive("stepSize", stepSize);
        this.gamma = Schedules.positive("gamma", gamma);
    }

    @Override
    public double learningRate() {
        return base * Math.pow(gamma, (double) (steps / stepSize));
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
        return "step";
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = Schedules.newState(type());
        m.put("base", base);
        m.put("stepSize", stepSize);
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
        return "step(lr=" + base + ", stepSize=" + stepSize + ", gamma=" + gamma + ")";
    }
}
