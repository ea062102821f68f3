package io.autoglm.automl.lr;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Validation and state helpers shared by the schedule implementations. */
final class Schedules {
    private Schedules() {
    }

    static void checkNorm(double norm) {
        if (!Double.isFinite(norm) || norm < 0) {
            throw new IllegalArgumentException("gradient norm must be finite and >= 0, was " + norm
                    + " (check the gradients for NaN/Inf before reporting them; ExplosionDetector flags them)");
        }
    }

    static double positive(String name, double v) {
        if (!Double.isFinite(v) || v <= 0) {
            throw new IllegalArgumentException(name + " must be finite and > 0, was " + v);
        }
        return v;
    }

    static double nonNegative(String name, double v) {
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
        }
        return v;
    }

    static double inRange(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], was " + v);
        }
        return v;
    }

    static long positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
        return v;
    }

    static int positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
        return v;
    }

    static int nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + v);
        }
        return v;
    }

    static Map<String, Object> newState(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        return m;
    }

    static void checkType(Map<String, ?> state, String type) {
        Objects.requireNonNull(state, "state");
        Object t = state.get("type");
        if (!type.equals(t)) {
            throw new IllegalArgumentException("state is of schedule type " + t + ", expected " + type);
        }
    }

    static double num(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) { // Jackson writes NaN/Infinity as strings when asked to
            return Double.parseDouble(s);
        }
        throw new IllegalArgumentException("state field '" + key + "' missing or not a number: " + v);
    }

    static long lng(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("state field '" + key + "' missing or not a number: " + v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, ?> map(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, ?>) m;
        }
        throw new IllegalArgumentException("state field '" + key + "' missing or not an object: " + v);
    }
}
