package io.autoglm.automl.search;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of a trial as stored.
 *
 * @param trialId storage-wide unique id
 * @param number number within its study, from 0, contiguous
 * @param state life-cycle state
 * @param values objective values (one per direction) when COMPLETE, else empty
 * @param internalParams parameter values in internal form, in suggestion order
 * @param distributions the distribution of each parameter
 * @param userAttrs user attributes (JSON-compatible values)
 * @param systemAttrs system attributes (fail reason, worker id, ...)
 * @param intermediateValues reported values by step
 * @param started when it started running, if it has
 * @param finished when it finished, if it has
 * @param samplerTime wall-clock time the study's sampler spent proposing this trial's parameters (relative
 *     sampling before the objective ran plus every independent sample during it, including the storage reads
 *     the sampler made); empty for a trial that did not finish through its study (added with
 *     {@link Study#addTrial}, failed by a heartbeat reaper, or still running)
 */
public record FrozenTrial(
        long trialId,
        int number,
        TrialState state,
        List<Double> values,
        Map<String, Double> internalParams,
        Map<String, Distribution> distributions,
        Map<String, Object> userAttrs,
        Map<String, Object> systemAttrs,
        SortedMap<Integer, Double> intermediateValues,
        Optional<Instant> started,
        Optional<Instant> finished,
        Optional<Duration> samplerTime) {

    /** Validates and copies. */
    public FrozenTrial {
        Objects.requireNonNull(state, "state");
        values = List.copyOf(values);
        internalParams = Collections.unmodifiableMap(new LinkedHashMap<>(internalParams));
        distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
        userAttrs = Collections.unmodifiableMap(new LinkedHashMap<>(userAttrs));
        systemAttrs = Collections.unmodifiableMap(new LinkedHashMap<>(systemAttrs));
        intermediateValues = Collections.unmodifiableSortedMap(new TreeMap<>(intermediateValues));
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(finished, "finished");
        Objects.requireNonNull(samplerTime, "samplerTime");
        if (samplerTime.isPresent() && samplerTime.get().isNegative()) {
            throw new IllegalArgumentException("samplerTime must be >= 0, was " + samplerTime.get());
        }
        if (!internalParams.keySet().equals(distributions.keySet())) {
            throw new IllegalArgumentException("params and distributions must have the same names");
        }
    }

    /**
     * @return parameter values as the objective saw them: {@code Double} for float parameters, {@code Integer}
     *     for int parameters, the chosen element for categorical ones
     */
    public Map<String, Object> params() {
        Map<String, Object> out = new LinkedHashMap<>();
        internalParams.forEach((k, v) -> out.put(k, distributions.get(k).toExternal(v)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * @param name a parameter suggested with {@code suggestInt}, {@code suggestIntLog} or {@code suggestIntStep}
     * @return its value
     * @throws IllegalArgumentException when the trial has no such parameter or it is not an int parameter
     */
    public int intParam(String name) {
        return (Integer) typed(name, Distribution.IntDistribution.class, "intParam");
    }

    /**
     * @param name a parameter suggested with {@code suggestFloat}, {@code suggestFloatLog} or {@code suggestFloatStep}
     * @return its value
     * @throws IllegalArgumentException when the trial has no such parameter or it is not a float parameter
     */
    public double floatParam(String name) {
        return (Double) typed(name, Distribution.FloatDistribution.class, "floatParam");
    }

    /**
     * @param name a parameter suggested with {@code suggestCategorical}
     * @param type the class of the choice (for example {@code String.class}, {@code Integer.class})
     * @param <T> the type of the choice
     * @return the chosen element ({@code null} when null was chosen)
     * @throws IllegalArgumentException when the trial has no such parameter, it is not categorical, or the
     *     choice is not a {@code type}
     */
    public <T> T categoricalParam(String name, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Object v = typed(name, Distribution.CategoricalDistribution.class, "categoricalParam");
        if (v != null && !type.isInstance(v)) {
            throw new IllegalArgumentException("parameter '" + name + "' of trial " + number + " is " + v + " ("
                    + v.getClass().getSimpleName() + "), not a " + type.getSimpleName());
        }
        return type.cast(v);
    }

    private Object typed(String name, Class<? extends Distribution> kind, String method) {
        Objects.requireNonNull(name, "name");
        Distribution d = distributions.get(name);
        if (d == null) {
            throw new IllegalArgumentException("trial " + number + " has no parameter '" + name + "'; its parameters are "
                    + distributions.keySet());
        }
        if (!kind.isInstance(d)) {
            String right = switch (d) {
                case Distribution.FloatDistribution f -> "floatParam";
                case Distribution.IntDistribution i -> "intParam";
                case Distribution.CategoricalDistribution c -> "categoricalParam";
            };
            throw new IllegalArgumentException(method + "('" + name + "'): parameter '" + name + "' of trial " + number
                    + " is " + d + "; use " + right);
        }
        return d.toExternal(internalParams.get(name));
    }

    /**
     * @return the single objective value
     * @throws IllegalStateException when the trial is not COMPLETE or has several objectives
     */
    public double value() {
        if (values.size() != 1) {
            throw new IllegalStateException("trial " + number + " has " + values.size() + " values (state " + state + ")");
        }
        return values.get(0);
    }

    /** @return the last reported intermediate value, if any */
    public Optional<Double> lastIntermediateValue() {
        return intermediateValues.isEmpty() ? Optional.empty() : Optional.of(intermediateValues.get(intermediateValues.lastKey()));
    }
}
