package io.autoglm.tune;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link DeploymentTuner#tune()}.
 *
 * @param studyName the study in the storage (the same flags resume it)
 * @param objective what was optimized
 * @param trials every trial of the study, by number (earlier runs included)
 * @param trialsBefore trials that had finished before this run (a resumed tune)
 * @param retried trials an interrupted run had left running, failed and queued again by this run
 * @param best the best complete trial
 * @param config the deploy config of the best trial
 */
public record TuneResult(String studyName, TuneObjective objective, List<TrialRecord> trials, int trialsBefore, int retried,
        TrialRecord best, DeployConfig config) {
    /** Copies the list. */
    public TuneResult {
        trials = List.copyOf(trials);
    }

    /** @return the trial with the library's default settings, when it completed */
    public Optional<TrialRecord> baseline() {
        return trials.stream().filter(t -> t.baseline() && t.complete()).findFirst();
    }

    /**
     * @return the best trial's gain over the baseline: throughput ratio (best / baseline) or latency ratio (baseline /
     *     best), so above 1 means better; empty without a complete baseline
     */
    public Optional<Double> gainOverBaseline() {
        return baseline().map(b -> {
            double bv = b.value(objective).orElseThrow();
            double v = best.value(objective).orElseThrow();
            return objective == TuneObjective.THROUGHPUT ? v / bv : bv / v;
        });
    }
}
