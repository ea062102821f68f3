package io.autoglm.automl.lr;

import java.util.Map;

/**
 * A step-counting schedule whose every rate is proportional to one stored rate (the base or peak
 * rate): {@link #scale} multiplies it, and the snapshot stores it first, under its own key, followed
 * by the fixed configuration. The subclass keeps only its formula and its configuration.
 */
abstract class ScaledRateSchedule extends AbstractSchedule {
    private final String rateKey;
    private double rate;

    /**
     * @param type the schedule type
     * @param rateKey the state key of the rate
     * @param rate the rate, already validated by the caller
     */
    ScaledRateSchedule(String type, String rateKey, double rate) {
        super(type);
        this.rateKey = rateKey;
        this.rate = rate;
    }

    /** @return the current (scaled) rate */
    final double rate() {
        return rate;
    }

    @Override
    public final void scale(double factor) {
        rate *= Schedules.positive("factor", factor);
    }

    @Override
    final void writeState(Map<String, Object> m) {
        m.put(rateKey, rate);
        writeConfig(m);
    }

    @Override
    final void readState(Map<String, ?> state) {
        rate = Schedules.num(state, rateKey);
    }

    /** Puts the fixed configuration, stored after the rate (for reading; it is not restored); none by default. */
    void writeConfig(Map<String, Object> m) {
    }
}
