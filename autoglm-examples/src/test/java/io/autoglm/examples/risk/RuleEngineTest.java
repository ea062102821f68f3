package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleEngineTest {
    private final RuleEngine rules = RuleEngine.builder().build();

    private static double[] features(double amount, boolean continentJump) {
        double[] x = new double[Features.count()];
        x[Features.AMOUNT] = amount;
        x[Features.CONTINENT_CHANGE] = continentJump ? 1 : 0;
        x[Features.IP_KM] = continentJump ? 8_900 : 3;
        return x;
    }

    @Test
    void lowScore_smallAmount_sameContinent_isApproved() {
        Decision d = rules.decide(1, features(42, false), 0.02, List.of());
        assertThat(d.action()).isEqualTo(Decision.Action.APPROVE);
        assertThat(d.flags()).isEmpty();
        assertThat(d.reasons()).containsExactly("model score 0.020 < 0.30 and no rule fired");
        assertThat(d.inReviewQueue()).isFalse();
    }

    @Test
    void amountAbove50000_needsStrongVerification_evenWithALowScore() {
        Decision d = rules.decide(2, features(50_000.01, false), 0.01, List.of());
        assertThat(d.action()).isEqualTo(Decision.Action.VERIFY);
        assertThat(d.flags()).containsExactly("STRONG_VERIFICATION");
        assertThat(d.reasons().getFirst()).isEqualTo("amount 50,000.01 > 50,000: strong verification required");
        assertThat(rules.decide(3, features(50_000, false), 0.01, List.of()).action()).isEqualTo(Decision.Action.APPROVE);
    }

    @Test
    void continentJump_isFlaggedForReview() {
        Decision d = rules.decide(4, features(30, true), 0.05, List.of());
        assertThat(d.action()).isEqualTo(Decision.Action.REVIEW);
        assertThat(d.flags()).containsExactly("CONTINENT_JUMP");
        assertThat(d.reasons().getFirst()).contains("another continent").contains("8,900 km");
    }

    @Test
    void scoreThresholds_rejectAbove085_reviewInTheMiddle() {
        assertThat(rules.decide(5, features(10, false), 0.851, List.of()).action()).isEqualTo(Decision.Action.REJECT);
        assertThat(rules.decide(6, features(10, false), 0.85, List.of()).action()).isEqualTo(Decision.Action.REVIEW);
        assertThat(rules.decide(7, features(10, false), 0.30, List.of()).action()).isEqualTo(Decision.Action.REVIEW);
        assertThat(rules.decide(8, features(10, false), 0.2999, List.of()).action()).isEqualTo(Decision.Action.APPROVE);
    }

    @Test
    void mostSevereActionWins_andEveryReasonIsKept() {
        Contribution c = new Contribution("new_device", 1, 2.5);
        Decision d = rules.decide(9, features(70_000, true), 0.97, List.of(c));
        assertThat(d.action()).isEqualTo(Decision.Action.REJECT);
        assertThat(d.flags()).containsExactly("HIGH_SCORE", "STRONG_VERIFICATION", "CONTINENT_JUMP");
        assertThat(d.reasons()).hasSize(3);
        assertThat(d.contributions()).containsExactly(c);
    }

    @Test
    void badSettingsAndInputs_areRejected() {
        assertThatThrownBy(() -> RuleEngine.builder().rejectScore(1.2)).hasMessage("rejectScore must be in (0, 1), was 1.2");
        assertThatThrownBy(() -> RuleEngine.builder().reviewScore(0.9).rejectScore(0.8).build())
                .hasMessage("reviewScore must be <= rejectScore=0.8, was 0.9");
        assertThatThrownBy(() -> rules.decide(1, new double[3], 0.5, List.of()))
                .hasMessage("features must have 18 values, had 3");
        assertThatThrownBy(() -> rules.decide(1, features(1, false), Double.NaN, List.of()))
                .hasMessage("score must be in [0, 1], was NaN");
    }
}
