package io.autoglm.examples.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hard rules on top of the model, each with its reason; the most severe action wins.
 * <ul>
 *   <li>amount above {@code strongVerificationAmount} (50,000) &rarr; {@link Decision.Action#VERIFY};</li>
 *   <li>the IP's continent differs from the previous transaction's &rarr; flagged, at least
 *       {@link Decision.Action#REVIEW};</li>
 *   <li>score above {@code rejectScore} (0.85) &rarr; {@link Decision.Action#REJECT};</li>
 *   <li>score in [{@code reviewScore} (0.30), {@code rejectScore}] &rarr; {@link Decision.Action#REVIEW}.</li>
 * </ul>
 *
 * <pre>{@code
 * RuleEngine rules = RuleEngine.builder().build();
 * Decision d = rules.decide(txId, featureValues, score, topContributions);
 * }</pre>
 */
public final class RuleEngine {
    private final double strongVerificationAmount;
    private final double rejectScore;
    private final double reviewScore;

    private RuleEngine(Builder b) {
        this.strongVerificationAmount = b.strongVerificationAmount;
        this.rejectScore = b.rejectScore;
        this.reviewScore = b.reviewScore;
    }

    /** @return a builder with the seed's thresholds: 50,000, 0.85, and 0.30 for review */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the review threshold */
    public double reviewScore() {
        return reviewScore;
    }

    /** @return the reject threshold */
    public double rejectScore() {
        return rejectScore;
    }

    /**
     * @param txId the transaction
     * @param features its feature values ({@link Features#NAMES} order)
     * @param score the model's fraud probability, in [0, 1]
     * @param contributions its top contributions
     * @return the decision
     */
    public Decision decide(long txId, double[] features, double score, List<Contribution> contributions) {
        if (features.length != Features.count()) {
            throw new IllegalArgumentException("features must have " + Features.count() + " values, had " + features.length);
        }
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be in [0, 1], was " + score);
        }
        Decision.Action action = Decision.Action.APPROVE;
        List<String> reasons = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        if (score > rejectScore) {
            action = Decision.Action.REJECT;
            flags.add("HIGH_SCORE");
            reasons.add(String.format(Locale.ROOT, "model score %.3f > %.2f: automatic rejection", score, rejectScore));
        }
        double amount = features[Features.AMOUNT];
        if (amount > strongVerificationAmount) {
            action = max(action, Decision.Action.VERIFY);
            flags.add("STRONG_VERIFICATION");
            reasons.add(String.format(Locale.ROOT, "amount %,.2f > %,.0f: strong verification required", amount,
                    strongVerificationAmount));
        }
        if (features[Features.CONTINENT_CHANGE] > 0) {
            action = max(action, Decision.Action.REVIEW);
            flags.add("CONTINENT_JUMP");
            reasons.add(String.format(Locale.ROOT, "IP jumped to another continent since the previous transaction (%,.0f km)",
                    features[Features.IP_KM]));
        }
        if (score >= reviewScore && score <= rejectScore) {
            action = max(action, Decision.Action.REVIEW);
            flags.add("MIDDLE_SCORE");
            reasons.add(String.format(Locale.ROOT, "model score %.3f in [%.2f, %.2f]: human review", score, reviewScore,
                    rejectScore));
        }
        if (reasons.isEmpty()) {
            reasons.add(String.format(Locale.ROOT, "model score %.3f < %.2f and no rule fired", score, reviewScore));
        }
        return new Decision(txId, score, action, reasons, flags, contributions);
    }

    private static Decision.Action max(Decision.Action a, Decision.Action b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private double strongVerificationAmount = 50_000;
        private double rejectScore = 0.85;
        private double reviewScore = 0.30;

        private Builder() {
        }

        /** @param v amount above which strong verification is required, {@code > 0} @return this */
        public Builder strongVerificationAmount(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("strongVerificationAmount must be finite and > 0, was " + v);
            }
            strongVerificationAmount = v;
            return this;
        }

        /** @param v score above which a payment is rejected, in (0, 1) @return this */
        public Builder rejectScore(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("rejectScore must be in (0, 1), was " + v);
            }
            rejectScore = v;
            return this;
        }

        /** @param v score from which a payment is reviewed, in (0, 1) @return this */
        public Builder reviewScore(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("reviewScore must be in (0, 1), was " + v);
            }
            reviewScore = v;
            return this;
        }

        /** @return the engine @throws IllegalArgumentException when reviewScore &gt; rejectScore */
        public RuleEngine build() {
            if (reviewScore > rejectScore) {
                throw new IllegalArgumentException("reviewScore must be <= rejectScore=" + rejectScore + ", was " + reviewScore);
            }
            return new RuleEngine(this);
        }
    }
}
