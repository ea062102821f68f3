package io.autoglm.examples.risk;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The online path: one transaction at a time, in one database transaction each (all or nothing):
 * insert the transaction if its customer exists, its id is new and its time is after the customer's last
 * one (one statement; when it writes nothing, a second query names the reason), compute its features with
 * the database's online query ({@code Features.onlineSql}), score it (exact SHAP contributions), apply the
 * rules, record the decision. A failing record raises {@link ScoringException} and leaves nothing behind;
 * when the database went away, the next record reconnects. Single-threaded.
 *
 * <p>Speed: the statements are prepared once; the connection stays out of auto-commit while the scorer is
 * open (each record still ends in its own commit or rollback; {@link #close()} restores auto-commit), the
 * contributions are computed in Java ({@link BoostedModel#contributions(double[])}, the same values as
 * XGBoost's {@code predictContrib} within 1e-5) instead of through a one-row XGBoost matrix, and the
 * decision's JSON is written by hand.
 *
 * <pre>{@code
 * try (OnlineScorer s = new OnlineScorer(db, model, version, RuleEngine.builder().build())) {
 *     OnlineScorer.Result r = s.score(tx);
 *     System.out.println(r.decision().action() + " " + r.decision().reasons());
 * }
 * }</pre>
 */
public final class OnlineScorer implements AutoCloseable {
    private final RiskDatabase db;
    private final ModelPair model;
    private final int modelVersion;
    private final RuleEngine rules;
    private PreparedStatement checkStmt;
    private PreparedStatement insertStmt;
    private PreparedStatement featureStmt;
    private PreparedStatement decisionStmt;
    private boolean needsReconnect;

    /**
     * The scoring result.
     *
     * @param decision the decision with its reasons and top contributions
     * @param features the features the database computed
     * @param contributions every feature's SHAP value and, last, the bias (log-odds)
     * @param logisticScore the baseline's probability, for comparison
     * @param nanos wall time of the whole path (database, model, rules, commit)
     * @param cpuNanos CPU time of the calling thread on that path (the database runs on it)
     */
    public record Result(Decision decision, FeatureRow features, float[] contributions, double logisticScore, long nanos,
            long cpuNanos) {
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * @param db the database (not closed by the scorer)
     * @param model the serving models (not closed by the scorer)
     * @param modelVersion the version recorded with each decision
     * @param rules the rule engine
     */
    public OnlineScorer(RiskDatabase db, ModelPair model, int modelVersion, RuleEngine rules) {
        this.db = Objects.requireNonNull(db, "db");
        this.model = Objects.requireNonNull(model, "model");
        this.modelVersion = modelVersion;
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    private void prepare() throws SQLException {
        closeStatements();
        var c = db.connection();
        checkStmt = c.prepareStatement("SELECT (SELECT MAX(t.ts) FROM transactions t WHERE t.user_id = u.user_id), "
                + "(SELECT COUNT(*) FROM transactions t WHERE t.tx_id = ?) FROM users u WHERE u.user_id = ?");
        insertStmt = c.prepareStatement(RiskDatabase.INSERT_CHECKED_TX);
        featureStmt = c.prepareStatement(db.onlineSql());
        decisionStmt = c.prepareStatement(RiskDatabase.INSERT_DECISION);
    }

    /**
     * Scores one transaction.
     *
     * @param tx the transaction
     * @return the decision and the features
     * @throws ScoringException for a bad record ({@link ScoringException.Kind#BAD_INPUT}) or a database
     *     failure ({@link ScoringException.Kind#DATABASE}); nothing was written then
     */
    public Result score(Transaction tx) {
        Objects.requireNonNull(tx, "tx");
        long t0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        ensureConnected();
        try {
            var conn = db.connection();
            if (conn.getAutoCommit()) { // set once; other users of the database may have restored it
                conn.setAutoCommit(false);
            }
            try {
                RiskDatabase.bindCheckedTx(insertStmt, tx);
                if (insertStmt.executeUpdate() != 1) {
                    throw rejected(tx);
                }
                RiskDatabase.bindOnline(featureStmt, tx);
                FeatureRow row;
                try (ResultSet rs = featureStmt.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("the feature query returned no row for tx_id " + tx.txId());
                    }
                    row = RiskDatabase.readRow(rs);
                }
                float[] c = model.booster().contributions(row.values());
                double p = model.booster().score(row.values());
                Decision d = rules.decide(tx.txId(), row.values(), p, Scoring.top(row.values(), c, Scoring.TOP_CONTRIBUTIONS));
                double lp = model.logistic().predict(row.values());
                RiskDatabase.bindDecision(decisionStmt, d, modelVersion);
                decisionStmt.executeUpdate();
                conn.commit();
                return new Result(d, row, c, lp, System.nanoTime() - t0, THREADS.getCurrentThreadCpuTime() - c0);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(e);
                throw e;
            }
        } catch (ScoringException e) {
            throw e;
        } catch (SQLException e) {
            if (!db.isValid()) {
                needsReconnect = true;
                throw new ScoringException(ScoringException.Kind.DATABASE, "database " + db.describe()
                        + " went away while scoring tx_id " + tx.txId() + ": " + e.getMessage(), e);
            }
            throw new ScoringException(ScoringException.Kind.DATABASE, "database error for tx_id " + tx.txId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Why the checked insert wrote nothing (the rare path: one more query to name the reason). */
    private ScoringException rejected(Transaction tx) throws SQLException {
        checkStmt.setLong(1, tx.txId());
        checkStmt.setString(2, tx.userId());
        try (ResultSet rs = checkStmt.executeQuery()) {
            if (!rs.next()) {
                return new ScoringException(ScoringException.Kind.BAD_INPUT, "unknown user_id '" + tx.userId()
                        + "': not in the users table", null);
            }
            long last = rs.getLong(1);
            boolean hasLast = !rs.wasNull();
            if (rs.getLong(2) > 0) {
                return new ScoringException(ScoringException.Kind.BAD_INPUT, "tx_id " + tx.txId() + " was already scored",
                        null);
            }
            if (hasLast && tx.ts() <= last) {
                return new ScoringException(ScoringException.Kind.BAD_INPUT, "ts " + tx.ts()
                        + " must be after the last transaction of user '" + tx.userId() + "' (ts " + last + ")", null);
            }
        }
        throw new SQLException("the insert of tx_id " + tx.txId() + " wrote no row, yet its customer, id and time check out");
    }

    private void ensureConnected() {
        try {
            if (needsReconnect) {
                db.reconnect();
                checkStmt = null;
                needsReconnect = false;
            }
            if (checkStmt == null) {
                prepare();
            }
        } catch (SQLException e) {
            needsReconnect = true;
            throw new ScoringException(ScoringException.Kind.DATABASE, "database " + db.describe() + " is unavailable: "
                    + e.getMessage(), e);
        }
    }

    private void rollbackQuietly(Exception cause) {
        try {
            db.connection().rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
            needsReconnect = true;
        }
    }

    private void closeStatements() {
        for (PreparedStatement s : new PreparedStatement[] {checkStmt, insertStmt, featureStmt, decisionStmt}) {
            if (s != null) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing a statement of a dead connection
                }
            }
        }
    }

    /** Closes the statements and gives the connection back in auto-commit mode. */
    @Override
    public void close() {
        closeStatements();
        checkStmt = null;
        try {
            var conn = db.connection();
            if (conn != null && !conn.isClosed() && !conn.getAutoCommit()) {
                conn.setAutoCommit(true); // every record was committed or rolled back: nothing is pending
            }
        } catch (SQLException ignored) {
            // a dead connection: nothing of ours is pending on it
        }
    }
}
