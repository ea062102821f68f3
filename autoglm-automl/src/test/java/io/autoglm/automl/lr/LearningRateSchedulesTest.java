package io.autoglm.automl.lr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LearningRateSchedulesTest {

    /** Reads the rate, then steps, {@code n} times. */
    private static double[] run(LearningRateSchedule s, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.learningRate();
            s.step();
        }
        return out;
    }

    @Test
    void constant_staysPut() {
        assertThat(run(LearningRateSchedules.constant(0.1), 4)).containsExactly(0.1, 0.1, 0.1, 0.1);
    }

    @Test
    void step_decaysByGammaEveryStepSize() {
        // lr_t = 1 * 0.5^floor(t/2)
        assertThat(run(LearningRateSchedules.step(1.0, 2, 0.5), 6)).containsExactly(1, 1, 0.5, 0.5, 0.25, 0.25);
    }

    @Test
    void exponential_decaysEveryStep() {
        assertThat(run(LearningRateSchedules.exponential(1.0, 0.5), 4)).containsExactly(1, 0.5, 0.25, 0.125);
    }

    @Test
    void cosineWarmRestarts_followsSgdrWithGrowingCycles() {
        // t0 = 2, tMult = 2: cycle 1 has tCur 0,1 of tI 2; cycle 2 tCur 0..3 of tI 4; then tI 8.
        // lr = (1 + cos(pi tCur / tI)) / 2 with etaMin 0 and base 1.
        double c = Math.cos(Math.PI / 4);
        double[] expected = {1, 0.5, 1, (1 + c) / 2, 0.5, (1 - c) / 2, 1, (1 + Math.cos(Math.PI / 8)) / 2};
        assertThat(run(LearningRateSchedules.cosineWarmRestarts(1.0, 2, 2, 0), 8)).containsExactly(expected,
                within(1e-12));
    }

    @Test
    void cosineWarmRestarts_withEtaMin_staysAboveIt() {
        // base 1, etaMin 0.2, t0 2: tCur 1 -> 0.2 + 0.8 * 0.5 = 0.6
        assertThat(run(LearningRateSchedules.cosineWarmRestarts(1.0, 2, 1, 0.2), 4)).containsExactly(
                new double[] {1, 0.6, 1, 0.6}, within(1e-12));
    }

    @Test
    void warmup_rampsLinearlyThenHandsOver() {
        // start factor 0.2 over 4 steps: 0.2, 0.4, 0.6, 0.8, then the inner constant 1.0
        assertThat(run(LearningRateSchedules.warmup(LearningRateSchedules.constant(1.0), 4, 0.2), 6))
                .containsExactly(new double[] {0.2, 0.4, 0.6, 0.8, 1, 1}, within(1e-12));
    }

    @Test
    void warmup_inFrontOfStep_startsInnerAtItsStepZero() {
        // warm-up 2 steps from 0: 0, 0.5; then step(1, 2, 0.5) from its t=0: 1, 1, 0.5, 0.5, 0.25
        assertThat(run(LearningRateSchedules.warmup(LearningRateSchedules.step(1.0, 2, 0.5), 2, 0.0), 7))
                .containsExactly(new double[] {0, 0.5, 1, 1, 0.5, 0.5, 0.25}, within(1e-12));
    }

    @Test
    void oneCycle_matchesTheTwoPhaseCosinePolicy() {
        // maxLr 1, total 10, pctStart 0.3, div 25, finalDiv 1e4: initial 0.04, min 4e-6.
        // phase 1 ends at step 0.3*10-1 = 2, phase 2 at step 9.
        // anneal(a, b, p) = b + (a - b)/2 (1 + cos(pi p))
        double min = 0.04 / 1e4;
        double[] expected = new double[12];
        expected[0] = 0.04;
        expected[1] = 1 + (0.04 - 1) / 2 * (1 + Math.cos(Math.PI * 0.5)); // 0.52
        expected[2] = 1;
        for (int t = 3; t <= 9; t++) {
            double p = (t - 2) / 7.0;
            expected[t] = min + (1 - min) / 2 * (1 + Math.cos(Math.PI * p));
        }
        expected[10] = min; // held after the end
        expected[11] = min;
        double[] got = run(LearningRateSchedules.oneCycle(1.0, 10), 12);
        assertThat(got).containsExactly(expected, within(1e-12));
        assertThat(got[1]).isCloseTo(0.52, within(1e-12));
        assertThat(got[9]).isCloseTo(4e-6, within(1e-15));
    }

    @Test
    void scale_multipliesFutureRatesKeepingPosition() {
        LearningRateSchedule s = LearningRateSchedules.step(1.0, 2, 0.5);
        s.step();
        s.step();
        s.scale(0.1);
        assertThat(s.learningRate()).isCloseTo(0.05, within(1e-15));
    }

    static List<Supplier<LearningRateSchedule>> all() {
        return List.of(
                () -> LearningRateSchedules.constant(0.1),
                () -> LearningRateSchedules.step(0.1, 3, 0.5),
                () -> LearningRateSchedules.exponential(0.1, 0.9),
                () -> LearningRateSchedules.cosineWarmRestarts(0.1, 4, 2, 0.001),
                () -> LearningRateSchedules.warmup(LearningRateSchedules.cosineWarmRestarts(0.1, 4, 2, 0), 3, 0.1),
                () -> LearningRateSchedules.oneCycle(0.1, 30),
                () -> ReduceLROnPlateau.builder(0.1).patience(1).build(),
                () -> GradientVarianceAdaptive.builder(0.1).minSamples(4).window(8).build());
    }

    private static void drive(LearningRateSchedule s, int from, int to, List<Double> out) {
        for (int i = from; i < to; i++) {
            out.add(s.learningRate());
            s.reportGradientNorm(1 + (i % 3) * 0.01 * i);
            s.step();
            if (i % 2 == 1) {
                s.reportMetric(1.0 + (i % 5) * 0.1);
            }
        }
    }

    @Test
    void everySchedule_resumedFromJson_continuesExactlyLikeTheOriginal() {
        for (Supplier<LearningRateSchedule> f : all()) {
            LearningRateSchedule original = f.get();
            List<Double> a = new ArrayList<>();
            drive(original, 0, 9, a);
            String json = LearningRateSchedules.toJson(original);
            LearningRateSchedule resumed = f.get();
            LearningRateSchedules.loadJson(resumed, json);
            List<Double> b = new ArrayList<>(a);
            drive(original, 9, 25, a);
            drive(resumed, 9, 25, b);
            assertThat(b).as(original.type() + " state " + json).isEqualTo(a);
            assertThat(resumed.stepCount()).isEqualTo(original.stepCount());
        }
    }

    @Test
    void loadState_ofAnotherType_isRejected() {
        String json = LearningRateSchedules.toJson(LearningRateSchedules.constant(0.1));
        assertThatThrownBy(() -> LearningRateSchedules.loadJson(LearningRateSchedules.step(0.1, 2, 0.5), json))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("constant")
                .hasMessageContaining("step");
        assertThatThrownBy(() -> LearningRateSchedules.loadJson(LearningRateSchedules.constant(0.1), "{not json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
    }

    @Test
    void badArguments_areRejectedNamingParameterAndValue() {
        assertThatThrownBy(() -> LearningRateSchedules.constant(-0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learning rate").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> LearningRateSchedules.constant(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LearningRateSchedules.step(0.1, 0, 0.5)).hasMessageContaining("stepSize");
        assertThatThrownBy(() -> LearningRateSchedules.exponential(0.1, -1)).hasMessageContaining("gamma");
        assertThatThrownBy(() -> LearningRateSchedules.cosineWarmRestarts(0.1, 10, 1, 0.5))
                .hasMessageContaining("etaMin");
        assertThatThrownBy(() -> LearningRateSchedules.warmup(LearningRateSchedules.constant(1), 5, 1.5))
                .hasMessageContaining("startFactor");
        assertThatThrownBy(() -> LearningRateSchedules.oneCycle(0.1, 1)).hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> LearningRateSchedules.constant(0.1).scale(-2)).hasMessageContaining("factor");
    }

    @Test
    void nanSignals_areErrorsNotSilentNaNs() {
        for (Supplier<LearningRateSchedule> f : all()) {
            LearningRateSchedule s = f.get();
            assertThatThrownBy(() -> s.reportMetric(Double.NaN)).as(s.type())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            assertThatThrownBy(() -> s.reportGradientNorm(Double.NaN)).as(s.type())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            assertThatThrownBy(() -> s.reportGradientNorm(Double.POSITIVE_INFINITY)).as(s.type())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.reportGradientNorm(-1)).as(s.type())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(s.learningRate()).as(s.type()).isFinite();
        }
    }
}
