package io.autoglm.automl.storage;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.TrialState;
import java.util.Map;
import java.util.Objects;

/** Checks of {@link Storage#addTrial} that need no database, shared by the storages. */
final class AddedTrials {
    private AddedTrials() {
    }

    /**
     * @param trial the trial to add
     * @param directions the study's number of objectives
     * @throws IllegalArgumentException naming what does not fit
     */
    static void check(FrozenTrial trial, int directions) {
        Objects.requireNonNull(trial, "trial");
        if (!trial.state().isFinished()) {
            throw new IllegalArgumentException("an added trial must be COMPLETE, PRUNED or FAIL, was " + trial.state());
        }
        if (trial.state() == TrialState.COMPLETE && trial.values().size() != directions) {
            throw new IllegalArgumentException("a COMPLETE trial needs " + directions + " value(s), one per direction, was "
                    + trial.values());
        }
        if (trial.state() != TrialState.COMPLETE && !trial.values().isEmpty()) {
            throw new IllegalArgumentException("only a COMPLETE trial has values, was " + trial.state() + " with "
                    + trial.values());
        }
        for (Double v : trial.values()) {
            if (v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException("values must be finite, were " + trial.values());
            }
        }
        for (Map.Entry<String, Double> p : trial.internalParams().entrySet()) {
            Distribution d = trial.distributions().get(p.getKey());
            if (!d.contains(p.getValue())) {
                throw new IllegalArgumentException("value " + p.getValue() + " of parameter '" + p.getKey() + "' is not in " + d);
            }
        }
        trial.intermediateValues().forEach((step, v) -> {
            if (step < 0 || !Double.isFinite(v)) {
                throw new IllegalArgumentException("intermediate values need steps >= 0 and finite values, had " + v
                        + " at step " + step);
            }
        });
    }
}
