package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retraining through the pipeline promotes a candidate only when it wins on the recent hold-out. */
class FeedbackLoopTest {
    static GeneratedData data;
    static List<FeatureRow> rows;
    static double[][] x;
    static boolean[] y;
    static long[] ts;
    static int drift;

    @BeforeAll
    static void features(@TempDir Path dir) throws Exception {
        data = RiskFixtures.small(10, 14_000, 4, 6);
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            RiskFixtures.load(db, data, 0);
            rows = db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        x = RiskFixtures.x(rows);
        y = RiskFixtures.y(data, rows);
        ts = rows.stream().mapToLong(FeatureRow::ts).toArray();
        drift = RiskDemo.firstAtOrAfter(data.transactions(), data.driftTs());
    }

    private static FeedbackLoop.Data window(int from, int holdFrom, int to, boolean[] labels) {
        boolean[] analyst = new boolean[holdFrom - from];
        for (int i = 0; i < analyst.length; i++) {
            analyst[i] = i % 17 == 0;
        }
        return new FeedbackLoop.Data(Arrays.copyOfRange(x, from, holdFrom), Arrays.copyOfRange(labels, from, holdFrom), analyst,
                Arrays.copyOfRange(ts, from, holdFrom), Arrays.copyOfRange(x, holdFrom, to), Arrays.copyOfRange(y, holdFrom, to),
                Arrays.copyOfRange(ts, holdFrom, to));
    }

    @Test
    void candidateTrainedAfterTheDrift_beatsTheOldModel_andIsPromoted() {
        int end = x.length;
        int hold = RiskDemo.firstAtOrAfter(data.transactions(), data.driftTs() + 2 * 86_400L);
        // the current model never saw the wallet channel nor the proxy takeovers
        try (ModelPair current = new ModelPair(BoostedModel.train(Arrays.copyOf(x, drift), Arrays.copyOf(y, drift), null,
                BoostedModel.Params.defaults().withRounds(60), 1, 1), LogisticModel.fit(Arrays.copyOf(x, drift),
                Arrays.copyOf(y, drift), null, 1))) {
            FeedbackLoop loop = new FeedbackLoop(BoostedModel.Params.defaults().withRounds(60), 1, 1, 0.001, 3);
            FeedbackLoop.Outcome o = loop.retrain(() -> window(0, hold, end, y), current);
            try (ModelPair cand = o.candidate()) {
                assertThat(cand.booster().rounds()).isEqualTo(60);
                assertThat(o.candidateAuc()).isGreaterThan(o.currentAuc());
                assertThat(o.promote()).isTrue();
                assertThat(o.holdoutScores()).hasSize(end - hold);
                assertThat(o.reportJson()).contains("\"collect\"").contains("\"weight\"").contains("\"train\"")
                        .contains("\"evaluate\"").contains("SUCCEEDED");
            }
        }
    }

    @Test
    void candidateTrainedOnWrongLabels_losesAndIsNotPromoted() {
        int end = x.length;
        int hold = RiskDemo.firstAtOrAfter(data.transactions(), data.driftTs() + 2 * 86_400L);
        boolean[] shuffled = y.clone();
        java.util.Random r = new java.util.Random(1);
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            boolean t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        try (ModelPair current = new ModelPair(BoostedModel.train(Arrays.copyOf(x, hold), Arrays.copyOf(y, hold), null,
                BoostedModel.Params.defaults().withRounds(60), 1, 1), LogisticModel.fit(Arrays.copyOf(x, hold),
                Arrays.copyOf(y, hold), null, 1))) {
            FeedbackLoop loop = new FeedbackLoop(BoostedModel.Params.defaults().withRounds(60), 1, 1, 0.001, 3);
            FeedbackLoop.Outcome o = loop.retrain(() -> window(0, hold, end, shuffled), current);
            try (ModelPair cand = o.candidate()) {
                assertThat(cand.booster().rounds()).isEqualTo(60);
                assertThat(o.promote()).isFalse();
                assertThat(o.currentAuc()).isGreaterThan(0.9);
                assertThat(o.candidateAuc()).isLessThan(o.currentAuc());
                assertThat(o.currentHoldoutScores()).hasSize(end - hold);
            }
        }
    }

    @Test
    void emptyData_failsThePipeline_withoutACandidate() {
        try (ModelPair current = new ModelPair(BoostedModel.train(Arrays.copyOf(x, 2000), Arrays.copyOf(y, 2000), null,
                BoostedModel.Params.defaults().withRounds(5), 1, 1), LogisticModel.fit(Arrays.copyOf(x, 2000),
                Arrays.copyOf(y, 2000), null, 1))) {
            FeedbackLoop.Outcome o = new FeedbackLoop(BoostedModel.Params.defaults(), 1, 1, 0, 3)
                    .retrain(() -> window(10, 10, 20, y), current);
            assertThat(o.candidate()).isNull();
            assertThat(o.promote()).isFalse();
            assertThat(o.reportJson()).contains("no labelled rows to train or evaluate on");
        }
    }
}
