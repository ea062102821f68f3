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
