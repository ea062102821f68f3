package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerQualityTest {
    static final double BRANIN_MIN = 0.397887;

    static double branin(double x1, double x2) {
        double a = 1;
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double r = 6;
        double s = 10;
        double t = 1 / (8 * Math.PI);
        return a * Math.pow(x2 - b * x1 * x1 + c * x1 - r, 2) + s * (1 - t) * Math.cos(x1) + s;
    }

    static double bestRegret(java.util.function.LongFunction<Sampler> sampler, long seed, int trials) {
        Study study = Study.builder().sampler(sampler.apply(seed)).pruner(Pruners.none().build()).build();
        study.optimize(t -> branin(t.suggestFloat("x1", -5, 10), t.suggestFloat("x2", 0, 15)), trials);
        return study.bestValue() - BRANIN_MIN;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : 0.5 * (s.get(n / 2 - 1) + s.get(n / 2));
    }

    static Sampler random(long seed) {
        return Samplers.random().seed(seed).build();
    }

    @Test
    void univariateTpe_beatsRandomClearlyOnBranin_withFixedSeeds() {
        List<Double> tpe = new ArrayList<>();
        List<Double> rnd = new ArrayList<>();
        for (long seed = 0; seed < 10; seed++) {
            tpe.add(bestRegret(s -> Samplers.tpe().multivariate(false).seed(s).build(), seed, 100));
            rnd.add(bestRegret(SamplerQualityTest::random, seed, 100));
        }
        System.out.printf("branin median regret tpe=%.4f random=%.4f%n", median(tpe), median(rnd));
        assertThat(median(tpe)).isLessThan(median(rnd) / 3);
        long wins = 0;
        for (int i = 0; i < tpe.size(); i++) {
            if (tpe.get(i) < rnd.get(i)) {
                wins++;
            }
        }
        assertThat(wins).isGreaterThanOrEqualTo(7);
    }

    @Test
    void defaultTpe_isMultivariate_andBeatsRandomClearlyOnBranin() {
        assertThat(Samplers.tpe().build().toString()).contains("multivariate=true");
        List<Double> tpe = new ArrayList<>();
        List<Double> rnd = new ArrayList<>();
        for (long seed = 0; seed < 10; seed++) {
            tpe.add(bestRegret(s -> Samplers.tpe().seed(s).build(), seed, 100));
            rnd.add(bestRegret(SamplerQualityTest::random, seed, 100));
        }
        System.out.printf("branin multivariate tpe=%.4f random=%.4f%n", median(tpe), median(rnd));
        assertThat(median(tpe)).isLessThan(median(rnd) / 3);
    }

    @Test
    void gp_findsBraninMinimumRegion_at50Trials() {
        List<Double> gp = new ArrayList<>();
        for (long seed = 0; seed < 3; seed++) {
            gp.add(bestRegret(s -> Samplers.gp().seed(s).build(), seed, 50));
            System.out.printf("gp seed %d regret %.5f%n", seed, gp.get(gp.size() - 1));
        }
        // every run within 0.05 of the global minimum value (one of Branin's three minima)
        assertThat(gp).allSatisfy(r -> assertThat(r).isLessThan(0.05));
    }
}
