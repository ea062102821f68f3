package io.autoglm.automl.lr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GradientVarianceAdaptiveTest {

    @Test
    void steadyNorms_doubleTheRateEveryMinSamplesReports() {
        // cv = 0 < lowCv and growth = 1: increase x2 as soon as 10 norms are in the (cleared) window
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).build();
        for (int i = 1; i <= 30; i++) {
            s.reportGradientNorm(1.0);
            double expected = 0.01 * Math.pow(2, i / 10);
            assertThat(s.learningRate()).as("after %d reports", i).isCloseTo(expected, within(1e-15));
        }
        assertThat(s.increases()).isEqualTo(3);
    }

    @Test
    void growingNorms_halveTheRate() {
        // norms 1.1^i: newer half / older half = 1.1^5 = 1.61 > 1.25 -> x0.5 at the 10th report
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.1).build();
        for (int i = 0; i < 10; i++) {
            s.reportGradientNorm(Math.pow(1.1, i));
        }
        assertThat(s.learningRate()).isCloseTo(0.05, within(1e-15));
        assertThat(s.lastGrowth().orElseThrow()).isCloseTo(Math.pow(1.1, 5), within(1e-9));
        assertThat(s.decreases()).isEqualTo(1);
    }

    @Test
    void spikyNorms_halveTheRate() {
        // one 100 then nine 1s: mean 10.9, sample sd 31.3, cv 2.87 > 2 (growth is < 1 here)
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.1).build();
        s.reportGradientNorm(100);
        for (int i = 0; i < 9; i++) {
            s.reportGradientNorm(1);
        }
        assertThat(s.lastCoefficientOfVariation().orElseThrow()).isCloseTo(Math.sqrt((9 * 9.9 * 9.9 + 89.1 * 89.1) / 9) / 10.9,
                within(1e-9));
        assertThat(s.learningRate()).isCloseTo(0.05, within(1e-15));
    }

    @Test
    void moderateStationaryNoise_keepsTheRate() {
        // alternating 0.6 / 1.4: cv = 0.42 in [0.3, 2], growth 1.17 < 1.25 -> no change, ever
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.1).build();
        for (int i = 0; i < 500; i++) {
            s.reportGradientNorm(i % 2 == 0 ? 0.6 : 1.4);
        }
        assertThat(s.learningRate()).isEqualTo(0.1);
        assertThat(s.windowSize()).isEqualTo(100);
    }

    @Test
    void scaleInvariance_sameDecisionsForNormsTimesAThousand() {
        GradientVarianceAdaptive a = GradientVarianceAdaptive.builder(0.1).build();
        GradientVarianceAdaptive b = GradientVarianceAdaptive.builder(0.1).build();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 300; i++) {
            double n = Math.exp(r.nextGaussian() * (i < 150 ? 0.1 : 1.5));
            a.reportGradientNorm(n);
            b.reportGradientNorm(n * 1000);
            assertThat(b.learningRate()).isEqualTo(a.learningRate());
        }
        assertThat(a.increases() + a.decreases()).isPositive();
    }

    @Test
    void cooldown_delaysTheNextDecision() {
        // increase at report 10 (window cleared); reports 11..25 are cooldown; report 26 decides again
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).cooldown(15).build();
        for (int i = 1; i <= 25; i++) {
            s.reportGradientNorm(1.0);
        }
        assertThat(s.learningRate()).isCloseTo(0.02, within(1e-15));
        s.reportGradientNorm(1.0);
        assertThat(s.learningRate()).isCloseTo(0.04, within(1e-15));
    }

    @Test
    void bounds_capTheRate() {
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).bounds(0.001, 0.03).build();
        for (int i = 0; i < 100; i++) {
            s.reportGradientNorm(1.0);
        }
        assertThat(s.learningRate()).isEqualTo(0.03);
        for (int i = 0; i < 200; i++) {
            s.reportGradientNorm(Math.pow(1.1, i));
        }
        assertThat(s.learningRate()).isEqualTo(0.001);
    }

    @Test
    void emptyWindow_reportsNoStatisticsRatherThanNaN() {
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).build();
        assertThat(s.lastCoefficientOfVariation()).isEmpty();
        assertThat(s.lastGrowth()).isEmpty();
        assertThat(s.windowSize()).isZero();
    }

    @Test
    void zeroGradients_takeNoDecision() {
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).build();
        for (int i = 0; i < 50; i++) {
            s.reportGradientNorm(0);
        }
        assertThat(s.learningRate()).isEqualTo(0.01);
    }

    @Test
    void badInput_isRejected() {
        GradientVarianceAdaptive s = GradientVarianceAdaptive.builder(0.01).build();
        assertThatThrownBy(() -> s.reportGradientNorm(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> s.reportGradientNorm(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> GradientVarianceAdaptive.builder(-0.01)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> GradientVarianceAdaptive.builder(0.01).window(1)).hasMessageContaining("window");
        assertThatThrownBy(() -> GradientVarianceAdaptive.builder(0.01).cvThresholds(0.5, 0.4))
                .hasMessageContaining("highCv");
        assertThatThrownBy(() -> GradientVarianceAdaptive.builder(0.01).decreaseFactor(1.5))
                .hasMessageContaining("decreaseFactor");
        assertThatThrownBy(() -> GradientVarianceAdaptive.builder(0.01).bounds(0.1, 1).build())
                .hasMessageContaining("initial learning rate");
        assertThat(s.learningRate()).isEqualTo(0.01);
    }
}
