package io.autoglm.routing;

import java.util.List;
import java.util.Map;

/**
 * What {@link TaskRouter#classify} recognised.
 *
 * @param task the most likely task
 * @param confidence its share of the nearest examples' votes, 0..1
 * @param probabilities every task with a vote, by share (largest first)
 * @param neighbours the nearest examples, most similar first
 */
public record TaskPrediction(String task, double confidence, Map<String, Double> probabilities, List<Neighbour> neighbours) {
    /** Copies the collections. */
    public TaskPrediction {
        probabilities = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(probabilities));
        neighbours = List.copyOf(neighbours);
    }

    /**
     * One of the nearest examples.
     *
     * @param task its task
     * @param text its text
     * @param similarity cosine similarity to the request, -1..1
     */
    public record Neighbour(String task, String text, double similarity) {
    }
}
