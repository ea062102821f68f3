package io.autoglm.automl.lr;

import java.util.Map;

/** {@code lr_t = base * gamma^t} (PyTorch's ExponentialLR). */
final class ExponentialSchedule extends ScaledRateSchedule {
    private final double gamma;

    ExponentialSchedule(double base, double gamma) {
        super("exponential", "base", Schedules.nonNegative("learning rate", base));
        this.gamma = Schedules.positive("gamma", gamma);
    }

    @Override
    public double learningRate() {
        return rate() * Math.pow(gamma, (double) stepCount());
    }

    @Override
    void writeConfig(Map<String, Object> m) {
        m.put("gamma", gamma);
    }

    @Override
    public String toString() {
        return "exponential(lr=" + rate() + ", gamma=" + gamma + ")";
    }
}
