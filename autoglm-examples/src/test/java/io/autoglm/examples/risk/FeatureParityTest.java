package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch and the online feature paths give identical values, on SQLite and on PostgreSQL. */
class FeatureParityTest {

    @Test
    void onlineFeatures_equalBatchFeatures_onSqlite(@TempDir Path dir) throws Exception {
        checkParity(RiskFixtures.sqlite(dir));
    }

    @Test
    void onlineFeatures_equalBatchFeatures_onPostgres() throws Exception {
        String spec = RiskFixtures.freshPostgres();
        try {
            checkParity(spec);
        } finally {
            RiskFixtures.dropPostgres(spec);
        }
    }

    private static void checkParity(String spec) throws Exception {
        GeneratedData d = RiskFixtures.small(5, 6000, 11, -1);
        try (RiskDatabase db = RiskDatabase.open(spec)) {
            List<Transaction> tail = RiskFixtures.load(db, d, 600);
            List<FeatureRow> before = db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(before).hasSize(d.transactions().size() - 600);
            try (ModelPair m = RiskFixtures.quickModel(d, before);
                    OnlineScorer s = new OnlineScorer(db, m, 1, RuleEngine.builder().build())) {
                Map<Long, FeatureRow> online = new HashMap<>();
                Map<Long, OnlineScorer.Result> results = new HashMap<>();
                for (Transaction t : tail) {
                    OnlineScorer.Result r = s.score(t);
                    online.put(t.txId(), r.features());
                    results.put(t.txId(), r);
                }
                List<FeatureRow> batch = db.batchFeatures(tail.getFirst().ts(), Long.MAX_VALUE);
                assertThat(batch).hasSize(tail.size());
                int nonTrivial = 0;
                for (FeatureRow b : batch) {
                    assertThat(online.get(b.txId())).as("tx %d", b.txId()).isEqualTo(b);
                    if (b.get("tx_24h") > 1 && b.get("amount_vs_median") != 1.0 && b.get("ip_km") > 0) {
                        nonTrivial++;
                    }
                }
                // the online path's Java contributions are XGBoost's within 1e-5, and its scores are the batch scores
                float[][] reference = m.booster().contributions(RiskFixtures.x(batch));
                double[] batchScores = m.booster().scores(RiskFixtures.x(batch));
                for (int i = 0; i < batch.size(); i++) {
                    OnlineScorer.Result r = results.get(batch.get(i).txId());
                    for (int j = 0; j < reference[i].length; j++) {
                        assertThat((double) r.contributions()[j]).as("tx %d feature %d", batch.get(i).txId(), j)
                                .isCloseTo(reference[i][j], org.assertj.core.api.Assertions.within(1e-5));
                    }
                    assertThat(r.decision().score()).isEqualTo(batchScores[i]);
                }
                // the windows really had history to look at
                assertThat(nonTrivial).isGreaterThan(tail.size() / 4);
            }
        }
    }

    @Test
    void onlineFeatures_equalBatchFeatures_atWindowEdges_onSqlite(@TempDir Path dir) throws Exception {
        checkEdges(RiskFixtures.sqlite(dir));
    }

    @Test
    void onlineFeatures_equalBatchFeatures_atWindowEdges_onPostgres() throws Exception {
        String spec = RiskFixtures.freshPostgres();
        try {
            checkEdges(spec);
        } finally {
            RiskFixtures.dropPostgres(spec);
        }
    }

    /**
     * History rows exactly on and one second past each window's edge (1 h, 24 h, 7 d, 30 d), two earlier rows
     * sharing one time, a previous transaction exactly 7 days back and one 7 days and a second back, and a
     * customer's very first transaction: the online query gives the batch query's values for each.
     */
    private static void checkEdges(String spec) throws Exception {
        long h = Features.HOUR;
        long day = Features.DAY;
        long week = Features.WEEK;
        long month = Features.MONTH;
        long t = TransactionGenerator.START_TS + 40 * day;
        List<Transaction> history = List.of(
                edge(1, "u1", t - month - 1, 900_000, "dA", "DE", "EU", 52.5, 13.4),
                edge(2, "u1", t - month, 1000, "dB", "DE", "EU", 52.5, 13.4),
                edge(3, "u1", t - week - 1, 2000, "dC", "FR", "EU", 48.9, 2.35),
                edge(4, "u1", t - week, 3000, "dD", "US", "NA", 40.7, -74.0),
                edge(5, "u1", t - day - 1, 4000, "dE", "DE", "EU", 52.5, 13.4),
                edge(6, "u1", t - day, 5000, "dE", "DE", "EU", 52.5, 13.4),
                edge(7, "u1", t - h - 1, 6000, "dF", "DE", "EU", 52.5, 13.4),
                edge(8, "u1", t - h, 7000, "dF", "DE", "EU", 52.5, 13.4),
                // two rows at the same time (the previous time of the first online payment), the same place
                edge(9, "u1", t - 600, 8000, "dG", "SG", "AS", 1.3, 103.8),
                edge(10, "u1", t - 600, 9000, "dH", "SG", "AS", 1.3, 103.8));
        List<Transaction> online = List.of(
                edge(11, "u1", t, 1500, "dB", "DE", "EU", 52.5, 13.4), // dB last seen exactly 30 d ago
                edge(12, "u1", t + week + 1, 2500, "dZ", "US", "NA", 40.7, -74.0), // previous 7 d + 1 s ago
                edge(13, "u1", t + 2 * week + 1, 3500, "dZ", "SG", "AS", 1.3, 103.8), // previous exactly 7 d ago
                edge(14, "u2", t + 5, 4500, "dY", "FR", "EU", 48.9, 2.35)); // u2's first payment
        try (RiskDatabase db = RiskDatabase.open(spec)) {
            db.createSchema();
            db.insertCustomers(List.of(new Customer("u1", "DE", "EU", 3600), new Customer("u2", "FR", "EU", 3600)));
            db.insertTransactions(history, null, null);
            double[][] x = new double[40][Features.count()];
            boolean[] y = new boolean[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i][Features.AMOUNT] = i;
                y[i] = i % 3 == 0;
            }
            Map<Long, FeatureRow> got = new HashMap<>();
            try (ModelPair m = new ModelPair(BoostedModel.train(x, y, null, BoostedModel.Params.defaults().withRounds(3), 1, 1),
                    LogisticModel.fit(x, y, null, 1.0));
                    OnlineScorer s = new OnlineScorer(db, m, 1, RuleEngine.builder().build())) {
                for (Transaction tx : online) {
                    got.put(tx.txId(), s.score(tx).features());
                }
            }
            List<FeatureRow> batch = db.batchFeatures(t, Long.MAX_VALUE);
            assertThat(batch).extracting(FeatureRow::txId).containsExactly(11L, 14L, 12L, 13L);
            for (FeatureRow b : batch) {
                assertThat(got.get(b.txId())).as("tx %d", b.txId()).isEqualTo(b);
            }
            // the edges really were where they should be
            FeatureRow a = got.get(11L);
            assertThat(a.get("tx_1h")).isEqualTo(4); // t - 1 h, the two at t - 600 and itself
            assertThat(a.get("tx_24h")).isEqualTo(6); // and t - 24 h, not t - 24 h - 1 s
            assertThat(a.get("tx_7d")).isEqualTo(8); // and t - 7 d, not t - 7 d - 1 s
            assertThat(a.get("amt_7d")).isEqualTo(30.0 + 40 + 50 + 60 + 70 + 80 + 90 + 15);
            assertThat(a.get("devices_7d")).isEqualTo(6); // dD dE dF dG dH dB
            assertThat(a.get("countries_7d")).isEqualTo(3); // US DE SG
            assertThat(a.get("new_device")).isEqualTo(0); // dB, exactly 30 d ago
            assertThat(a.get("amount_vs_median")).isEqualTo(1500 / 5000.0); // median of 10..90, not the 9,000 30 d + 1 s ago
            assertThat(a.get("secs_since_last")).isEqualTo(600);
            assertThat(a.get("continent_change")).isEqualTo(1);
            FeatureRow b = got.get(12L);
            assertThat(b.get("secs_since_last")).isEqualTo(week); // the previous one is 1 s too old
            assertThat(b.get("ip_km")).isEqualTo(0.0);
            assertThat(b.get("new_device")).isEqualTo(1);
            FeatureRow c = got.get(13L);
            assertThat(c.get("secs_since_last")).isEqualTo(week); // exactly 7 d: still the previous transaction
            assertThat(c.get("continent_change")).isEqualTo(1);
            assertThat(c.get("ip_km")).isGreaterThan(10_000);
            FeatureRow first = got.get(14L);
            assertThat(first.get("tx_7d")).isEqualTo(1);
            assertThat(first.get("secs_since_last")).isEqualTo(week);
            assertThat(first.get("amount_vs_median")).isEqualTo(1.0);
            assertThat(first.get("new_device")).isEqualTo(1);
        }
    }

    private static Transaction edge(long id, String user, long ts, long cents, String device, String country,
            String continent, double lat, double lon) {
        return new Transaction(id, user, ts, cents, "m1", "retail", "online", country, continent, lat, lon, device);
    }

    @Test
    void batchFeatures_matchHandComputedValues_onSqlite(@TempDir Path dir) throws Exception {
        checkHandComputed(RiskFixtures.sqlite(dir));
    }

    @Test
    void batchFeatures_matchHandComputedValues_onPostgres() throws Exception {
        String spec = RiskFixtures.freshPostgres();
        try {
            checkHandComputed(spec);
        } finally {
            RiskFixtures.dropPostgres(spec);
        }
    }

    private static void checkHandComputed(String spec) throws Exception {
        // one customer, four payments: values worked out by hand from the definitions
        long t0 = TransactionGenerator.START_TS;
        List<Transaction> txs = List.of(
                tx(1, t0, 1000, "d1", "DE", "EU", 52.5, 13.4),
                tx(2, t0 + 1800, 3000, "d1", "DE", "EU", 52.5, 13.4),
                tx(3, t0 + 7200, 2000, "d2", "US", "NA", 40.7, -74.0),
                tx(4, t0 + 8 * 86400, 5000, "d2", "US", "NA", 40.7, -74.0));
        try (RiskDatabase db = RiskDatabase.open(spec)) {
            db.createSchema();
            db.insertCustomers(List.of(new Customer("u1", "DE", "EU", 3600)));
            db.insertTransactions(txs, null, null);
            List<FeatureRow> r = db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(r).hasSize(4);
            FeatureRow a = r.get(0);
            assertThat(a.get("tx_1h")).isEqualTo(1);
            assertThat(a.get("secs_since_last")).isEqualTo(7 * 86400); // no previous transaction: the 7-day cap
            assertThat(a.get("amount_vs_median")).isEqualTo(1.0);
            assertThat(a.get("new_device")).isEqualTo(1);
            assertThat(a.get("local_hour")).isEqualTo(1); // 00:00 UTC is 01:00 at UTC+1
            FeatureRow b = r.get(1);
            assertThat(b.get("tx_1h")).isEqualTo(2);
            assertThat(b.get("amt_1h")).isEqualTo(40.0);
            assertThat(b.get("amount_vs_median")).isEqualTo(3.0);
            assertThat(b.get("new_device")).isEqualTo(0);
            assertThat(b.get("ip_km")).isEqualTo(0.0);
            FeatureRow c = r.get(2);
            assertThat(c.get("tx_1h")).isEqualTo(1); // the first payment is 2 h old
            assertThat(c.get("tx_24h")).isEqualTo(3);
            assertThat(c.get("amt_24h")).isEqualTo(60.0);
            assertThat(c.get("devices_7d")).isEqualTo(2);
            assertThat(c.get("countries_7d")).isEqualTo(2);
            assertThat(c.get("continent_change")).isEqualTo(1);
            assertThat(c.get("ip_km")).isCloseTo(6385, org.assertj.core.data.Offset.offset(15.0)); // Berlin-New York
            assertThat(c.get("amount_vs_median")).isEqualTo(1.0); // median of 10 and 30 is 20
            assertThat(c.get("foreign")).isEqualTo(1);
            assertThat(c.get("secs_since_last")).isEqualTo(5400);
            FeatureRow e = r.get(3);
            assertThat(e.get("tx_7d")).isEqualTo(1); // 8 days later: the others left the week
            assertThat(e.get("amt_7d")).isEqualTo(50.0);
            assertThat(e.get("amount_vs_median")).isEqualTo(2.5); // median of 10, 30, 20 is 20
            assertThat(e.get("new_device")).isEqualTo(0);
            assertThat(e.get("continent_change")).isEqualTo(0);
            assertThat(e.get("secs_since_last")).isEqualTo(7 * 86400); // the previous one is 8 days old
            assertThat(e.get("ip_km")).isEqualTo(0.0);
            assertThat(e.get("channel")).isEqualTo(Features.channelCode("online"));
            assertThat(e.get("category")).isEqualTo(Features.categoryCode("retail"));
        }
    }

    static Transaction tx(long id, long ts, long cents, String device, String country, String continent, double lat,
            double lon) {
        return new Transaction(id, "u1", ts, cents, "m1", "retail", "online", country, continent, lat, lon, device);
    }
}
