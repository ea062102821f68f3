package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java TreeSHAP of the online path against XGBoost's own {@code predictContrib} on real feature rows. */
class TreeShapTest {
    static double[][] x;
    static boolean[] y;

    @BeforeAll
    static void features(@TempDir Path dir) throws Exception {
        GeneratedData data = RiskFixtures.small(8, 6_000, 33, -1);
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            RiskFixtures.load(db, data, 0);
            List<FeatureRow> rows = db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE);
            x = RiskFixtures.x(rows);
            y = RiskFixtures.y(data, rows);
        }
    }

    private static void assertMatchesXgboost(BoostedModel m, double[][] rows) {
        float[][] reference = m.contributions(rows);
        double worst = 0;
        for (int i = 0; i < rows.length; i++) {
            float[] mine = m.contributions(rows[i]);
            assertThat(mine).hasSize(reference[i].length);
            for (int j = 0; j < mine.length; j++) {
                double diff = Math.abs(mine[j] - reference[i][j]);
                worst = Math.max(worst, diff);
                if (diff > 1e-5) {
                    throw new AssertionError("row " + i + " feature " + j + ": java " + mine[j] + ", xgboost "
                            + reference[i][j]);
                }
            }
        }
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void contributions_matchXgboostPredictContrib_onEveryRow_forTheTunedDepths() {
        for (int depth : new int[] {2, 4}) {
            var p = new BoostedModel.Params(0.12, depth, 1, 0.9, 0.9, 1, 120);
            try (BoostedModel m = BoostedModel.train(x, y, null, p, 7, 1)) {
                assertMatchesXgboost(m, x);
            }
        }
    }

    @Test
    void leafTables_giveTheRecursionsValues_andAreLeftOut_whenLargerThanAllowed() {
        for (int depth : new int[] {2, 4, 6}) {
            var p = new BoostedModel.Params(0.12, depth, 1, 0.9, 0.9, 1, 150);
            try (BoostedModel m = BoostedModel.train(x, y, null, p, 5, 1)) {
                byte[] json = m.toJson();
                TreeShap tables = TreeShap.fromJson(json, Features.count());
                TreeShap recursion = TreeShap.fromJson(json, Features.count(), 0);
                assertThat(tables.usesTables()).as("depth %d", depth).isTrue();
                assertThat(recursion.usesTables()).isFalse();
                assertThat(TreeShap.fromJson(json, Features.count(), 1000).usesTables()).isFalse(); // too large
                for (int i = 0; i < x.length; i += 3) {
                    double[] row = x[i].clone();
                    if (i % 2 == 0) {
                        row[i % row.length] = Double.NaN; // missing values follow the default direction
                    }
                    float[] a = tables.contributions(row);
                    float[] b = recursion.contributions(row);
                    for (int j = 0; j < a.length; j++) {
                        assertThat((double) a[j]).as("depth %d row %d feature %d", depth, i, j)
                                .isCloseTo(b[j], org.assertj.core.api.Assertions.within(1e-6));
                    }
                }
            }
        }
    }

    @Test
    void contributions_matchXgboost_forDeepTrees_afterASaveAndLoad_andWithMissingValues() {
        try (BoostedModel trained = BoostedModel.train(x, y, null, BoostedModel.Params.defaults().withRounds(80), 3, 1);
                BoostedModel m = BoostedModel.fromBytes(trained.toBytes())) {
            double[][] some = Arrays.copyOf(x, 1500);
            assertMatchesXgboost(m, some);
            // NaN is XGBoost's missing value: every split sends it the tree's default way
            double[][] holes = new double[200][];
            for (int i = 0; i < holes.length; i++) {
                holes[i] = x[i * 7].clone();
                holes[i][i % holes[i].length] = Double.NaN;
                holes[i][(i * 5 + 3) % holes[i].length] = Double.NaN;
            }
            assertMatchesXgboost(m, holes);
            // and the sum is the margin XGBoost predicts
            double[] p = m.predict(some);
            for (int i = 0; i < some.length; i++) {
                assertThat(BoostedModel.probability(m.contributions(some[i]))).isCloseTo(p[i],
                        org.assertj.core.api.Assertions.within(1e-5));
            }
        }
    }

    @Test
    void contributions_areTheShapleyValuesOfTheTreesConditionalExpectation_byBruteForce() {
        // an oracle independent of XGBoost's algorithm: the Shapley formula over all subsets of the features the
        // trees use, with v(S) = the cover-weighted expectation of the trees given the features in S
        var p = new BoostedModel.Params(0.3, 3, 1, 1, 1, 1, 4);
        try (BoostedModel m = BoostedModel.train(x, y, null, p, 5, 1)) {
            var model = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();
            com.fasterxml.jackson.databind.JsonNode trees;
            try {
                trees = model.readTree(new String(m.toJson(), StandardCharsets.UTF_8)).path("learner")
                        .path("gradient_booster").path("model").path("trees");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            int[] used = trees.findValues("split_indices").stream().flatMap(a -> {
                java.util.List<Integer> l = new java.util.ArrayList<>();
                a.forEach(v -> l.add(v.asInt()));
                return l.stream();
            }).mapToInt(Integer::intValue).distinct().sorted().toArray();
            assertThat(used.length).isBetween(2, 14);
            for (int r = 0; r < 5; r++) {
                double[] row = x[r * 997];
                float[] mine = m.contributions(row);
                double[] brute = new double[Features.count()];
                int n = used.length;
                long[] fact = new long[n + 1];
                fact[0] = 1;
                for (int i = 1; i <= n; i++) {
                    fact[i] = fact[i - 1] * i;
                }
                for (int mask = 0; mask < (1 << n); mask++) {
                    double v = value(trees, row, used, mask);
                    int size = Integer.bitCount(mask);
                    for (int k = 0; k < n; k++) {
                        if ((mask & (1 << k)) == 0) {
                            double gain = value(trees, row, used, mask | (1 << k)) - v;
                            brute[used[k]] += gain * fact[size] * fact[n - size - 1] / fact[n];
                        }
                    }
                }
                for (int j = 0; j < brute.length; j++) {
                    assertThat((double) mine[j]).as("row %d feature %d", r, j)
                            .isCloseTo(brute[j], org.assertj.core.api.Assertions.within(1e-5));
                }
            }
        }
    }

    private static double value(com.fasterxml.jackson.databind.JsonNode trees, double[] row, int[] used, int mask) {
        double sum = 0;
        for (var t : trees) {
            sum += expect(t, 0, row, used, mask);
        }
        return sum;
    }

    private static double expect(com.fasterxml.jackson.databind.JsonNode t, int node, double[] row, int[] used, int mask) {
        int l = t.path("left_children").get(node).asInt();
        if (l < 0) {
            return (float) t.path("split_conditions").get(node).asDouble();
        }
        int r = t.path("right_children").get(node).asInt();
        int f = t.path("split_indices").get(node).asInt();
        int k = Arrays.binarySearch(used, f);
        if ((mask & (1 << k)) != 0) {
            return (float) row[f] < (float) t.path("split_conditions").get(node).asDouble() ? expect(t, l, row, used, mask)
                    : expect(t, r, row, used, mask);
        }
        double cl = (float) t.path("sum_hessian").get(l).asDouble();
        double cr = (float) t.path("sum_hessian").get(r).asDouble();
        return (cl * expect(t, l, row, used, mask) + cr * expect(t, r, row, used, mask)) / (cl + cr);
    }

    @Test
    void badRowsAndModels_areRefusedWithClearMessages() {
        try (BoostedModel m = BoostedModel.train(Arrays.copyOf(x, 2000), Arrays.copyOf(y, 2000), null,
                BoostedModel.Params.defaults().withRounds(5), 1, 1)) {
            assertThatThrownBy(() -> m.contributions(new double[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("row must have 18 features, had 3");
        }
        assertThatThrownBy(() -> TreeShap.fromJson("{".getBytes(StandardCharsets.UTF_8), 18))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the booster's JSON model does not parse");
        assertThatThrownBy(() -> TreeShap.fromJson("{\"learner\":{\"gradient_booster\":{\"name\":\"gblinear\"}}}"
                .getBytes(StandardCharsets.UTF_8), 18)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TreeShap needs a gbtree booster, was 'gblinear'");
    }
}
