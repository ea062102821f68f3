package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrunersTest {

    /** Completes one trial per constant curve value, reporting steps 0..steps-1. */
    private static Study withCompletedCurves(Pruner pruner, StudyDirection dir, double[] levels, int steps) {
        Study s = Study.builder().direction(dir).pruner(pruner).sampler(Samplers.random().seed(1).build()).build();
        for (double level : levels) {
            Trial t = s.ask();
            for (int step = 0; step < steps; step++) {
                t.report(level, step);
            }
            s.tell(t, level);
        }
        return s;
    }

    private static boolean prunesAt(Study s, double value, int step) {
        Trial t = s.ask();
        for (int i = 0; i <= step; i++) {
            t.report(value, i);
        }
        boolean p = t.shouldPrune();
        s.tell(t, TrialState.PRUNED);
        return p;
    }

    @Test
    void median_prunesWorseThanMedian_respectingStartupWarmupAndInterval() {
        double[] levels = {0, 1, 2, 3, 4};
        Study s = withCompletedCurves(Pruners.median().nStartupTrials(5).build(), StudyDirection.MINIMIZE, levels, 10);
        assertThat(prunesAt(s, 2.5, 3)).isTrue();
        assertThat(prunesAt(s, 1.5, 3)).isFalse();
        Study startup = withCompletedCurves(Pruners.median().nStartupTrials(6).build(), StudyDirection.MINIMIZE, levels, 10);
        assertThat(prunesAt(startup, 100, 3)).isFalse();
        Study warm = withCompletedCurves(Pruners.median().nWarmupSteps(4).build(), StudyDirection.MINIMIZE, levels, 10);
        assertThat(prunesAt(warm, 100, 3)).isFalse();
        assertThat(prunesAt(warm, 100, 4)).isTrue();
        Study interval = withCompletedCurves(Pruners.median().intervalSteps(3).build(), StudyDirection.MINIMIZE, levels, 10);
        assertThat(prunesAt(interval, 100, 3)).isTrue();
        Trial t = interval.ask();
        t.report(100, 3);
        t.report(100, 4); // 4 is not a pruning step (interval 3 from warm-up 0), and 3 was already checked
        assertThat(t.shouldPrune()).isFalse();
        t.report(100, 6);
        assertThat(t.shouldPrune()).isTrue();
    }

    @Test
    void median_usesBestIntermediateValueOfTheTrial_andFlipsForMaximize() {
        Study s = withCompletedCurves(Pruners.median().build(), StudyDirection.MINIMIZE, new double[] {0, 1, 2, 3, 4}, 5);
        Trial t = s.ask();
        t.report(0.5, 0);
        t.report(9, 1); // best so far is still 0.5
        assertThat(t.shouldPrune()).isFalse();
        Study max = withCompletedCurves(Pruners.median().build(), StudyDirection.MAXIMIZE, new double[] {0, 1, 2, 3, 4}, 5);
        assertThat(prunesAt(max, 1.5, 2)).isTrue();
        assertThat(prunesAt(max, 2.5, 2)).isFalse();
    }

    @Test
    void percentile_25th_isStricterThanMedian() {
        Study s = withCompletedCurves(Pruners.percentile().percentile(25).nStartupTrials(5).build(), StudyDirection.MINIMIZE,
                new double[] {0, 1, 2, 3, 4}, 5);
        assertThat(prunesAt(s, 1.5, 2)).isTrue();
        assertThat(prunesAt(s, 0.5, 2)).isFalse();
        assertThatThrownBy(() -> Pruners.percentile().percentile(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("101");
    }

    @Test
    void threshold_prunesOutsideBounds_andNonFiniteReports() {
        Study s = Study.builder().pruner(Pruners.threshold().lower(0).upper(10).nWarmupSteps(2).build())
                .sampler(Samplers.random().build()).build();
        Trial t = s.ask();
        t.report(50, 0);
        assertThat(t.shouldPrune()).as("warm-up").isFalse();
        t.report(50, 2);
        assertThat(t.shouldPrune()).isTrue();
        Trial u = s.ask();
        u.report(5, 2);
        assertThat(u.shouldPrune()).isFalse();
        u.report(Double.NaN, 3);
        assertThat(u.shouldPrune()).isTrue();
        assertThatThrownBy(() -> Pruners.threshold().lower(2).upper(1).build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void successiveHalving_promotesOnlyTheTopFractionAtEachRung() {
        Pruner sha = Pruners.successiveHalving().minResource(1).reductionFactor(2).build();
        Study s = Study.builder().pruner(sha).sampler(Samplers.random().build()).build();
        double[] firsts = {4, 3, 2, 1};
        for (double v : firsts) {
            Trial t = s.ask();
            t.report(v, 1);
            t.shouldPrune();
            s.tell(t, v);
        }
        // rung 0 at step 1 now holds {4,3,2,1,x}: top half means x <= 2nd best (=2)
        assertThat(prunesAt(s, 3.5, 1)).isTrue();
        assertThat(prunesAt(s, 1.5, 1)).isFalse();
        Trial early = s.ask();
        early.report(100, 0);
        assertThat(early.shouldPrune()).as("before the first rung").isFalse();
        assertThatThrownBy(() -> Pruners.successiveHalving().minResource(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pruners.hyperband().minResource(1).maxResource(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pruneRequest_thenReturn_endsTrialPruned() {
        Study s = withCompletedCurves(Pruners.median().nStartupTrials(1).build(), StudyDirection.MINIMIZE, new double[] {0}, 3);
        s.optimize(t -> {
            t.report(10, 0);
            if (t.shouldPrune()) {
                return 10; // returning after a prune request still ends PRUNED
            }
            return 0;
        }, 1);
        s.optimize(t -> {
            t.report(10, 0);
            if (t.shouldPrune()) {
                throw new TrialPrunedException();
            }
            return 0;
        }, 1);
        assertThat(s.trials().subList(1, 3)).allSatisfy(t -> assertThat(t.state()).isEqualTo(TrialState.PRUNED));
    }

    // ---- learning-curve family ---------------------------------------------------------------

    static final int MAX_STEPS = 81;

    /** A noisy-free learning curve: decays from 1 towards a final loss set by "q", at a speed set by "tau". */
    static double curve(double q, double tau, int step) {
        double fin = 0.1 + (q - 0.3) * (q - 0.3);
        return fin + (1 - fin) * Math.exp(-(step + 1) / tau);
    }

    record Outcome(long steps, double bestFinal) {
    }

    static Outcome run(Pruner pruner, int trials, long seed) {
        Study s = Study.builder().pruner(pruner).sampler(Samplers.random().seed(seed).build()).build();
        long[] steps = {0};
        s.optimize(t -> {
            double q = t.suggestFloat("q", 0, 1);
            double tau = t.suggestFloat("tau", 2, 10);
            double v = 0;
            for (int step = 0; step < MAX_STEPS; step++) {
                v = curve(q, tau, step);
                steps[0]++;
                t.report(v, step);
                if (t.shouldPrune()) {
                    throw new TrialPrunedException();
                }
            }
            return v;
        }, trials);
        double best = s.trials(EnumSet.of(TrialState.COMPLETE)).stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
        return new Outcome(steps[0], best);
    }

    @Test
    void ashaAndHyperband_cutReportedStepsThreeTimes_keepingBestFinalWithin5Percent() {
        for (long seed : List.of(1L, 2L, 3L, 4L, 5L)) {
            Outcome full = run(Pruners.none().build(), 60, seed);
            Outcome asha = run(Pruners.successiveHalving().minResource(3).reductionFactor(3).build(), 60, seed);
            Outcome hb = run(Pruners.hyperband().minResource(1).maxResource(MAX_STEPS).reductionFactor(3).build(), 60, seed);
            System.out.printf("seed %d: none %d steps best %.4f | asha %d steps best %.4f | hyperband %d steps best %.4f%n",
                    seed, full.steps(), full.bestFinal(), asha.steps(), asha.bestFinal(), hb.steps(), hb.bestFinal());
            assertThat(full.steps()).isEqualTo(60L * MAX_STEPS);
            assertThat(asha.steps() * 3).isLessThanOrEqualTo(full.steps());
            assertThat(hb.steps() * 3).isLessThanOrEqualTo(full.steps());
            assertThat(asha.bestFinal()).isLessThanOrEqualTo(full.bestFinal() * 1.05);
            assertThat(hb.bestFinal()).isLessThanOrEqualTo(full.bestFinal() * 1.05);
        }
    }
}
