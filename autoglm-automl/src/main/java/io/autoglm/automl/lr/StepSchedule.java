package io.autoglm.automl.lr;

import java.util.Map;

/** {@code lr_t = base * gamma^floor(t / stepSize)} (PyTorch's StepLR). */
final class StepSchedule extends ScaledRateSchedule {
    private final long stepSize;
    private final double gamma;

    StepSchedule(double base, long stepSize, double gamma) {
        super("step", "base", Schedules.nonNegative("learning rate", base));
        this.stepSize = Schedules.positive("stepSize", stepSize);
        this.gamma = Schedules.positive("gamma", gamma);
    }

    @Override
    public double learningRate() {
        return rate() * Math.pow(gamma, (double) (stepCount() / stepSize));
    }

    @Override
    void writeConfig(Map<String, Object> m) {
        m.put("stepSize", stepSize);
        m.put("gamma", gamma);
    }

    @Override
    public String toString() {
        return "step(lr=" + rate() + ", stepSize=" + stepSize + ", gamma=" + gamma + ")";
    }
}
