package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.autoglm.automl.cv.Fold;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XGBoost (native library, contributions, persistence), the logistic baseline and the tuning on real features. */
class ModelsTest {
    static GeneratedData data;
    static List<FeatureRow> rows;
    static double[][] x;
    static boolean[] y;
    static long[] ts;

    @BeforeAll
    static void features(@TempDir Path dir) throws Exception {
        data = RiskFixtures.small(8, 12_000, 21, -1);
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            RiskFixtures.load(db, data, 0);
            rows = db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        x = RiskFixtures.x(rows);
        y = RiskFixtures.y(data, rows);
        ts = rows.stream().mapToLong(FeatureRow::ts).toArray();
    }

    private static int split() {
        return ModelTuning.timeOrderedFolds(ts, 3).getLast().trainSize();
    }

    @Test
    void xgboost_loadsItsNativeLibrary_andSeparatesHeldOutDays() {
        int cut = split(); // the last quarter of the days is held out
        try (BoostedModel m = BoostedModel.train(Arrays.copyOf(x, cut), Arrays.copyOf(y, cut), null,
                BoostedModel.Params.defaults(), 1, 1)) {
            double[] p = m.predict(Arrays.copyOfRange(x, cut, x.length));
            double auc = Metrics.auc(p, Arrays.copyOfRange(y, cut, y.length));
            assertThat(auc).isGreaterThan(0.93);
            assertThat(m.rounds()).isEqualTo(150);
        }
    }

    @Test
    void contributions_addUpToTheMargin_andRoundTripThroughBytes() {
        try (BoostedModel m = BoostedModel.train(x, y, null, BoostedModel.Params.defaults().withRounds(40), 1, 1)) {
            double[][] some = Arrays.copyOf(x, 500);
            float[][] c = m.contributions(some);
            double[] p = m.predict(some);
            double[] s = m.scores(some);
            assertThat(c[0]).hasSize(Features.count() + 1);
            for (int i = 0; i < some.length; i++) {
                assertThat(BoostedModel.probability(c[i])).isCloseTo(p[i], within(1e-5));
                assertThat(s[i]).isCloseTo(BoostedModel.probability(c[i]), within(1e-6)).isEqualTo(m.score(some[i]));
            }
            // a feature the model never split on contributes nothing: local_hour is 1 for every row here
            try (BoostedModel back = BoostedModel.fromBytes(m.toBytes())) {
                assertThat(back.scores(some)).containsExactly(s);
            }
        }
        assertThatThrownBy(() -> BoostedModel.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an XGBoost model");
    }

    @Test
    void closedModel_refusesWork() {
        BoostedModel m = BoostedModel.train(x, y, null, BoostedModel.Params.defaults().withRounds(5), 1, 1);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.predict(x)).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
    }

    @Test
    void logisticBaseline_learns_andRoundTripsThroughJson() {
        int cut = split();
        LogisticModel l = LogisticModel.fit(Arrays.copyOf(x, cut), Arrays.copyOf(y, cut), null, 1.0);
        double[] p = l.predict(Arrays.copyOfRange(x, cut, x.length));
        assertThat(Metrics.auc(p, Arrays.copyOfRange(y, cut, y.length))).isGreaterThan(0.85);
        LogisticModel back = LogisticModel.fromJson(l.toJson());
        assertThat(back.predict(x[7])).isEqualTo(l.predict(x[7]));
        assertThatThrownBy(() -> LogisticModel.fromJson("{\"mean\":[1]}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timeOrderedFolds_neverTrainOnTheFuture() {
        List<Fold> folds = ModelTuning.timeOrderedFolds(ts, 3);
        assertThat(folds).hasSize(3);
        int prevTrain = 0;
        for (Fold f : folds) {
            int[] tr = f.train();
            int[] te = f.test();
            assertThat(ts[tr[tr.length - 1]]).isLessThanOrEqualTo(ts[te[0]]);
            assertThat(tr[0]).isZero();
            assertThat(te[0]).isEqualTo(tr[tr.length - 1] + 1);
            assertThat(f.trainSize()).isGreaterThan(prevTrain); // expanding window
            prevTrain = f.trainSize();
        }
        assertThat(folds.getLast().test()[folds.getLast().testSize() - 1]).isEqualTo(ts.length - 1);
        assertThatThrownBy(() -> ModelTuning.timeOrderedFolds(new long[] {3, 2, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
            16, 17, 18, 19, 20}, 1)).hasMessageContaining("ts must be ascending");
    }

    @Test
    void tuning_withTpeAndAsha_prunesTrials_andFindsAGoodModel() {
        int cut = split();
        ModelTuning.Result r = ModelTuning.builder().trials(8).maxRounds(60).evalEvery(10).seed(3).build()
                .tune(Arrays.copyOf(x, cut), Arrays.copyOf(y, cut), Arrays.copyOf(ts, cut), null);
        assertThat(r.trials()).hasSize(8);
        assertThat(r.pruned()).isGreaterThan(0);
        assertThat(r.complete() + r.pruned()).isEqualTo(8);
        assertThat(r.bestAuc()).isGreaterThan(0.85);
        assertThat(r.best().rounds()).isEqualTo(60);
        assertThat(r.trials()).allMatch(t -> t.params().containsKey("eta") && t.params().containsKey("max_depth"));
    }
}
