package io.autoglm.automl.lr;

/** {@code lr_t = base}. */
final class ConstantSchedule extends ScaledRateSchedule {

    ConstantSchedule(double base) {
        super("constant", "base", Schedules.nonNegative("learning rate", base));
    }

    @Override
    public double learningRate() {
        return rate();
    }

    @Override
    public String toString() {
        return "constant(lr=" + rate() + ")";
    }
}
