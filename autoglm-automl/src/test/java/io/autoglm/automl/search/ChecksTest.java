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
        assertThatThrownBy(() -> GpSampler.builder().nStartupTrials(1)).hasMessage("nStartupTrials must be >= 2, was 1");
        assertThatThrownBy(() -> GpSampler.builder().nCandidates(0)).hasMessage("nCandidates must be >= 1, was 0");
        assertThatThrownBy(() -> GpSampler.builder().nLocalStarts(-1)).hasMessage("nLocalStarts must be >= 0, was -1");
        assertThatThrownBy(() -> TpeSampler.builder().nStartupTrials(-1)).hasMessage("nStartupTrials must be >= 0, was -1");
        assertThatThrownBy(() -> TpeSampler.builder().nEiCandidates(0)).hasMessage("nEiCandidates must be >= 1, was 0");
        assertThatNoException().isThrownBy(() -> GpSampler.builder().nStartupTrials(2).nCandidates(1).nLocalStarts(0).build());
        assertThatNoException().isThrownBy(() -> TpeSampler.builder().nStartupTrials(0).nEiCandidates(1).build());
    }

    @Test
    void prunerFactories_rejectValuesBelowTheirBounds_withTheDocumentedMessages() {
        assertThatThrownBy(() -> Pruners.median(-1, 0, 1)).hasMessage("nStartupTrials must be >= 0, was -1");
        assertThatThrownBy(() -> Pruners.percentile(25, 0, -1, 1)).hasMessage("nWarmupSteps must be >= 0, was -1");
        assertThatThrownBy(() -> Pruners.threshold(0, 1, 0, 0)).hasMessage("intervalSteps must be >= 1, was 0");
        assertThatThrownBy(() -> Pruners.successiveHalving(0, 2, 0)).hasMessage("minResource must be >= 1, was 0");
        assertThatThrownBy(() -> Pruners.hyperband(1, 9, 1)).hasMessage("reductionFactor must be >= 2, was 1");
        assertThatThrownBy(() -> Pruners.successiveHalving(1, 2, -1)).hasMessage("minEarlyStoppingRate must be >= 0, was -1");
        assertThatNoException().isThrownBy(() -> Pruners.median(0, 0, 1));
        assertThatNoException().isThrownBy(() -> Pruners.successiveHalving(1, 2, 0));
    }

    @Test
    void studyAndTrial_rejectValuesBelowTheirBounds_withTheDocumentedMessages() {
        assertThatThrownBy(() -> Study.builder().failedTrialRetries(-1)).hasMessage("failedTrialRetries must be >= 0, was -1");
        try (Study study = Study.builder().sampler(new RandomSampler()).seed(1).build()) {
            assertThatThrownBy(() -> study.optimize(t -> 0.0, 0)).hasMessage("nTrials must be >= 1, was 0");
            assertThatThrownBy(() -> study.optimize(t -> 0.0, 1, null, 0)).hasMessage("parallelism must be >= 1, was 0");
            Trial trial = study.ask();
            assertThatThrownBy(() -> trial.report(1.0, -1)).hasMessage("step must be >= 0, was -1");
            trial.report(1.0, 0);
            assertThat(study.tell(trial, 1.0).intermediateValues()).containsEntry(0, 1.0);
        }
    }
}
