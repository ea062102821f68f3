package io.autoglm.automl.search;

import java.util.List;
import java.util.Objects;

/**
 * Factories of the {@link Distribution}s, named like the {@link Trial} suggest methods that use them, and the
 * rules storages and studies share about distributions.
 *
 * <pre>{@code
 * study.addTrial(KnownTrial.builder()
 *         .param("lr", 0.01, Distributions.ofFloatLog(1e-5, 1e-1))
 *         .param("layers", 3, Distributions.ofInt(1, 8))
 *         .value(0.42).build());
 * }</pre>
 */
public final class Distributions {
    private Distributions() {
    }

    /**
     * @param low lower bound, finite
     * @param high upper bound, finite, &gt;= low
     * @return the distribution of {@link Trial#suggestFloat(String, double, double)}
     * @throws IllegalArgumentException naming the bad bound
     */
    public static Distribution.FloatDistribution ofFloat(double low, double high) {
        return new Distribution.FloatDistribution(low, high, false, null);
    }

    /**
     * @param low lower bound, &gt; 0
     * @param high upper bound, &gt;= low
     * @return the distribution of {@link Trial#suggestFloatLog(String, double, double)}
     * @throws IllegalArgumentException naming the bad bound
     */
    public static Distribution.FloatDistribution ofFloatLog(double low, double high) {
        return new Distribution.FloatDistribution(low, high, true, null);
    }

    /**
     * @param low lower bound
     * @param high upper bound, &gt;= low (rounded down to the grid)
     * @param step grid step, &gt; 0
     * @return the distribution of {@link Trial#suggestFloatStep(String, double, double, double)}
     * @throws IllegalArgumentException naming the bad bound or step
     */
    public static Distribution.FloatDistribution ofFloatStep(double low, double high, double step) {
        return new Distribution.FloatDistribution(low, high, false, step);
    }

    /**
     * @param low lower bound
     * @param high upper bound, &gt;= low
     * @return the distribution of {@link Trial#suggestInt(String, int, int)}
     * @throws IllegalArgumentException when low &gt; high
     */
    public static Distribution.IntDistribution ofInt(int low, int high) {
        return new Distribution.IntDistribution(low, high, false, 1);
    }

    /**
     * @param low lower bound, &gt;= 1
     * @param high upper bound, &gt;= low
     * @return the distribution of {@link Trial#suggestIntLog(String, int, int)}
     * @throws IllegalArgumentException naming the bad bound
     */
    public static Distribution.IntDistribution ofIntLog(int low, int high) {
        return new Distribution.IntDistribution(low, high, true, 1);
    }

    /**
     * @param low lower bound
     * @param high upper bound, &gt;= low (rounded down to the grid)
     * @param step grid step, &gt;= 1
     * @return the distribution of {@link Trial#suggestIntStep(String, int, int, int)}
     * @throws IllegalArgumentException naming the bad bound or step
     */
    public static Distribution.IntDistribution ofIntStep(int low, int high, int step) {
        return new Distribution.IntDistribution(low, high, false, step);
    }

    /**
     * @param choices strings, numbers, booleans or null; not empty
     * @return the distribution of {@link Trial#suggestCategorical(String, List)}
     * @throws IllegalArgumentException when the list is empty or holds another type
     */
    public static Distribution.CategoricalDistribution ofCategorical(List<?> choices) {
        Objects.requireNonNull(choices, "choices");
        return new Distribution.CategoricalDistribution(new java.util.ArrayList<>(choices));
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
