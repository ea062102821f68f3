package io.autoglm.automl.search;

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
        Optional<Instant> finished) {

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
        if (!internalParams.keySet().equals(distributions.keySet())) {
            throw new IllegalArgumentException("params and distributions must have the same names");
        }
    }

    /** @return parameter values as the objective saw them (Double, Long or a categorical choice) */
    public Map<String, Object> params() {
        Map<String, Object> out = new LinkedHashMap<>();
        internalParams.forEach((k, v) -> out.put(k, distributions.get(k).toExternal(v)));
        return Collections.unmodifiableMap(out);
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
