package io.autoglm.automl.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The space one parameter is drawn from. Values travel in two forms: the external value the
 * objective sees ({@code Double} for float parameters, {@code Integer} for int parameters, or one of
 * the categorical choices) and an internal {@code double} used by samplers and storages (the value
 * itself for numbers; the choice index for categoricals). Build them with the factories of
 * {@link Distributions} ({@code Distributions.ofFloat(0, 1)}, {@code Distributions.ofIntLog(1, 1024)}, ...).
 */
public sealed interface Distribution permits Distribution.FloatDistribution, Distribution.IntDistribution,
        Distribution.CategoricalDistribution {

    /**
     * @param external an external value of the right type: a {@code Number} for a float distribution, an
     *     {@code Integer} or {@code Long} (never a {@code Double}) for an int distribution, one of the choices for
     *     a categorical one
     * @return its internal representation (not checked against the bounds: see {@link #contains})
     * @throws IllegalArgumentException naming the value and its type when it has the wrong type
     */
    double toInternal(Object external);

    /** @param internal an internal value @return the external value */
    Object toExternal(double internal);

    /** @param internal an internal value @return true when it lies in this distribution */
    boolean contains(double internal);

    /** @return true when the distribution holds exactly one value */
    boolean isSingle();

    /** @return a JSON text that {@link #fromJson(String)} reads back */
    String toJson();

    /**
     * @param json text written by {@link #toJson()}
     * @return the distribution
     * @throws IllegalArgumentException when the text is not a distribution
     */
    static Distribution fromJson(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            String kind = n.path("kind").asText("");
            return switch (kind) {
                case "float" -> new FloatDistribution(n.get("low").asDouble(), n.get("high").asDouble(),
                        n.get("log").asBoolean(), n.hasNonNull("step") ? n.get("step").asDouble() : null);
                case "int" -> new IntDistribution(intField(n, "low", json), intField(n, "high", json),
                        n.get("log").asBoolean(), intField(n, "step", json));
                case "categorical" -> {
                    List<Object> choices = new ArrayList<>();
                    for (JsonNode c : n.get("choices")) {
                        choices.add(Json.MAPPER.treeToValue(c, Object.class));
                    }
                    yield new CategoricalDistribution(choices);
                }
                default -> throw new IllegalArgumentException("not a distribution: " + json);
            };
        } catch (JsonProcessingException | NullPointerException e) {
            throw new IllegalArgumentException("not a distribution: " + json, e);
        }
    }

    private static int intField(JsonNode n, String field, String json) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("not an int distribution (" + field + " must be an int): " + json);
        }
        return v.intValue();
    }

    /** @return the value and its class, for error messages */
    private static String describe(Object value) {
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    /**
     * A real-valued parameter in [low, high], optionally on a log scale or a grid of {@code step}.
     *
     * @param low lower bound
     * @param high upper bound, &gt;= low
     * @param log log scale (then low &gt; 0 and no step)
     * @param step grid step, or null
     */
    record FloatDistribution(double low, double high, boolean log, Double step) implements Distribution {
        /** Validates. */
        public FloatDistribution {
            if (!Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("low and high must be finite, were " + low + ", " + high);
            }
            if (low > high) {
                throw new IllegalArgumentException("low must be <= high, were low=" + low + ", high=" + high);
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException("log scale needs low > 0, was low=" + low);
            }
            if (step != null) {
                if (log) {
                    throw new IllegalArgumentException("step and log cannot be used together");
                }
                if (!(step > 0) || !Double.isFinite(step)) {
                    throw new IllegalArgumentException("step must be > 0, was " + step);
                }
                double k = Math.floor((high - low) / step + 1e-12);
                high = low + k * step;
            }
        }

        @Override
        public double toInternal(Object external) {
            if (!(external instanceof Number x)) {
                throw new IllegalArgumentException("expected a number for " + this + ", was " + describe(external));
            }
            return x.doubleValue();
        }

        @Override
        public Object toExternal(double internal) {
            return internal;
        }

        @Override
        public boolean contains(double v) {
            if (!(v >= low && v <= high)) {
                return false;
            }
            if (step == null) {
                return true;
            }
            double k = (v - low) / step;
            return Math.abs(k - Math.rint(k)) < 1e-8;
        }

        @Override
        public boolean isSingle() {
            return low == high;
        }

        @Override
        public String toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode().put("kind", "float").put("low", low).put("high", high).put("log", log);
            if (step != null) {
                n.put("step", step);
            } else {
                n.putNull("step");
            }
            return n.toString();
        }
    }

    /**
     * An integer parameter in [low, high], optionally on a log scale or a grid of {@code step}. Its external
     * values are {@code Integer}s.
     *
     * @param low lower bound
     * @param high upper bound, &gt;= low
     * @param log log scale (then low &gt;= 1 and step 1)
     * @param step grid step, &gt;= 1
     */
    record IntDistribution(int low, int high, boolean log, int step) implements Distribution {
        /** Validates. */
        public IntDistribution {
            if (low > high) {
                throw new IllegalArgumentException("low must be <= high, were low=" + low + ", high=" + high);
            }
            if (log && low < 1) {
                throw new IllegalArgumentException("log scale needs low >= 1, was low=" + low);
            }
            if (step < 1) {
                throw new IllegalArgumentException("step must be >= 1, was " + step);
            }
            if (log && step != 1) {
                throw new IllegalArgumentException("step and log cannot be used together");
            }
            high = (int) (low + ((long) high - low) / step * step);
        }

        @Override
        public double toInternal(Object external) {
            if (external instanceof Integer || external instanceof Long || external instanceof Short
                    || external instanceof Byte) {
                return ((Number) external).longValue();
            }
            if (external instanceof java.math.BigInteger b && b.bitLength() < 64) {
                return b.longValue();
            }
            throw new IllegalArgumentException("expected an integer (Integer or Long) for " + this + ", was "
                    + describe(external));
        }

        @Override
        public Object toExternal(double internal) {
            return Math.toIntExact(Math.round(internal));
        }

        @Override
        public boolean contains(double v) {
            return v >= low && v <= high && v == Math.rint(v) && ((long) v - low) % step == 0;
        }

        @Override
        public boolean isSingle() {
            return low == high;
        }

        @Override
        public String toJson() {
            return Json.MAPPER.createObjectNode().put("kind", "int").put("low", low).put("high", high).put("log", log)
                    .put("step", step).toString();
        }
    }

    /**
     * One of a list of choices (strings, numbers, booleans or null).
     *
     * @param choices the choices, not empty
     */
    record CategoricalDistribution(List<Object> choices) implements Distribution {
        /** Validates and copies. */
        public CategoricalDistribution {
            Objects.requireNonNull(choices, "choices");
            if (choices.isEmpty()) {
                throw new IllegalArgumentException("choices must not be empty");
            }
            for (Object c : choices) {
                if (c != null && !(c instanceof String) && !(c instanceof Number) && !(c instanceof Boolean)) {
                    throw new IllegalArgumentException("choices must be strings, numbers, booleans or null, was "
                            + c.getClass().getName());
                }
            }
            choices = java.util.Collections.unmodifiableList(new ArrayList<>(choices));
        }

        @Override
        public double toInternal(Object external) {
            for (int i = 0; i < choices.size(); i++) {
                if (Objects.equals(choices.get(i), external)
                        || (choices.get(i) instanceof Number a && external instanceof Number b
                        && a.doubleValue() == b.doubleValue())) {
                    return i;
                }
            }
            throw new IllegalArgumentException(describe(external) + " is not one of " + choices);
        }

        @Override
        public Object toExternal(double internal) {
            int i = (int) internal;
            if (i < 0 || i >= choices.size() || i != internal) {
                throw new IllegalArgumentException("index " + internal + " out of range for " + choices);
            }
            return choices.get(i);
        }

        @Override
        public boolean contains(double v) {
            return v >= 0 && v < choices.size() && v == Math.rint(v);
        }

        @Override
        public boolean isSingle() {
            return choices.size() == 1;
        }

        @Override
        public String toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode().put("kind", "categorical");
            ArrayNode a = n.putArray("choices");
            for (Object c : choices) {
                a.add(Json.MAPPER.valueToTree(c));
            }
            return n.toString();
        }
    }
}

/** Shared JSON mapper of the search package. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
