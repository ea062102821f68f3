package io.autoglm.automl.search;

import java.util.Objects;

/** Rules shared by storages and studies about distributions. */
public final class Distributions {
    private Distributions() {
    }

    /**
     * Checks that a parameter name may be used with {@code requested} in a study where it was already
     * used with {@code existing}. The kind (float, int, categorical), the scale (log or linear), the step
     * and the categorical choices must match; numeric bounds may differ between trials (dynamic ranges,
     * as in Optuna).
     *
     * @param name parameter name
     * @param existing distribution already recorded in the study
     * @param requested distribution asked for now
     * @throws IllegalArgumentException naming both distributions when they are incompatible
     */
    public static void checkCompatible(String name, Distribution existing, Distribution requested) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(existing, "existing");
        Objects.requireNonNull(requested, "requested");
        boolean ok = switch (existing) {
            case Distribution.FloatDistribution a when requested instanceof Distribution.FloatDistribution b ->
                    a.log() == b.log() && Objects.equals(a.step(), b.step());
            case Distribution.IntDistribution a when requested instanceof Distribution.IntDistribution b ->
                    a.log() == b.log() && a.step() == b.step();
            case Distribution.CategoricalDistribution a when requested instanceof Distribution.CategoricalDistribution b ->
                    a.choices().equals(b.choices());
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("parameter '" + name + "' was already suggested in this study as "
                    + existing + " and cannot be suggested as " + requested
                    + "; use another name or the same kind, scale, step and choices");
        }
    }
}
