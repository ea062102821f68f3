package io.autoglm.automl.lr;

import java.util.Map;

/** {@code lr_t = base}. */
final class ConstantSchedule implements LearningRateSchedule {
    private double base;
    private long steps;

    ConstantSchedule(double base) {
        this.base = Schedules.nonNegative("learning rate", base);
    }

    @Override
    public double learningRate() {
        return base;
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
        return "constant";
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = Schedules.newState(type());
        m.put("base", base);
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
        return "constant(lr=" + base + ")";
    }
}
