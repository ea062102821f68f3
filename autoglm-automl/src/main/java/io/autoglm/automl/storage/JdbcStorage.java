package io.autoglm.automl.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.Distributions;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} over plain JDBC: an embedded SQLite file for one machine, or PostgreSQL shared
 * by worker processes on many machines.
 *
 * <pre>{@code
 * try (Storage storage = JdbcStorage.sqlite(Path.of("study.db"))) { ... }
 * try (Storage storage = JdbcStorage.open("jdbc:postgresql://db:5432/hpo?user=u&password=p", new Properties())) { ... }
 * }</pre>
 *
 * <p>On open, the schema (tables prefixed {@code hpo_}, version in {@code hpo_schema_version}) is
 * created in an empty database or migrated to the current version. A file that is not SQLite, a
 * corrupted file, a database holding other tables and no {@code hpo_schema_version}, or a schema
 * version this code does not know is refused with an {@link AutoMLException} and left untouched.
 *
 * <p>Trial numbers come from a per-study counter row incremented in the same transaction that
 * inserts the trial (writers are serialised by {@code BEGIN IMMEDIATE} on SQLite and by the row lock
 * on PostgreSQL), and a {@code UNIQUE(study_id, number)} constraint backs it up. Enqueued trials are
 * claimed with {@code FOR UPDATE SKIP LOCKED} on PostgreSQL. Transactions that meet lock contention
 * ({@code SQLITE_BUSY}, serialization failures, deadlocks) are retried with a randomised back-off.
 * Times (start, finish, heartbeat) are the database's clock, so workers on machines with skewed
 * clocks agree on which heartbeat is stale.
 */
public final class JdbcStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStorage.class);

    /** The schema version this code writes. */
    static final int SCHEMA_VERSION = 3;
    static final String APPLICATION = "autoglm-hpo";
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final long RETRY_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int SQLITE_BUSY_TIMEOUT_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dialect dialect;
    private final String displayUrl;
    private final ConnectionPool pool;
    private volatile boolean closed;

    private JdbcStorage(Dialect dialect, String displayUrl, ConnectionPool pool) {
        this.dialect = dialect;
        this.displayUrl = displayUrl;
        this.pool = pool;
    }

    /**
     * Opens (creating it when absent) an embedded SQLite study file.
     *
     * @param file the database file; its parent directory is created when missing
     * @return the storage
     * @throws AutoMLException when the file is not an AutoGLM study database (left untouched) or cannot be opened
     */
    public static JdbcStorage sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException("file must be a database file, was the directory " + abs);
        }
        checkSqliteHeader(abs);
        try {
            Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new AutoMLException("cannot create the directory of the study database " + abs + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + abs;
        ConnectionPool pool = new ConnectionPool(() -> {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + SQLITE_BUSY_TIMEOUT_MS);
                s.execute("PRAGMA synchronous = NORMAL");
            } catch (SQLException e) {
                ConnectionPool.closeQuietly(c);
                throw e;
            }
            return c;
        }, Math.max(4, Runtime.getRuntime().availableProcessors()));
        JdbcStorage storage = new JdbcStorage(Dialect.SQLITE, abs.toString(), pool);
        storage.initialise();
        return storage;
    }

    /**
     * Opens a storage from a JDBC URL: {@code jdbc:sqlite:/path/file.db} or
     * {@code jdbc:postgresql://host:port/db?user=...&password=...}. For PostgreSQL, the user and
     * password come from the URL, else from {@code properties}, else from the environment variables
     * {@code PGUSER} and {@code PGPASSWORD}. A dedicated schema can be chosen with {@code ?currentSchema=name}.
     *
     * @param jdbcUrl the URL
     * @param properties extra driver properties (may be empty)
     * @return the storage
     * @throws IllegalArgumentException for an unsupported URL
     * @throws AutoMLException when the database cannot be reached or is not an AutoGLM study database
     */
    public static JdbcStorage open(String jdbcUrl, Properties properties) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(properties, "properties");
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            String path = jdbcUrl.substring("jdbc:sqlite:".length());
            if (path.startsWith("file:")) {
                path = path.substring("file:".length());
            }
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (path.isEmpty() || path.equals(":memory:") || path.startsWith(":resource:")) {
                throw new IllegalArgumentException("jdbcUrl must name a SQLite file, was " + jdbcUrl
                        + " (use Storages.open(\"memory:\") for an in-memory storage)");
            }
            return sqlite(Path.of(path));
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return postgres(jdbcUrl, properties);
        }
        throw new IllegalArgumentException("jdbcUrl must start with jdbc:sqlite: or jdbc:postgresql:, was " + redact(jdbcUrl));
    }

    private static JdbcStorage postgres(String url, Properties given) {
        Properties props = new Properties();
        props.putAll(given);
        String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
        List<String> keys = Arrays.stream(query.split("&")).map(p -> p.split("=", 2)[0]).toList();
        if (!keys.contains("user") && !props.containsKey("user") && System.getenv("PGUSER") != null) {
            props.setProperty("user", System.getenv("PGUSER"));
        }
        if (!keys.contains("password") && !props.containsKey("password") && System.getenv("PGPASSWORD") != null) {
            props.setProperty("password", System.getenv("PGPASSWORD"));
        }
        props.putIfAbsent("ApplicationName", "autoglm-hpo");
        ConnectionPool pool = new ConnectionPool(() -> {
            Connection c = DriverManager.getConnection(url, props);
            try {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException e) {
                ConnectionPool.closeQuietly(c);
                throw e;
            }
            return c;
        }, 8);
        JdbcStorage storage = new JdbcStorage(Dialect.POSTGRES, redact(url), pool);
        storage.initialise();
        return storage;
    }

    // ---------------------------------------------------------------------------------------
    // schema

    /** Refuses a file that exists, is not empty, and does not start with SQLite's magic header. */
    private static void checkSqliteHeader(Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        byte[] head = new byte[SQLITE_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new AutoMLException("cannot read the study database " + file + ": " + e.getMessage(), e);
        }
        if (n > 0 && (n < head.length || !Arrays.equals(head, SQLITE_MAGIC))) {
            throw new AutoMLException("refusing to open " + file + ": it is not a SQLite database (wrong header); "
                    + "it was left untouched. Point the storage to a new file or to an existing AutoGLM study database.");
        }
    }

    private void initialise() {
        try {
            tx(true, c -> {
                migrate(c);
                return null;
            });
            if (dialect == Dialect.SQLITE) {
                // WAL lets readers run beside the writer; it is persistent, so set it only on our own file.
                withConnection(c -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                });
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.debug("opened study storage {} (schema version {})", displayUrl, SCHEMA_VERSION);
    }

    private void migrate(Connection c) throws SQLException {
        if (dialect == Dialect.POSTGRES) {
            // two workers opening an empty database at once must not both create the tables
            Jdbc.queryString(c, "SELECT CAST(pg_advisory_xact_lock(7461023) AS TEXT)");
        }
        List<String> tables = dialect.tableNames(c).stream().map(String::toLowerCase).toList();
        int version;
        if (tables.isEmpty()) {
            version = 0;
        } else if (!tables.contains("hpo_schema_version")) {
            throw new AutoMLException("refusing to use " + displayUrl + ": it holds tables of another application "
                    + tables.stream().sorted().limit(10).toList() + " and no hpo_schema_version table; it was left untouched. "
                    + "Use a new file or an empty database (on PostgreSQL, a dedicated schema: ?currentSchema=hpo).");
        } else {
            List<String> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT application, version FROM hpo_schema_version");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getString(2));
                }
            }
            if (rows.size() != 1 || !rows.get(0).startsWith(APPLICATION + ":")) {
                throw new AutoMLException("refusing to use " + displayUrl + ": its hpo_schema_version table holds " + rows
                        + ", not one row of application " + APPLICATION + "; it was left untouched.");
            }
            try {
                version = Integer.parseInt(rows.get(0).substring(APPLICATION.length() + 1));
            } catch (NumberFormatException e) {
                throw new AutoMLException("refusing to use " + displayUrl + ": unreadable schema version " + rows.get(0), e);
            }
            if (version > SCHEMA_VERSION) {
                throw new AutoMLException("refusing to use " + displayUrl + ": its schema version " + version
                        + " is newer than this AutoGLM supports (" + SCHEMA_VERSION + "); upgrade AutoGLM. It was left untouched.");
            }
            if (version < 1) {
                throw new AutoMLException("refusing to use " + displayUrl + ": unknown schema version " + version
                        + "; it was left untouched.");
            }
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (int v = version; v < SCHEMA_VERSION; v++) {
                for (String sql : migrationStatements(v)) {
                    s.execute(sql);
                }
            }
            if (version == 0) {
                s.execute("INSERT INTO hpo_schema_version (application, version) VALUES ('" + APPLICATION + "', " + SCHEMA_VERSION + ")");
            } else {
                s.execute("UPDATE hpo_schema_version SET version = " + SCHEMA_VERSION);
            }
        }
        LOG.info("{} study storage {}: schema version {} -> {}", version == 0 ? "created" : "migrated", displayUrl, version,
                SCHEMA_VERSION);
    }

    /** @return the statements that bring the schema from {@code from} to {@code from + 1} */
    List<String> migrationStatements(int from) {
        String id = dialect.idColumn();
        String real = dialect.realType();
        return switch (from) {
            case 0 -> List.of(
                    "CREATE TABLE hpo_schema_version (application TEXT NOT NULL, version INTEGER NOT NULL)",
                    "CREATE TABLE hpo_studies (study_id " + id + ", name TEXT NOT NULL UNIQUE, directions TEXT NOT NULL, "
                            + "next_number INTEGER NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL)",
                    "CREATE TABLE hpo_study_params (study_id BIGINT NOT NULL, name TEXT NOT NULL, distribution TEXT NOT NULL, "
                            + "PRIMARY KEY (study_id, name))",
                    "CREATE TABLE hpo_trials (trial_id " + id + ", study_id BIGINT NOT NULL, number INTEGER NOT NULL, "
                            + "state TEXT NOT NULL, started_ms BIGINT, finished_ms BIGINT, heartbeat_ms BIGINT, "
                            + "UNIQUE (study_id, number))",
                    "CREATE TABLE hpo_trial_params (trial_id BIGINT NOT NULL, name TEXT NOT NULL, seq INTEGER NOT NULL, "
                            + "value " + real + " NOT NULL, distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name))",
                    "CREATE TABLE hpo_trial_values (trial_id BIGINT NOT NULL, objective INTEGER NOT NULL, value " + real
                            + " NOT NULL, PRIMARY KEY (trial_id, objective))",
                    "CREATE TABLE hpo_trial_intermediate (trial_id BIGINT NOT NULL, step INTEGER NOT NULL, value " + real
                            + " NOT NULL, PRIMARY KEY (trial_id, step))",
                    "CREATE TABLE hpo_trial_user_attrs (trial_id BIGINT NOT NULL, attr_key TEXT NOT NULL, value_json TEXT NOT NULL, "
                            + "PRIMARY KEY (trial_id, attr_key))",
                    "CREATE TABLE hpo_trial_system_attrs (trial_id BIGINT NOT NULL, attr_key TEXT NOT NULL, value_json TEXT NOT NULL, "
                            + "PRIMARY KEY (trial_id, attr_key))");
            // version 2: index for claiming WAITING trials and finding stale RUNNING ones
            case 1 -> List.of("CREATE INDEX hpo_trials_state_idx ON hpo_trials (study_id, state, number)");
            // version 3: the sampler's time per trial (NULL for trials finished by older versions, reaped or added)
            case 2 -> List.of("ALTER TABLE hpo_trials ADD COLUMN sampler_ns BIGINT");
            default -> throw new IllegalStateException("no migration from schema version " + from);
        };
    }

    // ---------------------------------------------------------------------------------------
    // studies

    @Override
    public StudyRef createStudy(String name, List<StudyDirection> directions) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directions, "directions");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (directions.isEmpty() || directions.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("directions must be non-empty and without nulls, were " + directions);
        }
        String dirs = directions.stream().map(Enum::name).collect(Collectors.joining(","));
        try {
            return tx(true, c -> {
                if (Jdbc.queryLong(c, "SELECT study_id FROM hpo_studies WHERE name = ?", name) != null) {
                    throw new IllegalArgumentException("a study named '" + name + "' already exists in " + displayUrl);
                }
                long id;
                try (PreparedStatement ps = Jdbc.prepare(c, "INSERT INTO hpo_studies (name, directions, next_number, created_ms) "
                        + "VALUES (?, ?, 0, " + dialect.nowMillis() + ") RETURNING study_id", name, dirs);
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
                return new StudyRef(id, name, directions);
            });
        } catch (UniqueViolation e) {
            throw new IllegalArgumentException("a study named '" + name + "' already exists in " + displayUrl, e);
        }
    }

    @Override
    public Optional<StudyRef> findStudy(String name) {
        Objects.requireNonNull(name, "name");
        return tx(false, c -> readStudies(c, "WHERE name = ?", name).stream().findFirst());
    }

    @Override
    public List<StudyRef> studies() {
        return tx(false, c -> readStudies(c, "ORDER BY study_id"));
    }

    private static List<StudyRef> readStudies(Connection c, String where, Object... args) throws SQLException {
        List<StudyRef> out = new ArrayList<>();
        try (PreparedStatement ps = Jdbc.prepare(c, "SELECT study_id, name, directions FROM hpo_studies " + where, args);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<StudyDirection> dirs = Arrays.stream(rs.getString(3).split(",")).map(StudyDirection::valueOf).toList();
                out.add(new StudyRef(rs.getLong(1), rs.getString(2), dirs));
            }
        }
        return out;
    }

    @Override
    public void deleteStudy(long studyId) {
        tx(true, c -> {
            requireStudy(c, studyId, false);
            String trialsOf = " WHERE trial_id IN (SELECT trial_id FROM hpo_trials WHERE study_id = ?)";
            for (String t : List.of("hpo_trial_params", "hpo_trial_values", "hpo_trial_intermediate", "hpo_trial_user_attrs",
                    "hpo_trial_system_attrs")) {
                Jdbc.update(c, "DELETE FROM " + t + trialsOf, studyId);
            }
            Jdbc.update(c, "DELETE FROM hpo_trials WHERE study_id = ?", studyId);
            Jdbc.update(c, "DELETE FROM hpo_study_params WHERE study_id = ?", studyId);
            Jdbc.update(c, "DELETE FROM hpo_studies WHERE study_id = ?", studyId);
            return null;
        });
    }

    /** @return the number of objectives of the study */
    private int requireStudy(Connection c, long studyId, boolean lock) throws SQLException {
        String dirs = Jdbc.queryString(c, "SELECT directions FROM hpo_studies WHERE study_id = ?" + (lock ? dialect.forUpdate() : ""),
                studyId);
        if (dirs == null) {
            throw new IllegalArgumentException("no study with id " + studyId + " in " + displayUrl);
        }
        return dirs.split(",").length;
    }

    // ---------------------------------------------------------------------------------------
    // trials: creation

    @Override
    public FrozenTrial startTrial(long studyId, String workerId) {
        Objects.requireNonNull(workerId, "workerId");
        String workerJson = json(workerId);
        return tx(true, c -> {
            requireStudy(c, studyId, false);
            long trialId;
            Long waiting = Jdbc.queryLong(c, "SELECT trial_id FROM hpo_trials WHERE study_id = ? AND state = 'WAITING' "
                    + "ORDER BY number LIMIT 1" + dialect.forUpdateSkipLocked(), studyId);
            if (waiting != null) {
                trialId = waiting;
                Jdbc.update(c, "UPDATE hpo_trials SET state = 'RUNNING', started_ms = " + dialect.nowMillis()
                        + ", heartbeat_ms = " + dialect.nowMillis() + " WHERE trial_id = ?", trialId);
            } else {
                int number = nextNumber(c, studyId);
                trialId = insertTrial(c, studyId, number, TrialState.RUNNING);
            }
            putAttr(c, "hpo_trial_system_attrs", trialId, "worker", workerJson);
            return readTrials(c, "t.trial_id = ?", trialId).get(0);
        });
    }

    @Override
    public FrozenTrial enqueueTrial(long studyId, Map<String, Object> fixedParams) {
        Objects.requireNonNull(fixedParams, "fixedParams");
        String paramsJson = json(new LinkedHashMap<>(fixedParams));
        return tx(true, c -> {
            requireStudy(c, studyId, false);
            int number = nextNumber(c, studyId);
            long trialId = insertTrial(c, studyId, number, TrialState.WAITING);
            putAttr(c, "hpo_trial_system_attrs", trialId, "fixed_params", paramsJson);
            return readTrials(c, "t.trial_id = ?", trialId).get(0);
        });
    }

    /** Increments the study's counter inside the caller's transaction; the row stays locked until commit. */
    private int nextNumber(Connection c, long studyId) throws SQLException {
        if (Jdbc.update(c, "UPDATE hpo_studies SET next_number = next_number + 1 WHERE study_id = ?", studyId) != 1) {
            throw new IllegalArgumentException("no study with id " + studyId + " in " + displayUrl);
        }
        return Math.toIntExact(Jdbc.queryLong(c, "SELECT next_number FROM hpo_studies WHERE study_id = ?", studyId) - 1);
    }

    private long insertTrial(Connection c, long studyId, int number, TrialState state) throws SQLException {
        String now = dialect.nowMillis();
        String times = state == TrialState.RUNNING ? now + ", " + now : "NULL, NULL";
        try (PreparedStatement ps = Jdbc.prepare(c, "INSERT INTO hpo_trials (study_id, number, state, started_ms, heartbeat_ms) "
                + "VALUES (?, ?, ?, " + times + ") RETURNING trial_id", studyId, number, state.name());
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------------------------------
    // trials: updates

    @Override
    public void setTrialParam(long trialId, String name, double internalValue, Distribution distribution) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(distribution, "distribution");
        if (!distribution.contains(internalValue)) {
            throw new IllegalArgumentException("value " + internalValue + " of parameter '" + name + "' is not in " + distribution);
        }
        String dist = distribution.toJson();
        tx(true, c -> {
            TrialRow row = lockTrial(c, trialId);
            requireUpdatable(row, "set parameter '" + name + "' of");
            String known = Jdbc.queryString(c, "SELECT distribution FROM hpo_study_params WHERE study_id = ? AND name = ?",
                    row.studyId, name);
            if (known == null) {
                Jdbc.update(c, "INSERT INTO hpo_study_params (study_id, name, distribution) VALUES (?, ?, ?) "
                        + "ON CONFLICT (study_id, name) DO NOTHING", row.studyId, name, dist);
                known = Jdbc.queryString(c, "SELECT distribution FROM hpo_study_params WHERE study_id = ? AND name = ?",
                        row.studyId, name);
            }
            Distributions.checkCompatible(name, Distribution.fromJson(known), distribution);
            String inTrial = Jdbc.queryString(c, "SELECT distribution FROM hpo_trial_params WHERE trial_id = ? AND name = ?",
                    trialId, name);
            if (inTrial != null && !Distribution.fromJson(inTrial).equals(distribution)) {
                throw new IllegalArgumentException("parameter '" + name + "' already set in trial " + row.number + " as "
                        + Distribution.fromJson(inTrial) + ", cannot be set as " + distribution);
            }
            if (Jdbc.update(c, "UPDATE hpo_trial_params SET value = ?, distribution = ? WHERE trial_id = ? AND name = ?",
                    internalValue, dist, trialId, name) == 0) {
                long seq = Jdbc.queryLong(c, "SELECT COUNT(*) FROM hpo_trial_params WHERE trial_id = ?", trialId);
                Jdbc.update(c, "INSERT INTO hpo_trial_params (trial_id, name, seq, value, distribution) VALUES (?, ?, ?, ?, ?)",
                        trialId, name, seq, internalValue, dist);
            }
            return null;
        });
    }

    @Override
    public void setTrialIntermediateValue(long trialId, int step, double value) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, was " + step);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("intermediate value must be finite, was " + value + " at step " + step);
        }
        tx(true, c -> {
            requireUpdatable(lockTrial(c, trialId), "report a value for");
            Jdbc.update(c, "INSERT INTO hpo_trial_intermediate (trial_id, step, value) VALUES (?, ?, ?) "
                    + "ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value", trialId, step, value);
            return null;
        });
    }

    @Override
    public void setTrialUserAttr(long trialId, String key, Object value) {
        setAttr("hpo_trial_user_attrs", trialId, key, value);
    }

    @Override
    public void setTrialSystemAttr(long trialId, String key, Object value) {
        setAttr("hpo_trial_system_attrs", trialId, key, value);
    }

    private void setAttr(String table, long trialId, String key, Object value) {
        Objects.requireNonNull(key, "key");
        String valueJson = json(value);
        tx(true, c -> {
            lockTrial(c, trialId);
            putAttr(c, table, trialId, key, valueJson);
            return null;
        });
    }

    private static void putAttr(Connection c, String table, long trialId, String key, String valueJson) throws SQLException {
        Jdbc.update(c, "INSERT INTO " + table + " (trial_id, attr_key, value_json) VALUES (?, ?, ?) "
                + "ON CONFLICT (trial_id, attr_key) DO UPDATE SET value_json = excluded.value_json", trialId, key, valueJson);
    }

    @Override
    public boolean finishTrial(long trialId, TrialState state, List<Double> values, Duration samplerTime) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(values, "values");
        if (!state.isFinished()) {
            throw new IllegalArgumentException("state must be COMPLETE, PRUNED or FAIL, was " + state);
        }
        if (samplerTime != null && samplerTime.isNegative()) {
            throw new IllegalArgumentException("samplerTime must be >= 0, was " + samplerTime);
        }
        Long samplerNs = samplerTime == null ? null : saturatedNanos(samplerTime);
        for (Double v : values) {
            if (v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException("values must be finite, were " + values
                        + " (record a NaN or infinite objective as FAIL)");
            }
        }
        if (state != TrialState.COMPLETE && !values.isEmpty()) {
            throw new IllegalArgumentException("only a COMPLETE trial has values, was " + state + " with " + values);
        }
        return tx(true, c -> {
            TrialRow row = lockTrial(c, trialId);
            if (row.state != TrialState.RUNNING) {
                return false;
            }
            if (state == TrialState.COMPLETE) {
                int objectives = requireStudy(c, row.studyId, false);
                if (values.size() != objectives) {
                    throw new IllegalArgumentException("a COMPLETE trial needs " + objectives + " value(s), one per direction, was "
                            + values);
                }
            }
            if (Jdbc.update(c, "UPDATE hpo_trials SET state = ?, sampler_ns = ?, finished_ms = " + dialect.nowMillis()
                    + " WHERE trial_id = ? AND state = 'RUNNING'", state.name(), samplerNs, trialId) != 1) {
                return false;
            }
            for (int i = 0; i < values.size(); i++) {
                Jdbc.update(c, "INSERT INTO hpo_trial_values (trial_id, objective, value) VALUES (?, ?, ?)", trialId, i, values.get(i));
            }
            return true;
        });
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public FrozenTrial addTrial(long studyId, FrozenTrial trial) {
        Objects.requireNonNull(trial, "trial");
        Map<String, String> dists = new LinkedHashMap<>();
        trial.distributions().forEach((k, d) -> dists.put(k, d.toJson()));
        Map<String, String> attrs = new LinkedHashMap<>();
        trial.userAttrs().forEach((k, v) -> attrs.put(k, json(v)));
        Long started = trial.started().map(java.time.Instant::toEpochMilli).orElse(null);
        Long finished = trial.finished().map(java.time.Instant::toEpochMilli).orElse(null);
        return tx(true, c -> {
            AddedTrials.check(trial, requireStudy(c, studyId, false));
            for (Map.Entry<String, Distribution> e : trial.distributions().entrySet()) {
                String name = e.getKey();
                Jdbc.update(c, "INSERT INTO hpo_study_params (study_id, name, distribution) VALUES (?, ?, ?) "
                        + "ON CONFLICT (study_id, name) DO NOTHING", studyId, name, dists.get(name));
                String known = Jdbc.queryString(c, "SELECT distribution FROM hpo_study_params WHERE study_id = ? AND name = ?",
                        studyId, name);
                Distributions.checkCompatible(name, Distribution.fromJson(known), e.getValue());
            }
            int number = nextNumber(c, studyId);
            String now = dialect.nowMillis();
            long trialId;
            try (PreparedStatement ps = Jdbc.prepare(c, "INSERT INTO hpo_trials (study_id, number, state, started_ms, finished_ms) "
                    + "VALUES (?, ?, ?, COALESCE(?, " + now + "), COALESCE(?, " + now + ")) RETURNING trial_id", studyId, number,
                    trial.state().name(), started, finished); ResultSet rs = ps.executeQuery()) {
                rs.next();
                trialId = rs.getLong(1);
            }
            int seq = 0;
            for (Map.Entry<String, Double> p : trial.internalParams().entrySet()) {
                Jdbc.update(c, "INSERT INTO hpo_trial_params (trial_id, name, seq, value, distribution) VALUES (?, ?, ?, ?, ?)",
                        trialId, p.getKey(), seq++, p.getValue(), dists.get(p.getKey()));
            }
            for (int i = 0; i < trial.values().size(); i++) {
                Jdbc.update(c, "INSERT INTO hpo_trial_values (trial_id, objective, value) VALUES (?, ?, ?)", trialId, i,
                        trial.values().get(i));
            }
            for (Map.Entry<Integer, Double> iv : trial.intermediateValues().entrySet()) {
                Jdbc.update(c, "INSERT INTO hpo_trial_intermediate (trial_id, step, value) VALUES (?, ?, ?)", trialId, iv.getKey(),
                        iv.getValue());
            }
            for (Map.Entry<String, String> a : attrs.entrySet()) {
                putAttr(c, "hpo_trial_user_attrs", trialId, a.getKey(), a.getValue());
            }
            return readTrials(c, "t.trial_id = ?", trialId).get(0);
        });
    }

    /** Records a heartbeat; a trial that is no longer RUNNING is left as it is. */
    @Override
    public void recordHeartbeat(long trialId) {
        tx(true, c -> {
            if (Jdbc.update(c, "UPDATE hpo_trials SET heartbeat_ms = " + dialect.nowMillis()
                    + " WHERE trial_id = ? AND state = 'RUNNING'", trialId) == 0) {
                lockTrial(c, trialId); // unknown trial -> IllegalArgumentException
            }
            return null;
        });
    }

    @Override
    public List<FrozenTrial> failStaleTrials(long studyId, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must be >= 0, was " + grace);
        }
        long graceMs = grace.toMillis();
        return tx(true, c -> {
            requireStudy(c, studyId, false);
            List<Long> stale = Jdbc.longs(c, "SELECT trial_id FROM hpo_trials WHERE study_id = ? AND state = 'RUNNING' "
                    + "AND COALESCE(heartbeat_ms, started_ms) < " + dialect.nowMillis() + " - ? ORDER BY number"
                    + dialect.forUpdateSkipLocked(), studyId, graceMs);
            List<FrozenTrial> failed = new ArrayList<>();
            for (long id : stale) {
                Long last = Jdbc.queryLong(c, "SELECT " + dialect.nowMillis() + " - COALESCE(heartbeat_ms, started_ms) "
                        + "FROM hpo_trials WHERE trial_id = ?", id);
                if (Jdbc.update(c, "UPDATE hpo_trials SET state = 'FAIL', finished_ms = " + dialect.nowMillis()
                        + " WHERE trial_id = ? AND state = 'RUNNING'", id) == 1) {
                    putAttr(c, "hpo_trial_system_attrs", id, "fail_reason", json("no heartbeat for " + last
                            + " ms (grace " + graceMs + " ms): its worker is presumed dead"));
                    failed.add(readTrials(c, "t.trial_id = ?", id).get(0));
                }
            }
            if (!failed.isEmpty()) {
                LOG.info("failed {} stale trial(s) of study {}: numbers {}", failed.size(), studyId,
                        failed.stream().map(FrozenTrial::number).toList());
            }
            return failed;
        });
    }

    private record TrialRow(long studyId, TrialState state, int number) {
    }

    /** Reads (and on PostgreSQL locks) a trial row. */
    private TrialRow lockTrial(Connection c, long trialId) throws SQLException {
        try (PreparedStatement ps = Jdbc.prepare(c, "SELECT study_id, state, number FROM hpo_trials WHERE trial_id = ?"
                + dialect.forUpdate(), trialId); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalArgumentException("no trial with id " + trialId + " in " + displayUrl);
            }
            return new TrialRow(rs.getLong(1), TrialState.valueOf(rs.getString(2)), rs.getInt(3));
        }
    }

    private static void requireUpdatable(TrialRow row, String what) {
        if (row.state != TrialState.RUNNING) {
            throw new IllegalStateException("cannot " + what + " trial " + row.number + ": it is " + row.state + ", not RUNNING");
        }
    }

    // ---------------------------------------------------------------------------------------
    // reads

    @Override
    public FrozenTrial trial(long trialId) {
        return tx(false, c -> {
            List<FrozenTrial> t = readTrials(c, "t.trial_id = ?", trialId);
            if (t.isEmpty()) {
                throw new IllegalArgumentException("no trial with id " + trialId + " in " + displayUrl);
            }
            return t.get(0);
        });
    }

    @Override
    public List<FrozenTrial> trials(long studyId, Set<TrialState> states) {
        Objects.requireNonNull(states, "states");
        Set<TrialState> wanted = states.isEmpty() ? EnumSet.allOf(TrialState.class) : EnumSet.copyOf(states);
        // the states are enum names, safe to inline
        String where = wanted.size() == TrialState.values().length ? "t.study_id = ?"
                : "t.study_id = ? AND t.state IN (" + wanted.stream().map(st -> "'" + st.name() + "'").collect(Collectors.joining(", ")) + ")";
        return tx(false, c -> {
            requireStudy(c, studyId, false);
            return readTrials(c, where, studyId);
        });
    }

    /** Loads full snapshots of the trials matching {@code where} (over alias {@code t}), ordered by number. */
    private List<FrozenTrial> readTrials(Connection c, String where, Object arg) throws SQLException {
        record Row(long id, int number, TrialState state, Long started, Long finished, Long samplerNs) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = Jdbc.prepare(c, "SELECT t.trial_id, t.number, t.state, t.started_ms, t.finished_ms, t.sampler_ns "
                + "FROM hpo_trials t WHERE " + where + " ORDER BY t.study_id, t.number", arg); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long started = rs.getLong(4);
                Long s = rs.wasNull() ? null : started;
                long finished = rs.getLong(5);
                Long f = rs.wasNull() ? null : finished;
                long samplerNs = rs.getLong(6);
                Long ns = rs.wasNull() ? null : samplerNs;
                rows.add(new Row(rs.getLong(1), rs.getInt(2), TrialState.valueOf(rs.getString(3)), s, f, ns));
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        // one round trip for params, values, intermediate values and both attribute tables
        String in = " IN (SELECT t.trial_id FROM hpo_trials t WHERE " + where + ")";
        String real = dialect.realType();
        String sql = "SELECT 'p' AS kind, trial_id, name AS k, seq AS i, value AS v, distribution AS s FROM hpo_trial_params WHERE trial_id" + in
                + " UNION ALL SELECT 'v', trial_id, CAST(NULL AS TEXT), objective, value, CAST(NULL AS TEXT) FROM hpo_trial_values WHERE trial_id" + in
                + " UNION ALL SELECT 'i', trial_id, CAST(NULL AS TEXT), step, value, CAST(NULL AS TEXT) FROM hpo_trial_intermediate WHERE trial_id" + in
                + " UNION ALL SELECT 'u', trial_id, attr_key, 0, CAST(NULL AS " + real + "), value_json FROM hpo_trial_user_attrs WHERE trial_id" + in
                + " UNION ALL SELECT 's', trial_id, attr_key, 0, CAST(NULL AS " + real + "), value_json FROM hpo_trial_system_attrs WHERE trial_id" + in
                + " ORDER BY 2, 1, 4, 3";
        Map<Long, Map<String, Double>> params = new HashMap<>();
        Map<Long, Map<String, Distribution>> dists = new HashMap<>();
        Map<String, Distribution> distCache = new HashMap<>();
        Map<Long, List<Double>> values = new HashMap<>();
        Map<Long, SortedMap<Integer, Double>> inter = new HashMap<>();
        Map<Long, Map<String, Object>> user = new HashMap<>();
        Map<Long, Map<String, Object>> system = new HashMap<>();
        try (PreparedStatement ps = Jdbc.prepare(c, sql, arg, arg, arg, arg, arg); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String kind = rs.getString(1);
                long id = rs.getLong(2);
                switch (kind) {
                    case "p" -> {
                        params.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(rs.getString(3), rs.getDouble(5));
                        dists.computeIfAbsent(id, x -> new LinkedHashMap<>())
                                .put(rs.getString(3), distCache.computeIfAbsent(rs.getString(6), Distribution::fromJson));
                    }
                    case "v" -> values.computeIfAbsent(id, x -> new ArrayList<>()).add(rs.getDouble(5));
                    case "i" -> inter.computeIfAbsent(id, x -> new TreeMap<>()).put(rs.getInt(4), rs.getDouble(5));
                    case "u", "s" -> {
                        Object v;
                        try {
                            v = JSON.readValue(rs.getString(6), Object.class);
                        } catch (JsonProcessingException e) {
                            throw new AutoMLException("unreadable attribute '" + rs.getString(3) + "' of trial id " + id + " in "
                                    + displayUrl + ": " + e.getOriginalMessage(), e);
                        }
                        (kind.equals("u") ? user : system).computeIfAbsent(id, x -> new LinkedHashMap<>()).put(rs.getString(3), v);
                    }
                    default -> throw new IllegalStateException("unexpected row kind " + kind);
                }
            }
        }
        List<FrozenTrial> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new FrozenTrial(r.id, r.number, r.state, values.getOrDefault(r.id, List.of()),
                    params.getOrDefault(r.id, Map.of()), dists.getOrDefault(r.id, Map.of()), user.getOrDefault(r.id, Map.of()),
                    system.getOrDefault(r.id, Map.of()), inter.getOrDefault(r.id, new TreeMap<>()),
                    Optional.ofNullable(r.started).map(Instant::ofEpochMilli), Optional.ofNullable(r.finished).map(Instant::ofEpochMilli),
                    Optional.ofNullable(r.samplerNs).map(Duration::ofNanos)));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------
    // plumbing

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.close();
            LOG.debug("closed study storage {}", displayUrl);
        }
    }

    @Override
    public String toString() {
        return "JdbcStorage[" + displayUrl + "]";
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Marks a unique-constraint violation so that callers can turn it into a caller error. */
    private static final class UniqueViolation extends AutoMLException {
        private static final long serialVersionUID = 1L;

        UniqueViolation(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs {@code work} in one transaction (a write transaction takes the write lock up front on
     * SQLite), retrying the whole transaction on lock contention.
     */
    private <T> T tx(boolean write, SqlWork<T> work) {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
        long deadline = System.nanoTime() + RETRY_BUDGET_NANOS;
        for (int attempt = 1; ; attempt++) {
            Connection c;
            try {
                c = pool.borrow();
            } catch (SQLException e) {
                throw translate(e, "connect");
            }
            boolean discard = false;
            try {
                dialect.begin(c, write);
                T result = work.run(c);
                dialect.commit(c);
                return result;
            } catch (SQLException e) {
                discard = rollback(c) || dialect.isConnectionBroken(e);
                if (dialect.isRetryable(e) && System.nanoTime() < deadline) {
                    LOG.debug("retrying a transaction on {} after lock contention (attempt {}): {}", displayUrl, attempt, e.getMessage());
                    backoff(attempt);
                    continue;
                }
                throw translate(e, write ? "write" : "read");
            } catch (RuntimeException | Error e) {
                discard = rollback(c);
                throw e;
            } finally {
                pool.release(c, discard);
            }
        }
    }

    private <T> T withConnection(SqlWork<T> work) {
        Connection c;
        try {
            c = pool.borrow();
        } catch (SQLException e) {
            throw translate(e, "connect");
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(e, "configure");
        } finally {
            pool.release(c, false);
        }
    }

    /** @return true when the connection is unusable after the failed rollback */
    private boolean rollback(Connection c) {
        try {
            dialect.rollback(c);
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    private static void backoff(int attempt) {
        long capMs = Math.min(200, 5L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, capMs + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AutoMLException("interrupted while retrying a storage transaction", e);
        }
    }

    private AutoMLException translate(SQLException e, String what) {
        if (dialect.isUniqueViolation(e)) {
            return new UniqueViolation("unique constraint violated in " + displayUrl + ": " + e.getMessage(), e);
        }
        int sqliteCode = e.getErrorCode() & 0xff;
        if (dialect == Dialect.SQLITE && (sqliteCode == 26 || sqliteCode == 11)) { // SQLITE_NOTADB, SQLITE_CORRUPT
            return new AutoMLException("refusing to use " + displayUrl + ": it is not a SQLite database or it is corrupted ("
                    + e.getMessage() + "); it was left untouched. Point the storage to a new file or restore a backup.", e);
        }
        return new AutoMLException("study storage " + displayUrl + ": " + what + " failed: " + e.getMessage(), e);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value must be JSON-compatible (strings, numbers, booleans, null, lists, maps), was "
                    + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** @return the URL without the password parameter */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
