package io.autoglm.routing;

import java.util.List;

/**
 * The model {@link TaskRouter#route} picked, and why.
 *
 * @param model the chosen model's name
 * @param prediction the recognised task
 * @param candidates every candidate's score, best first (the first is {@code model})
 * @param reason one line a person can read, e.g.
 *     {@code task code (0.86 of 7 nearest examples); coder scores 1.19 (fit 0.86, quality 0.80, latency 0.40, memory 1.00), next chat 0.62}
 * @param nanos time the routing took (embedding, neighbours and scoring)
 */
public record RoutingDecision(String model, TaskPrediction prediction, List<Candidate> candidates, String reason, long nanos) {
    /** Copies the list. */
    public RoutingDecision {
        candidates = List.copyOf(candidates);
    }

    /** @return the recognised task */
    public String task() {
        return prediction.task();
    }

    /** @return the chosen model's score */
    public double score() {
        return candidates.get(0).score();
    }

    /**
     * One candidate model's score and its parts ({@link RoutingWeights}).
     *
     * @param model the model's name
     * @param score the total
     * @param fit expected task fit, 0..1
     * @param quality the profile's quality, 0..1
     * @param latencyCost latency relative to the slowest candidate, 0..1
     * @param memoryCost memory relative to the largest candidate, 0..1
     */
    public record Candidate(String model, double score, double fit, double quality, double latencyCost, double memoryCost) {
    }
}
