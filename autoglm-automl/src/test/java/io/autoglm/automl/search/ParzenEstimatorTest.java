package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParzenEstimatorTest {

    @Test
    void continuousMixture_integratesToOne_andSamplesFollowTheDensity() {
        Distribution d = new Distribution.FloatDistribution(-5, 10, false, null);
        double[][] obs = {{-4.9}, {2.0}, {2.1}, {9.5}};
        ParzenEstimator pe = new ParzenEstimator(List.of(d), obs, new double[] {1, 1, 1, 1}, 1.0, true, false, false);
        int m = 30_000;
        double[][] grid = new double[m][1];
        for (int i = 0; i < m; i++) {
            grid[i][0] = -5 + 15.0 * (i + 0.5) / m;
        }
        double[] lp = pe.logPdf(grid);
        double integral = 0;
        double[] binMass = new double[15];
        for (int i = 0; i < m; i++) {
            double p = Math.exp(lp[i]) * 15.0 / m;
            integral += p;
            binMass[(int) (grid[i][0] + 5)] += p;
        }
        assertThat(integral).isCloseTo(1.0, within(1e-5));
        double[][] s = pe.sample(200_000, new SplittableRandom(1));
        int[] hist = new int[15];
        for (double[] v : s) {
            assertThat(v[0]).isBetween(-5.0, 10.0);
            hist[Math.min(14, (int) (v[0] + 5))]++;
        }
        for (int b = 0; b < 15; b++) {
            assertThat(hist[b] / 200_000.0).isCloseTo(binMass[b], within(0.004));
        }
    }

    @Test
    void multivariateGapWidths_arePerDimensionNeighbourGapsWithoutThePrior() {
        // hand computation, x in [0,10]: sorted 1, 2, 6; the outermost take their inner gap (1 and 4), 2 takes
        // max(1, 4) = 4; magic clip from below at 10/min(100, 1+4) = 2, so 1 -> 2. y in [0,1]: sorted 0.2, 0.5,
        // 0.9 -> 0.3, max(0.3, 0.4) = 0.4, 0.4 (clip 0.2 not active). Prior kernel: centre, width = range.
        List<Distribution> space = List.of(new Distribution.FloatDistribution(0, 10, false, null),
                new Distribution.FloatDistribution(0, 1, false, null));
        double[][] obs = {{6, 0.2}, {1, 0.9}, {2, 0.5}};
        ParzenEstimator pe = new ParzenEstimator(space, obs, new double[] {1, 1, 1}, 1.0, true, false,
                ParzenEstimator.Widths.GAP);
        assertThat(pe.kernelWidths(0)).containsExactly(new double[] {4, 2, 4, 10}, within(1e-12));
        assertThat(pe.kernelWidths(1)).containsExactly(new double[] {0.3, 0.4, 0.4, 1}, within(1e-12));
        // the same estimator built by Optuna 5.0.0's _ParzenEstimator (multivariate) gives these log densities
        double[] lp = pe.logPdf(new double[][] {{3, 0.5}, {9.5, 0.05}});
        assertThat(lp[0]).isCloseTo(-1.93953181, within(1e-7));
        assertThat(lp[1]).isCloseTo(-2.79486873, within(1e-7));

        // Optuna 3.1's univariate rule counts the prior's centre 5 as a neighbour: 2 -> max(1, 3) = 3, 6 -> 6-5 = 1 -> 2
        ParzenEstimator old = new ParzenEstimator(space.subList(0, 1), new double[][] {{6}, {1}, {2}},
                new double[] {1, 1, 1}, 1.0, true, false, ParzenEstimator.Widths.GAP_WITH_PRIOR);
        assertThat(old.kernelWidths(0)).containsExactly(new double[] {2, 2, 3, 10}, within(1e-12));
        // Scott's rule (no magic clip here, it would lift them to 1/5): 0.2 * 3^(-1/(2+4)) * range for every kernel
        ParzenEstimator scott = new ParzenEstimator(space, obs, new double[] {1, 1, 1}, 1.0, false, false,
                ParzenEstimator.Widths.SCOTT);
        double s = 0.2 * Math.pow(3, -1.0 / 6);
        assertThat(scott.kernelWidths(1)).containsExactly(new double[] {s, s, s, 1}, within(1e-12));
    }

    @Test
    void gapWidths_singleObservationUsesBothBounds_andTiesKeepIndexOrder() {
        Distribution d = new Distribution.FloatDistribution(0, 10, false, null);
        // one observation at 3: max(3 - 0, 10 - 3) = 7
        ParzenEstimator one = new ParzenEstimator(List.of(d), new double[][] {{3}}, new double[] {1}, 1.0, false, false,
                ParzenEstimator.Widths.GAP);
        assertThat(one.kernelWidths(0)).containsExactly(new double[] {7, 10}, within(1e-12));
        // 4, 4, 8 without magic clip: first 4 -> inner gap 0 -> EPS, second 4 -> max(0, 4) = 4, 8 -> 4
        ParzenEstimator ties = new ParzenEstimator(List.of(d), new double[][] {{4}, {4}, {8}}, new double[] {1, 1, 1},
                1.0, false, false, ParzenEstimator.Widths.GAP);
        assertThat(ties.kernelWidths(0)).containsExactly(new double[] {ParzenEstimator.EPS, 4, 4, 10}, within(1e-15));
    }

    @Test
    void multivariateBandwidth_needsMultivariateMode() {
        assertThatThrownBy(() -> Samplers.tpe().multivariate(false).multivariateBandwidth(TpeSampler.MultivariateBandwidth.SCOTT)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multivariate(true)");
        assertThat(Samplers.tpe()
                .multivariateBandwidth(TpeSampler.MultivariateBandwidth.SCOTT).build().toString()).contains("SCOTT");
    }

    @Test
    void integerMixture_probabilitiesOfTheIntegersSumToOne() {
        Distribution d = new Distribution.IntDistribution(1, 6, false, 1);
        ParzenEstimator pe = new ParzenEstimator(List.of(d), new double[][] {{2}, {2}, {5}}, new double[] {1, 1, 1}, 1.0,
                true, false, false);
        double total = 0;
        for (double[] p : new double[][] {{1}, {2}, {3}, {4}, {5}, {6}}) {
            total += Math.exp(pe.logPdf(new double[][] {p})[0]);
        }
        assertThat(total).isCloseTo(1.0, within(1e-6));
        assertThat(pe.logPdf(new double[][] {{2}})[0]).isGreaterThan(pe.logPdf(new double[][] {{4}})[0]);
    }

    @Test
    void categoricalKernel_smoothsCountsWithThePrior() {
        Distribution d = new Distribution.CategoricalDistribution(List.of("a", "b", "c"));
        ParzenEstimator pe = new ParzenEstimator(List.of(d), new double[][] {{0}, {0}, {1}}, new double[] {1, 1, 1}, 1.0,
                true, false, false);
        double pa = Math.exp(pe.logPdf(new double[][] {{0}})[0]);
        double pb = Math.exp(pe.logPdf(new double[][] {{1}})[0]);
        double pc = Math.exp(pe.logPdf(new double[][] {{2}})[0]);
        // By hand: 3 observations + the prior, mixture weights 1/4 each. Every kernel starts from
        // priorWeight / (n + 1) = 1/4 per choice; an observation adds 1 to its own choice, then the kernel is
        // normalised: observed "a" -> (1.25, .25, .25) / 1.75 = (5/7, 1/7, 1/7); observed "b" -> (1/7, 5/7, 1/7);
        // the prior -> (1/3, 1/3, 1/3). Mixture: pa = (5/7 + 5/7 + 1/7 + 1/3) / 4 = 10/21,
        // pb = (1/7 + 1/7 + 5/7 + 1/3) / 4 = 7/21, pc = (1/7 + 1/7 + 1/7 + 1/3) / 4 = 4/21.
        assertThat(pa).isCloseTo(10.0 / 21, within(1e-12));
        assertThat(pb).isCloseTo(7.0 / 21, within(1e-12));
        assertThat(pc).isCloseTo(4.0 / 21, within(1e-12));
    }

    @Test
    void optunaDefaults_gammaAndWeights() {
        assertThat(TpeSampler.defaultGamma(1)).isEqualTo(1);
        assertThat(TpeSampler.defaultGamma(100)).isEqualTo(10);
        assertThat(TpeSampler.defaultGamma(1000)).isEqualTo(25);
        assertThat(TpeSampler.defaultWeights(10)).containsOnly(1.0);
        double[] w = TpeSampler.defaultWeights(35);
        assertThat(w).hasSize(35);
        assertThat(w[0]).isCloseTo(1.0 / 35, within(1e-12));
        assertThat(w[9]).isCloseTo(1.0, within(1e-12));
        assertThat(w[5]).isBetween(w[4], w[6]);
        for (int i = 10; i < 35; i++) {
            assertThat(w[i]).isEqualTo(1.0);
        }
    }

    @Test
    void normalHelpers_areAccurateInTheTails() {
        assertThat(Normal.cdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Normal.cdf(-3)).isCloseTo(0.0013498980316301, within(1e-9));
        assertThat(Normal.quantile(0.975)).isCloseTo(1.959963984540054, within(1e-6));
        assertThat(Normal.quantile(Normal.cdf(-6))).isCloseTo(-6, within(1e-6));
        assertThat(Normal.logMass(-40, -6)).isCloseTo(Math.log(9.865876450377e-10), within(1e-5));
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            assertThat(Normal.truncated(4, 5, rng)).isBetween(4.0, 5.0);
            assertThat(Normal.truncated(-9, -8.5, rng)).isBetween(-9.0, -8.5);
        }
    }
}
