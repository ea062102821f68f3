package io.autoglm.examples.risk;

import io.autoglm.testing.fixtures.Fixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/** Small generated data sets, databases and models for the risk tests. */
final class RiskFixtures {
    private RiskFixtures() {
    }

    /** @return a sqlite: spec in the folder */
    static String sqlite(Path dir) {
        return "sqlite:" + dir.resolve("risk.db");
    }

    /**
     * @return the spec of a fresh PostgreSQL schema ({@code AUTOGLM_TEST_PG_URL}); a missing server is a fixture
     *     (failed under CI=true, reported and skipped elsewhere)
     */
    static String freshPostgres() throws Exception {
        String url = System.getenv("AUTOGLM_TEST_PG_URL");
        Fixtures.require(url != null && !url.isBlank(), "PostgreSQL (AUTOGLM_TEST_PG_URL)",
                "run '. .ci/setup-postgres.sh' to start a local PostgreSQL and export AUTOGLM_TEST_PG_URL");
        String schema = "risk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Drops a schema made by {@link #freshPostgres()}. */
    static void dropPostgres(String spec) throws Exception {
        String base = spec.replaceFirst("[&?]currentSchema=.*$", "");
        String schema = spec.substring(spec.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    static GeneratedData small(int days, int tx, long seed, int driftDay) {
        return TransactionGenerator.builder().days(days).transactions(tx).seed(seed).driftDay(driftDay).build().generate();
    }

    /** Writes everything but the last {@code tail} transactions; returns the tail. */
    static List<Transaction> load(RiskDatabase db, GeneratedData d, int tail) throws Exception {
        db.createSchema();
        db.insertCustomers(d.customers());
        int n = d.transactions().size() - tail;
        db.insertTransactions(d.transactions().subList(0, n), d.fraudTypes().subList(0, n), null);
        db.insertGroundTruth(d.transactions().subList(n, d.transactions().size()),
                d.fraudTypes().subList(n, d.transactions().size()));
        return d.transactions().subList(n, d.transactions().size());
    }

    static double[][] x(List<FeatureRow> rows) {
        return rows.stream().map(FeatureRow::values).toArray(double[][]::new);
    }

    static boolean[] y(GeneratedData d, List<FeatureRow> rows) {
        boolean[] y = new boolean[rows.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = d.isFraud((int) rows.get(i).txId() - 1);
        }
        return y;
    }

    /** A quick model (60 rounds of the defaults) on the rows. */
    static ModelPair quickModel(GeneratedData d, List<FeatureRow> rows) {
        double[][] x = x(rows);
        boolean[] y = y(d, rows);
        return new ModelPair(BoostedModel.train(x, y, null, BoostedModel.Params.defaults().withRounds(60), 1, 1),
                LogisticModel.fit(x, y, null, 1.0));
    }
}
