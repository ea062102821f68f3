package io.autoglm.examples.risk;

import java.util.Objects;

/**
 * The serving model and its baseline, trained on the same rows and promoted together.
 *
 * @param booster the gradient-boosted trees that decide
 * @param logistic the logistic-regression baseline, scored alongside for comparison
 */
public record ModelPair(BoostedModel booster, LogisticModel logistic) implements AutoCloseable {
    /** Checks for nulls. */
    public ModelPair {
        Objects.requireNonNull(booster, "booster");
        Objects.requireNonNull(logistic, "logistic");
    }

    @Override
    public void close() {
        booster.close();
    }
}
