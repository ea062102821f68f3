package io.autoglm.examples.risk;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The walk-through's database: SQLite ({@code sqlite:risk.db}) or PostgreSQL
 * ({@code postgresql://host:port/db?user=u&password=p}), driven by the same SQL.
 *
 * <p>Tables: {@code users}, {@code transactions} (what is known when a payment arrives),
 * {@code ground_truth} (the generator's labels: the simulation's oracle, never read by scoring),
 * {@code decisions}, {@code feedback} (analysts' and chargeback labels) and {@code models} (trained
 * boosters, base64, with their metrics; the promoted one serves). Not thread-safe: one connection.
 *
 * <pre>{@code
 * try (RiskDatabase db = RiskDatabase.open("sqlite:risk.db")) {
 *     db.createSchema();
 *     db.insertCustomers(data.customers());
 *     db.insertTransactions(data.transactions(), data.fraudTypes(), progress);
 *     List<FeatureRow> rows = db.batchFeatures(0, Long.MAX_VALUE);
 * }
 * }</pre>
 */
public final class RiskDatabase implements AutoCloseable {
    private static final String[] TABLES = {"decisions", "feedback", "ground_truth", "transactions", "users", "models"};

    private final String url;
    private final boolean sqlite;
    private Connection conn;

    private RiskDatabase(String url, boolean sqlite) throws SQLException {
        this.url = url;
        this.sqlite = sqlite;
        connect();
    }

    /**
     * @param spec {@code sqlite:PATH}, {@code postgresql://HOST:PORT/DB?user=U&password=P}, or a
     *     {@code jdbc:sqlite:} / {@code jdbc:postgresql:} URL
     * @return an open database
     * @throws IllegalArgumentException for another scheme
     * @throws SQLException when it cannot be opened
     */
    public static RiskDatabase open(String spec) throws SQLException {
        Objects.requireNonNull(spec, "db");
        String s = spec.startsWith("jdbc:") ? spec.substring(5) : spec;
        if (s.startsWith("sqlite:")) {
            if (s.length() == "sqlite:".length()) {
                throw new IllegalArgumentException("--db sqlite: needs a file path, e.g. sqlite:risk.db");
            }
            return new RiskDatabase("jdbc:" + s, true);
        }
        if (s.startsWith("postgresql:")) {
            return new RiskDatabase("jdbc:" + s, false);
        }
        throw new IllegalArgumentException("--db must be sqlite:PATH or postgresql://HOST:PORT/DB?user=U&password=P, was '"
                + spec + "'");
    }

    private void connect() throws SQLException {
        conn = DriverManager.getConnection(url);
        if (sqlite) {
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("PRAGMA busy_timeout=5000");
            }
        }
        conn.setAutoCommit(true);
    }

    /** @return true for SQLite, false for PostgreSQL */
    public boolean isSqlite() {
        return sqlite;
    }

    /** @return the JDBC URL without credentials */
    public String describe() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** @return the open connection (reopened by {@link #reconnect()} after a failure) */
    Connection connection() {
        return conn;
    }

    /**
     * Closes the connection and opens a new one (after the database went away).
     *
     * @throws SQLException when it is still unreachable
     */
    public void reconnect() throws SQLException {
        try {
            conn.close();
        } catch (SQLException ignored) {
            // the old connection is gone anyway
        }
        connect();
    }

    /** @return whether the connection still answers (within 2 s) */
    public boolean isValid() {
        try {
            return conn != null && !conn.isClosed() && conn.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Drops and creates every table of the walk-through. @throws SQLException on failure */
    public void createSchema() throws SQLException {
        // SQLite: INTEGER PRIMARY KEY makes tx_id the rowid, so a row is written once (no separate key index to
        // update and commit for each online payment); PostgreSQL keeps BIGINT
        String txKey = sqlite ? "tx_id INTEGER PRIMARY KEY" : "tx_id BIGINT PRIMARY KEY";
        try (Statement st = conn.createStatement()) {
            for (String t : TABLES) {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
            st.execute("CREATE TABLE users (user_id TEXT PRIMARY KEY, home_country TEXT NOT NULL, "
                    + "home_continent TEXT NOT NULL, tz_offset_s INTEGER NOT NULL)");
            st.execute("CREATE TABLE transactions (" + txKey + ", user_id TEXT NOT NULL, ts BIGINT NOT NULL, "
                    + "amount_cents BIGINT NOT NULL, merchant_id TEXT NOT NULL, category TEXT NOT NULL, "
                    + "channel TEXT NOT NULL, country TEXT NOT NULL, continent TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, "
                    + "lon DOUBLE PRECISION NOT NULL, device_id TEXT NOT NULL)");
            // covering: every column the feature query reads, so its range scans over a customer's history never
            // visit the table (on SQLite this cut the online feature query from about 0.49 to 0.25 ms of CPU)
            st.execute("CREATE INDEX transactions_user_ts ON transactions (user_id, ts, amount_cents, device_id, country, "
                    + "continent, lat, lon, category, channel, tx_id)");
            st.execute("CREATE TABLE ground_truth (" + txKey + ", is_fraud INTEGER NOT NULL, fraud_type TEXT)");
            st.execute("CREATE TABLE decisions (" + txKey + ", model_version INTEGER NOT NULL, "
                    + "score DOUBLE PRECISION NOT NULL, action TEXT NOT NULL, reasons TEXT NOT NULL, contributions TEXT NOT NULL)");
            st.execute("CREATE TABLE feedback (" + txKey + ", label INTEGER NOT NULL, source TEXT NOT NULL)");
            st.execute("CREATE TABLE models (version INTEGER PRIMARY KEY, created_ts BIGINT NOT NULL, "
                    + "promoted INTEGER NOT NULL, booster TEXT NOT NULL, logistic TEXT NOT NULL, metrics TEXT NOT NULL)");
        }
    }

    /** @param customers rows for {@code users} @throws SQLException on failure (nothing is written then) */
    public void insertCustomers(List<Customer> customers) throws SQLException {
        inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO users (user_id, home_country, home_continent, tz_offset_s) VALUES (?, ?, ?, ?)")) {
                for (Customer c : customers) {
                    ps.setString(1, c.userId());
                    ps.setString(2, c.homeCountry());
                    ps.setString(3, c.homeContinent());
                    ps.setInt(4, c.tzOffsetSeconds());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /**
     * Inserts transactions and their ground truth in one database transaction.
     *
     * @param txs transactions
     * @param fraudTypes per transaction, null for legitimate (null list: no ground truth written)
     * @param progress told the number of rows written so far, every 10,000 rows (may be null)
     * @throws SQLException on failure (nothing is written then)
     */
    public void insertTransactions(List<Transaction> txs, List<String> fraudTypes, IntConsumer progress)
            throws SQLException {
        inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement(INSERT_TX);
                    PreparedStatement gt = conn.prepareStatement(
                            "INSERT INTO ground_truth (tx_id, is_fraud, fraud_type) VALUES (?, ?, ?)")) {
                for (int i = 0; i < txs.size(); i++) {
                    bindTx(ps, txs.get(i));
                    ps.addBatch();
                    if (fraudTypes != null) {
                        String ft = fraudTypes.get(i);
                        gt.setLong(1, txs.get(i).txId());
                        gt.setInt(2, ft == null ? 0 : 1);
                        gt.setString(3, ft);
                        gt.addBatch();
                    }
                    if ((i + 1) % 10_000 == 0) {
                        ps.executeBatch();
                        gt.executeBatch();
                        if (progress != null) {
                            progress.accept(i + 1);
                        }
                    }
                }
                ps.executeBatch();
                gt.executeBatch();
                if (progress != null) {
                    progress.accept(txs.size());
                }
            }
        });
    }

    /**
     * Inserts ground-truth labels only (for transactions that will arrive through the online path).
     *
     * @param txs the transactions
     * @param fraudTypes per transaction, null for legitimate
     * @throws SQLException on failure (nothing is written then)
     */
    public void insertGroundTruth(List<Transaction> txs, List<String> fraudTypes) throws SQLException {
        inTransaction(() -> {
            try (PreparedStatement gt = conn.prepareStatement(
                    "INSERT INTO ground_truth (tx_id, is_fraud, fraud_type) VALUES (?, ?, ?)")) {
                for (int i = 0; i < txs.size(); i++) {
                    String ft = fraudTypes.get(i);
                    gt.setLong(1, txs.get(i).txId());
                    gt.setInt(2, ft == null ? 0 : 1);
                    gt.setString(3, ft);
                    gt.addBatch();
                }
                gt.executeBatch();
            }
        });
    }

    static final String INSERT_TX = "INSERT INTO transactions (tx_id, user_id, ts, amount_cents, merchant_id, category, "
            + "channel, country, continent, lat, lon, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * The online insert: the transaction only when its customer exists, its id is new and its time is after the
     * customer's latest transaction (one statement; 0 rows written otherwise). Bind with {@link #bindCheckedTx}.
     */
    static final String INSERT_CHECKED_TX = "INSERT INTO transactions (tx_id, user_id, ts, amount_cents, merchant_id, "
            + "category, channel, country, continent, lat, lon, device_id) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
            + "WHERE EXISTS (SELECT 1 FROM users u WHERE u.user_id = ?) "
            + "AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.user_id = ? AND t.ts >= ?) "
            + "AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.tx_id = ?)";

    static void bindCheckedTx(PreparedStatement ps, Transaction t) throws SQLException {
        bindTx(ps, t);
        ps.setString(13, t.userId());
        ps.setString(14, t.userId());
        ps.setLong(15, t.ts());
        ps.setLong(16, t.txId());
    }

    static void bindTx(PreparedStatement ps, Transaction t) throws SQLException {
        ps.setLong(1, t.txId());
        ps.setString(2, t.userId());
        ps.setLong(3, t.ts());
        ps.setLong(4, t.amountCents());
        ps.setString(5, t.merchantId());
        ps.setString(6, t.category());
        ps.setString(7, t.channel());
        ps.setString(8, t.country());
        ps.setString(9, t.continent());
        ps.setDouble(10, t.lat());
        ps.setDouble(11, t.lon());
        ps.setString(12, t.deviceId());
    }

    /**
     * Features of every transaction with {@code fromTs <= ts < toTs}, computed by the database over all
     * rows (the windows see earlier history).
     *
     * @param fromTs first second, inclusive
     * @param toTs last second, exclusive
     * @return the rows in time order
     * @throws SQLException on failure
     */
    public List<FeatureRow> batchFeatures(long fromTs, long toTs) throws SQLException {
        String sql = Features.sql(sqlite, "WHERE t.ts >= ? AND t.ts < ?", "WHERE f.ts >= ? AND f.ts < ?");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, fromTs == Long.MIN_VALUE ? Long.MIN_VALUE : fromTs - Features.WEEK);
            ps.setLong(2, toTs);
            ps.setLong(3, fromTs);
            ps.setLong(4, toTs);
            List<FeatureRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(readRow(rs));
                }
            }
            return out;
        }
    }

    /** The online query ({@link Features#onlineSql}); bind with {@link #bindOnline}. */
    String onlineSql() {
        return Features.onlineSql(sqlite);
    }

    /** Binds the online query to the transaction (already inserted, the customer's latest). */
    static void bindOnline(PreparedStatement ps, Transaction t) throws SQLException {
        for (int i = 0; i < Features.ONLINE_PARAMS.length; i++) {
            if (Features.ONLINE_PARAMS[i]) {
                ps.setString(i + 1, t.userId());
            } else {
                ps.setLong(i + 1, t.ts());
            }
        }
    }

    static FeatureRow readRow(ResultSet rs) throws SQLException {
        double[] v = new double[Features.count()];
        for (int j = 0; j < Features.CATEGORY; j++) {
            v[j] = rs.getDouble(4 + j);
        }
        v[Features.CATEGORY] = Features.categoryCode(rs.getString(4 + Features.CATEGORY));
        v[Features.CHANNEL] = Features.channelCode(rs.getString(4 + Features.CHANNEL));
        return new FeatureRow(rs.getLong(1), rs.getString(2), rs.getLong(3), v);
    }

    /**
     * @param from first second, inclusive
     * @param to last second, exclusive
     * @return tx id to is-fraud of the ground truth in that time range
     * @throws SQLException on failure
     */
    public java.util.Map<Long, Boolean> groundTruth(long from, long to) throws SQLException {
        java.util.Map<Long, Boolean> out = new java.util.HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT g.tx_id, g.is_fraud FROM ground_truth g "
                + "JOIN transactions t ON t.tx_id = g.tx_id WHERE t.ts >= ? AND t.ts < ?")) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getInt(2) == 1);
                }
            }
        }
        return out;
    }

    /**
     * Records decisions in one database transaction.
     *
     * @param decisions the decisions
     * @param modelVersion the model that made them
     * @throws SQLException on failure (nothing is written then)
     */
    public void insertDecisions(List<Decision> decisions, int modelVersion) throws SQLException {
        inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement(INSERT_DECISION)) {
                for (Decision d : decisions) {
                    bindDecision(ps, d, modelVersion);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    static final String INSERT_DECISION = "INSERT INTO decisions (tx_id, model_version, score, action, reasons, "
            + "contributions) VALUES (?, ?, ?, ?, ?, ?)";

    static void bindDecision(PreparedStatement ps, Decision d, int modelVersion) throws SQLException {
        ps.setLong(1, d.txId());
        ps.setInt(2, modelVersion);
        ps.setDouble(3, d.score());
        ps.setString(4, d.action().name());
        ps.setString(5, Json.reasons(d));
        ps.setString(6, Json.contributions(d));
    }

    /**
     * Records feedback labels (one per transaction) in one database transaction.
     *
     * @param txIds transactions
     * @param labels 1 fraud, 0 legitimate
     * @param sources {@code analyst} or {@code chargeback}
     * @throws SQLException on failure (nothing is written then)
     */
    public void insertFeedback(long[] txIds, int[] labels, String[] sources) throws SQLException {
        inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO feedback (tx_id, label, source) VALUES (?, ?, ?)")) {
                for (int i = 0; i < txIds.length; i++) {
                    ps.setLong(1, txIds[i]);
                    ps.setInt(2, labels[i]);
                    ps.setString(3, sources[i]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /**
     * Stores a model; with {@code promote} it becomes the only promoted one.
     *
     * @param m the model pair
     * @param createdTs simulated time of its training
     * @param promote whether it serves from now on
     * @param metricsJson its metrics as JSON
     * @return its version
     * @throws SQLException on failure
     */
    public int saveModel(ModelPair m, long createdTs, boolean promote, String metricsJson) throws SQLException {
        int[] version = new int[1];
        inTransaction(() -> {
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM models")) {
                rs.next();
                version[0] = rs.getInt(1) + 1;
            }
            if (promote) {
                try (Statement st = conn.createStatement()) {
                    st.executeUpdate("UPDATE models SET promoted = 0");
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO models (version, created_ts, promoted, booster, "
                    + "logistic, metrics) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setInt(1, version[0]);
                ps.setLong(2, createdTs);
                ps.setInt(3, promote ? 1 : 0);
                ps.setString(4, java.util.Base64.getEncoder().encodeToString(m.booster().toBytes()));
                ps.setString(5, m.logistic().toJson());
                ps.setString(6, metricsJson);
                ps.executeUpdate();
            }
        });
        return version[0];
    }

    /**
     * @return the promoted model and its version, if any
     * @throws SQLException on failure
     */
    public Optional<ServingModel> loadPromotedModel() throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT version, booster, logistic FROM models WHERE promoted = 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            int version = rs.getInt(1);
            BoostedModel b = BoostedModel.fromBytes(java.util.Base64.getDecoder().decode(rs.getString(2)));
            LogisticModel l = LogisticModel.fromJson(rs.getString(3));
            return Optional.of(new ServingModel(new ModelPair(b, l), version));
        }
    }

    /**
     * A stored model with its version.
     *
     * @param model the models
     * @param version its version in {@code models}
     */
    public record ServingModel(ModelPair model, int version) {
    }

    /**
     * @param table a table name
     * @return its row count
     * @throws SQLException on failure
     */
    public long count(String table) throws SQLException {
        if (!List.of(TABLES).contains(table)) {
            throw new IllegalArgumentException("unknown table '" + table + "'");
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @param userId a customer id
     * @return whether the customer exists
     * @throws SQLException on failure
     */
    public boolean customerExists(String userId) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM users WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} in one database transaction: all or nothing. */
    void inTransaction(SqlWork work) throws SQLException {
        conn.setAutoCommit(false);
        try {
            work.run();
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                conn.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        } finally {
            try {
                conn.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection; the caller sees the first error
            }
        }
    }

    @Override
    public void close() throws SQLException {
        if (conn != null) {
            conn.close();
        }
    }

    @Override
    public String toString() {
        return "RiskDatabase[" + describe().toLowerCase(Locale.ROOT) + "]";
    }
}
