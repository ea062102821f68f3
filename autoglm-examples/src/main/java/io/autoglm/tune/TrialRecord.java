package io.autoglm.tune;

import java.util.Optional;

/**
 * One trial of a tune as the report shows it.
 *
 * @param number the trial's number in the study
 * @param state COMPLETE, PRUNED (over the memory budget or the KL limit: not run), FAIL or RUNNING
 * @param candidate the settings, or null when the trial failed before it had them all
 * @param memoryBytes the estimated memory, or -1
 * @param klMean mean KL divergence of the preset against the unquantized model, or NaN when not measured
 * @param tokensPerSecond generated tokens per second, or NaN
 * @param p50Millis median request latency, or NaN
 * @param baseline whether these are the library's default settings
 * @param note why a trial was pruned or failed; empty otherwise
 */
public record TrialRecord(int number, String state, Candidate candidate, long memoryBytes, double klMean,
        double tokensPerSecond, double p50Millis, boolean baseline, String note) {
    /** @return whether the trial ran and was measured */
    public boolean complete() {
        return state.equals("COMPLETE");
    }

    /**
     * @param objective the objective
     * @return the trial's value for the objective, when it was measured
     */
    public Optional<Double> value(TuneObjective objective) {
        double v = objective == TuneObjective.THROUGHPUT ? tokensPerSecond : p50Millis;
        return complete() && Double.isFinite(v) ? Optional.of(v) : Optional.empty();
    }
}
