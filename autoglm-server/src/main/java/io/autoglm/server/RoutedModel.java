package io.autoglm.server;

import io.autoglm.routing.RoutingDecision;
import java.util.Objects;

/**
 * The model a {@link ModelRegistry} chose for a request that named a routing name such as {@code auto}, and why.
 *
 * @param model the chosen model
 * @param decision the router's decision (task, scores, reason)
 */
public record RoutedModel(ServedModel model, RoutingDecision decision) {
    /** Checks the fields. */
    public RoutedModel {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(decision, "decision");
    }
}
