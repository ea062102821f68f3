package io.autoglm.automl.monitor;

import java.util.Map;
import java.util.Objects;

/**
 * Something a monitor noticed.
 *
 * @param type what happened
 * @param step the training step or evaluation index it happened at ({@code -1} if not applicable)
 * @param value the observed value that triggered it (a norm, loss, metric or divergence)
 * @param message a one-line human description
 * @param details extra values (for drift: the drifted feature names and their scores)
 */
public record MonitorEvent(Type type, long step, double value, String message, Map<String, Object> details) {

    /** Kinds of events. */
    public enum Type {
        /** A gradient norm beyond k times its running median. */
        GRADIENT_EXPLOSION,
        /** A NaN or infinite gradient norm. */
        NON_FINITE_GRADIENT,
        /** A NaN or infinite loss. */
        NON_FINITE_LOSS,
        /** No improvement of the evaluation metric for {@code patience} evaluations. */
        PLATEAU,
        /** The evaluation metric got worse for {@code n} consecutive evaluations. */
        DEGRADATION,
        /** Input features drifted away from the reference sample. */
        DATA_DRIFT,
        /** The distribution of predictions drifted away from the reference. */
        PREDICTION_DRIFT
    }

    /** Validates and copies. */
    public MonitorEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    @Override
    public String toString() {
        return type + "@" + step + ": " + message;
    }
}
