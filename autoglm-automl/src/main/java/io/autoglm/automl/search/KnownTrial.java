package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A trial evaluated outside the study (an earlier run, another tool, a hand-picked baseline), to add with
 * {@link Study#addTrial(KnownTrial)} so that the samplers learn from it: Optuna's {@code create_trial} plus
 * {@code add_trial}. Every value is checked against its distribution when it is given.
 *
 * <pre>{@code
 * study.addTrial(KnownTrial.builder()
 *         .param("x", 0.5, Distributions.ofFloat(-1, 1))
 *         .param("layers", 3, Distributions.ofInt(1, 8))
 *         .value(-0.15)                       // COMPLETE unless state(...) says otherwise
 *         .build());
 * }</pre>
 */
public final class KnownTrial {
    private final TrialState state;
    private final List<Double> values;
    private final Map<String, Object> params;
    private final Map<String, Distribution> distributions;
    private final Map<String, Double> internalParams;
    private final Map<String, Object> userAttrs;
    private final SortedMap<Integer, Double> intermediateValues;

    private KnownTrial(Builder b) {
        this.state = b.state;
        this.values = List.copyOf(b.values);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.distributions = Collections.unmodifiableMap(new LinkedHashMap<>(b.distributions));
        this.internalParams = Collections.unmodifiableMap(new LinkedHashMap<>(b.internalParams));
        this.userAttrs = Collections.unmodifiableMap(new LinkedHashMap<>(b.userAttrs));
        this.intermediateValues = Collections.unmodifiableSortedMap(new TreeMap<>(b.intermediateValues));
    }

    /** @return a builder of a COMPLETE trial without parameters */
    public static Builder builder() {
        return new Builder();
    }

    /** @return COMPLETE, PRUNED or FAIL */
    public TrialState state() {
        return state;
    }

    /** @return the objective values (COMPLETE only; empty otherwise) */
    public List<Double> values() {
        return values;
    }

    /** @return parameter values as an objective would see them, in the order given */
    public Map<String, Object> params() {
        return params;
    }

    /** @return the distribution of each parameter */
    public Map<String, Distribution> distributions() {
        return distributions;
    }

    Map<String, Double> internalParams() {
        return internalParams;
    }

    /** @return the user attributes */
    public Map<String, Object> userAttrs() {
        return userAttrs;
    }

    /** @return the intermediate values by step */
    public SortedMap<Integer, Double> intermediateValues() {
        return intermediateValues;
    }

    @Override
    public String toString() {
        return "KnownTrial[" + state + ", values=" + values + ", params=" + params + "]";
    }

    /** Builds a {@link KnownTrial}; every setter validates at once. */
    public static final class Builder {
        private TrialState state = TrialState.COMPLETE;
        private final List<Double> values = new ArrayList<>();
        private final Map<String, Object> params = new LinkedHashMap<>();
        private final Map<String, Distribution> distributions = new LinkedHashMap<>();
        private final Map<String, Double> internalParams = new LinkedHashMap<>();
        private final Map<String, Object> userAttrs = new LinkedHashMap<>();
        private final SortedMap<Integer, Double> intermediateValues = new TreeMap<>();

        private Builder() {
        }

        /**
         * @param name parameter name, not given before
         * @param value its value, of the type the distribution's suggest method returns ({@code Integer} for an
         *     int distribution: 7.9 or 7.0 is refused)
         * @param distribution the distribution the value was drawn from, as the objective suggests it
         * @return this
         * @throws IllegalArgumentException naming the parameter when the value has the wrong type or lies outside
         */
        public Builder param(String name, Object value, Distribution distribution) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(distribution, "distribution");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("parameter name must not be empty");
            }
            if (params.containsKey(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' was already given");
            }
            double internal;
            try {
                internal = distribution.toInternal(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter '" + name + "': " + e.getMessage(), e);
            }
            if (!distribution.contains(internal)) {
                throw new IllegalArgumentException("parameter '" + name + "': value " + value + " is outside " + distribution);
            }
            params.put(name, distribution.toExternal(internal));
            distributions.put(name, distribution);
            internalParams.put(name, internal);
            return this;
        }

        /**
         * @param value the objective value of a single-objective study, finite
         * @return this
         */
        public Builder value(double value) {
            return values(List.of(value));
        }

        /**
         * @param values one finite value per direction of the study
         * @return this
         */
        public Builder values(List<Double> values) {
            Objects.requireNonNull(values, "values");
            if (values.isEmpty()) {
                throw new IllegalArgumentException("values must not be empty");
            }
            for (Double v : values) {
                if (v == null || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("values must be finite, were " + values
                            + " (add a trial whose objective failed with state(TrialState.FAIL) and no value)");
                }
            }
            this.values.clear();
            this.values.addAll(values);
            return this;
        }

        /**
         * @param state COMPLETE (the default; needs values), PRUNED or FAIL (no values)
         * @return this
         */
        public Builder state(TrialState state) {
            Objects.requireNonNull(state, "state");
            if (!state.isFinished()) {
                throw new IllegalArgumentException("state must be COMPLETE, PRUNED or FAIL, was " + state);
            }
            this.state = state;
            return this;
        }

        /**
         * @param step the step, &gt;= 0
         * @param value the value reported at it, finite
         * @return this
         */
        public Builder intermediateValue(int step, double value) {
            Checks.atLeast("step", step, 0);
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("intermediate value must be finite, was " + value + " at step " + step);
            }
            intermediateValues.put(step, value);
            return this;
        }

        /**
         * @param key attribute name
         * @param value a JSON-compatible value
         * @return this
         */
        public Builder userAttr(String key, Object value) {
            Objects.requireNonNull(key, "key");
            userAttrs.put(key, value);
            return this;
        }

        /**
         * @return the trial
         * @throws IllegalStateException when a COMPLETE trial has no values or a PRUNED/FAIL one has some
         */
        public KnownTrial build() {
            if (state == TrialState.COMPLETE && values.isEmpty()) {
                throw new IllegalStateException("a COMPLETE trial needs value(...) or values(...)");
            }
            if (state != TrialState.COMPLETE && !values.isEmpty()) {
                throw new IllegalStateException("only a COMPLETE trial has values; a " + state + " trial had " + values);
            }
            return new KnownTrial(this);
        }
    }
}
