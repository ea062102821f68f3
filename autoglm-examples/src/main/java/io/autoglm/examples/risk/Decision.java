package io.autoglm.examples.risk;

import java.util.List;
import java.util.Objects;

/**
 * What the rule engine decided for one transaction, and why.
 *
 * @param txId the transaction
 * @param score the model's fraud probability
 * @param action the action
 * @param reasons one sentence per rule that fired, most severe first
 * @param flags short codes of the rules that fired ({@code STRONG_VERIFICATION}, {@code CONTINENT_JUMP},
 *     {@code HIGH_SCORE}, {@code MIDDLE_SCORE})
 * @param contributions the features that pushed the score most, largest |SHAP| first
 */
public record Decision(long txId, double score, Action action, List<String> reasons, List<String> flags,
        List<Contribution> contributions) {

    /** Copies the lists. */
    public Decision {
        Objects.requireNonNull(action, "action");
        reasons = List.copyOf(reasons);
        flags = List.copyOf(flags);
        contributions = List.copyOf(contributions);
    }

    /** Actions, least severe first. */
    public enum Action {
        /** Let it through. */
        APPROVE,
        /** Let it through and put it in the analysts' review queue. */
        REVIEW,
        /** Hold it until the customer passes strong verification (step-up authentication). */
        VERIFY,
        /** Refuse it. */
        REJECT
    }

    /** @return whether an analyst looks at it (every action but approve) */
    public boolean inReviewQueue() {
        return action != Action.APPROVE;
    }
}
