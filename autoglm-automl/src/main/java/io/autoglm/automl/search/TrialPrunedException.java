package io.autoglm.automl.search;

import io.autoglm.automl.AutoMLException;

/** Thrown by an objective (usually after {@link Trial#shouldPrune()} returned true) to end its trial as PRUNED. */
public class TrialPrunedException extends AutoMLException {
    private static final long serialVersionUID = 1L;

    /** Creates one with a default message. */
    public TrialPrunedException() {
        super("trial pruned");
    }

    /** @param message why */
    public TrialPrunedException(String message) {
        super(message);
    }
}
