package io.autoglm.examples.risk;

/**
 * A monitoring alert, raised when a watched figure crosses its threshold (once per crossing: an
 * alert that stays active is not raised again until it has cleared).
 *
 * @param type what crossed
 * @param ts simulated time at which it was raised, epoch seconds
 * @param value the figure
 * @param threshold its threshold
 * @param message one line for a human
 */
public record Alert(Type type, long ts, double value, double threshold, String message) {
    /** Alert types. */
    public enum Type {
        /** PSI of the score distribution over the trailing window above its threshold (0.15). */
        PREDICTION_DRIFT,
        /** Daily AUC on labelled feedback more than 0.1 below the model's baseline. */
        AUC_DECAY,
        /** A feature's PSI above its threshold (informational: names what moved). */
        FEATURE_DRIFT
    }

    /** @return whether this alert counts as an alarm (prediction drift or AUC decay) */
    public boolean isAlarm() {
        return type != Type.FEATURE_DRIFT;
    }
}
