package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void atLeast_atOrAboveTheLimit_returnsTheValue() {
        assertThat(Checks.atLeast("n", 3, 3)).isEqualTo(3);
        assertThat(Checks.atLeast("n", 7, -2)).isEqualTo(7);
    }

    @Test
    void atLeast_belowTheLimit_namesParameterLimitAndValue() {
        assertThatThrownBy(() -> Checks.atLeast("nCandidates", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nCandidates must be >= 1, was 0");
    }

    @Test
    void samplerBuilders_rejectValuesBelowTheirBounds_withTheDocumentedMessages() {
        assertThatThrownBy(() -> Samplers.gp().nStartupTrials(1)).hasMessage("nStartupTrials must be >= 2, was 1");
        assertThatThrownBy(() -> Samplers.gp().nCandidates(0)).hasMessage("nCandidates must be >= 1, was 0");
        assertThatThrownBy(() -> Samplers.gp().nLocalStarts(-1)).hasMessage("nLocalStarts must be >= 0, was -1");
        assertThatThrownBy(() -> Samplers.tpe().nStartupTrials(-1)).hasMessage("nStartupTrials must be >= 0, was -1");
        assertThatThrownBy(() -> Samplers.tpe().nEiCandidates(0)).hasMessage("nEiCandidates must be >= 1, was 0");
        assertThatNoException().isThrownBy(() -> Samplers.gp().nStartupTrials(2).nCandidates(1).nLocalStarts(0).build());
        assertThatNoException().isThrownBy(() -> Samplers.tpe().nStartupTrials(0).nEiCandidates(1).build());
    }

    @Test
    void prunerBuilders_rejectValuesBelowTheirBounds_withTheDocumentedMessages() {
        assertThatThrownBy(() -> Pruners.median().nStartupTrials(-1)).hasMessage("nStartupTrials must be >= 0, was -1");
        assertThatThrownBy(() -> Pruners.percentile().nWarmupSteps(-1)).hasMessage("nWarmupSteps must be >= 0, was -1");
        assertThatThrownBy(() -> Pruners.threshold().intervalSteps(0)).hasMessage("intervalSteps must be >= 1, was 0");
        assertThatThrownBy(() -> Pruners.successiveHalving().minResource(0)).hasMessage("minResource must be >= 1, was 0");
        assertThatThrownBy(() -> Pruners.hyperband().reductionFactor(1)).hasMessage("reductionFactor must be >= 2, was 1");
        assertThatThrownBy(() -> Pruners.successiveHalving().minEarlyStoppingRate(-1))
                .hasMessage("minEarlyStoppingRate must be >= 0, was -1");
        assertThatThrownBy(() -> Pruners.percentile().percentile(101)).hasMessage("percentile must be in [0, 100], was 101.0");
        assertThatThrownBy(() -> Pruners.threshold().lower(Double.NaN)).hasMessage("lower must not be NaN");
        assertThatNoException().isThrownBy(() -> Pruners.median().nStartupTrials(0).nWarmupSteps(0).intervalSteps(1).build());
        assertThatNoException().isThrownBy(() -> Pruners.successiveHalving().minResource(1).reductionFactor(2).build());
    }

    @Test
    void prunerBuilders_missingRequiredSettings_failAtBuildNamingTheSetting() {
        assertThatThrownBy(() -> Pruners.percentile().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("percentile(p)");
        assertThatThrownBy(() -> Pruners.threshold().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lower(...) or upper(...)");
        assertThatThrownBy(() -> Pruners.threshold().lower(2).upper(1).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lower <= upper");
        assertThatThrownBy(() -> Pruners.hyperband().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxResource(n)");
        assertThatThrownBy(() -> Pruners.hyperband().minResource(9).maxResource(9).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("maxResource must be > minResource=9, was 9");
        assertThatThrownBy(() -> Samplers.grid().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("param(name, values)");
    }

    @Test
    void studyAndTrial_rejectValuesBelowTheirBounds_withTheDocumentedMessages() {
        assertThatThrownBy(() -> Study.builder().failedTrialRetries(-1)).hasMessage("failedTrialRetries must be >= 0, was -1");
        try (Study study = Study.builder().sampler(Samplers.random().seed(1).build()).build()) {
            assertThatThrownBy(() -> study.optimize(t -> 0.0, 0)).hasMessage("nTrials must be >= 1, was 0");
            assertThatThrownBy(() -> study.optimize(t -> 0.0, 1, null, 0)).hasMessage("parallelism must be >= 1, was 0");
            Trial trial = study.ask();
            assertThatThrownBy(() -> trial.report(1.0, -1)).hasMessage("step must be >= 0, was -1");
            trial.report(1.0, 0);
            assertThat(study.tell(trial, 1.0).intermediateValues()).containsEntry(0, 1.0);
        }
    }
}
