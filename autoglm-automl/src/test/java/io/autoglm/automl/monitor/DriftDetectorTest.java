package io.autoglm.automl.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private static double[][] copy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i].clone();
        }
        return c;
    }

    private static double sd(double[][] x, int j) {
        double m = 0;
        for (double[] r : x) {
            m += r[j];
        }
        m /= x.length;
        double s = 0;
        for (double[] r : x) {
            s += (r[j] - m) * (r[j] - m);
        }
        return Math.sqrt(s / x.length);
    }

    private static double[][][] randomHalves(double[][] x, Random rnd) {
        List<double[]> rows = new ArrayList<>(List.of(x));
        java.util.Collections.shuffle(rows, rnd);
        int h = rows.size() / 2;
        return new double[][][] {rows.subList(0, h).toArray(double[][]::new),
            rows.subList(h, rows.size()).toArray(double[][]::new)};
    }

    @Test
    void shiftedAndRescaledFeatures_areFlaggedByName() throws Exception {
        double[][] x = TestData.breastCancer();
        double[][][] halves = randomHalves(x, new Random(1));
        double[][] live = copy(halves[1]);
        double sd0 = sd(x, 0);
        for (double[] r : live) {
            r[0] += 1.0 * sd0;   // shift by one standard deviation
            r[7] *= 3;           // rescale
            r[20] += 0.5 * sd(x, 20) + r[20] * 0.5; // shift and rescale
        }
        List<String> names = new ArrayList<>();
        for (int j = 0; j < x[0].length; j++) {
            names.add("feature_" + j);
        }
        List<MonitorEvent> events = new ArrayList<>();
        DriftDetector d = DriftDetector.builder().featureNames(names).build(halves[0]);
        d.addListener(events::add);
        DriftReport r = d.compare(live);
        assertThat(r.driftedNames()).containsExactlyInAnyOrder("feature_0", "feature_7", "feature_20");
        for (FeatureDrift f : r.drifted()) {
            assertThat(f.kl()).isGreaterThan(0.1);
            assertThat(f.psi()).isGreaterThan(0.1);
        }
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().type()).isEqualTo(MonitorEvent.Type.DATA_DRIFT);
        assertThat(events.getFirst().details()).containsOnlyKeys("feature_0", "feature_7", "feature_20");
        // the unchanged copy is not flagged
        assertThat(d.compare(halves[1]).anyDrift()).isFalse();
    }

    private static double[][] column(double... v) {
        double[][] rows = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            rows[i] = new double[] {v[i]};
        }
        return rows;
    }

    @Test
    void klAndPsi_onTwoQuantileBins_matchHandComputedValues() {
        // Reference 1..10 with 2 bins: one edge at the median, position 0.5 * 9 = 4.5 -> 5 + 0.5 * (6 - 5) = 5.5.
        // Reference counts (5, 5) -> (0.5, 0.5). Live {1,1,2,2,3,3,4,4,9,10} -> counts (8, 2) -> (0.8, 0.2).
        // With eps = 1e-9 the smoothing moves the scores by < 1e-8:
        //   KL  = 0.8 ln(0.8/0.5) + 0.2 ln(0.2/0.5) = 0.8 * 0.4700036 + 0.2 * (-0.9162907) = 0.3760029 - 0.1832581 = 0.1927448
        //   PSI = (0.8-0.5) ln 1.6 + (0.2-0.5) ln 0.4 = 0.3 * (0.4700036 + 0.9162907) = 0.3 * ln 4 = 0.4158883
        DriftDetector d = DriftDetector.builder().bins(2).epsilon(1e-9).build(column(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        FeatureDrift f = d.compare(column(1, 1, 2, 2, 3, 3, 4, 4, 9, 10)).features().getFirst();
        assertThat(f.kl()).isCloseTo(0.1927448, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(f.psi()).isCloseTo(0.4158883, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(f.drifted()).as("KL 0.193 > threshold 0.1").isTrue();
    }

    @Test
    void klAndPsi_withAnEmptyLiveBin_useTheSmoothedProbabilities() {
        // Same reference; every live value in the low bin: counts (10, 0). Default eps = 1e-4, B = 2 bins:
        //   ref  = ((0.5 + 1e-4) / (1 + 2e-4), same) = (0.5, 0.5)
        //   live = (1.0001 / 1.0002, 0.0001 / 1.0002) = (0.99990002, 0.00009998)
        //   KL  = 0.99990002 ln(1.99980004) + 0.00009998 ln(0.00019996)
        //       = 0.99990002 * 0.69304720 + 0.00009998 * (-8.51739321) = 0.69297791 - 0.00085157 = 0.69212634
        //   PSI = 0.49990002 * 0.69304720 + (-0.49990002) * (-8.51739321) = 0.34645430 + 4.25784503 = 4.60429933
        DriftDetector d = DriftDetector.builder().bins(2).build(column(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        FeatureDrift f = d.compare(column(1, 1, 2, 2, 3, 3, 4, 4, 5, 5)).features().getFirst();
        assertThat(f.kl()).isCloseTo(0.69212634, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(f.psi()).isCloseTo(4.60429933, org.assertj.core.data.Offset.offset(1e-7));
    }

    @Test
    void klAndPsi_onACategoricalFeature_matchHandComputedValues() {
        // Categories 0 and 1 plus the "never seen" bin. Reference {0,0,1,1} -> (0.5, 0.5, 0); live {0,0,0,1} ->
        // (0.75, 0.25, 0); the empty third bin is the same on both sides and adds nothing. eps = 1e-9:
        //   KL  = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.75 * 0.4054651 - 0.25 * 0.6931472 = 0.3040988 - 0.1732868 = 0.1308120
        //   PSI = 0.25 ln 1.5 + (-0.25) ln 0.5 = 0.25 * (0.4054651 + 0.6931472) = 0.2746531
        DriftDetector d = DriftDetector.builder().categorical(0).epsilon(1e-9).metric(DriftDetector.Metric.PSI)
                .threshold(0.3).build(column(0, 0, 1, 1));
        FeatureDrift f = d.compare(column(0, 0, 0, 1)).features().getFirst();
        assertThat(f.categorical()).isTrue();
        assertThat(f.kl()).isCloseTo(0.1308120, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(f.psi()).isCloseTo(0.2746531, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(f.drifted()).as("PSI 0.275 < threshold 0.3").isFalse();
    }

    @Test
    void iidSplits_areFlaggedInFewerThanFivePercentOfTrials() throws Exception {
        for (double[][] x : List.of(TestData.breastCancer(), TestData.digits())) {
            Random rnd = new Random(42);
            int flagged = 0;
            double maxKl = 0;
            for (int t = 0; t < 100; t++) {
                double[][][] h = randomHalves(x, rnd);
                DriftReport r = DriftDetector.builder().build(h[0]).compare(h[1]);
                if (r.anyDrift()) {
                    flagged++;
                }
                for (FeatureDrift f : r.features()) {
                    maxKl = Math.max(maxKl, f.kl());
                }
            }
            assertThat(flagged).as("flagged trials of %d features, max KL %s", x[0].length, maxKl).isLessThan(5);
        }
    }

    @Test
    void psiMetric_canBeChosen() throws Exception {
        double[][] x = TestData.breastCancer();
        double[][] live = copy(x);
        for (double[] r : live) {
            r[3] *= 2;
        }
        DriftReport r = DriftDetector.builder().metric(DriftDetector.Metric.PSI).threshold(0.25).build(x)
                .compare(live);
        assertThat(r.driftedNames()).containsExactly("f3");
        assertThat(r.metric()).isEqualTo(DriftDetector.Metric.PSI);
    }

    @Test
    void categoricalFeature_flagsChangedMixAndUnseenCategories() {
        Random rnd = new Random(7);
        double[][] ref = new double[600][2];
        for (int i = 0; i < ref.length; i++) {
            ref[i][0] = i % 3;                 // categories 0, 1, 2 evenly
            ref[i][1] = rnd.nextGaussian();
        }
        double[][] sameMix = new double[300][2];
        double[][] skewed = new double[300][2];
        double[][] unseen = new double[300][2];
        for (int i = 0; i < 300; i++) {
            sameMix[i][0] = (i + 1) % 3;
            skewed[i][0] = i % 10 == 0 ? 1 : 0;   // 90 % category 0
            unseen[i][0] = i % 4 == 0 ? 7 : i % 3; // a quarter in a category never seen
            sameMix[i][1] = skewed[i][1] = unseen[i][1] = rnd.nextGaussian();
        }
        DriftDetector d = DriftDetector.builder().categorical(0).build(ref);
        assertThat(d.compare(sameMix).anyDrift()).isFalse();
        DriftReport r = d.compare(skewed);
        assertThat(r.driftedNames()).containsExactly("f0");
        assertThat(r.features().getFirst().categorical()).isTrue();
        assertThat(d.compare(unseen).driftedNames()).containsExactly("f0");
    }

    @Test
    void badInput_givesClearErrors() {
        double[][] ref = {{1, 2}, {3, 4}, {5, 6}};
        DriftDetector d = DriftDetector.builder().build(ref);
        assertThatThrownBy(() -> d.compare(new double[][] {{1, 2, 3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 features, expected 2");
        assertThatThrownBy(() -> d.compare(new double[0][])).hasMessageContaining("empty");
        assertThatThrownBy(() -> d.compare(new double[][] {{1, Double.NaN}})).hasMessageContaining("NaN");
        assertThatThrownBy(() -> DriftDetector.builder().build(new double[][] {{1, 2}, {3}}))
                .hasMessageContaining("row 1 has 1 features");
        assertThatThrownBy(() -> DriftDetector.builder().threshold(-1)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> DriftDetector.builder().featureNames(List.of("a")).build(ref))
                .hasMessageContaining("featureNames");
        assertThatThrownBy(() -> DriftDetector.builder().categorical(5).build(ref)).hasMessageContaining("5");
    }

    @Test
    void predictionDrift_firesWhenPredictedClassesCollapse() {
        int[] refLabels = new int[1000];
        for (int i = 0; i < refLabels.length; i++) {
            refLabels[i] = i % 10;
        }
        List<MonitorEvent> events = new ArrayList<>();
        PredictionDriftMonitor m = PredictionDriftMonitor.forClasses(refLabels, 200, 0.1);
        m.addListener(events::add);
        for (int i = 0; i < 200; i++) {
            m.observe((i * 7) % 10);
        }
        assertThat(events).isEmpty();
        for (int i = 0; i < 200; i++) {
            m.observe(i % 5 == 0 ? 1 : 3);
        }
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().type()).isEqualTo(MonitorEvent.Type.PREDICTION_DRIFT);
        assertThatThrownBy(() -> m.observe(Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void predictionDrift_onScores() {
        Random rnd = new Random(1);
        double[] ref = new double[2000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = rnd.nextDouble();
        }
        PredictionDriftMonitor m = PredictionDriftMonitor.forScores(ref, 500, 0.1);
        FeatureDrift same = null;
        for (int i = 0; i < 500; i++) {
            same = m.observe(rnd.nextDouble()).orElse(null);
        }
        assertThat(same).isNotNull();
        assertThat(same.drifted()).isFalse();
        FeatureDrift shifted = null;
        for (int i = 0; i < 500; i++) {
            shifted = m.observe(0.5 + rnd.nextDouble() / 2).orElse(null);
        }
        assertThat(shifted.drifted()).isTrue();
    }
}
