package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.Distribution.FloatDistribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The storage contract plus what a JDBC database adds: reopening, schema versions, foreign databases. */
abstract class JdbcStorageContractTest extends StorageContractTest {
    /** JDBC URLs of the databases this test created (for clean-up). */
    protected final List<String> urls = new ArrayList<>();
    /** The URL of {@link #storage}'s database. */
    protected String url;

    /** @return the JDBC URL of a new, empty database */
    protected abstract String newDatabaseUrl() throws Exception;

    @Override
    protected Storage newStorage() throws Exception {
        url = newDatabaseUrl();
        urls.add(url);
        return JdbcStorage.open(url, new Properties());
    }

    /** Deletes the databases. */
    protected void dropDatabases() throws Exception {
    }

    @AfterEach
    void drop() throws Exception {
        if (storage != null) {
            storage.close();
        }
        dropDatabases();
    }

    private static Connection raw(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    @Test
    void reopen_findsStudyByName_withTrialsIntact_andContinuesTheNumbering() {
        StudyRef s = storage.createStudy("resume-me", List.of(StudyDirection.MAXIMIZE));
        FrozenTrial t0 = storage.startTrial(s.studyId(), "w");
        storage.setTrialParam(t0.trialId(), "x", 0.25, new FloatDistribution(0, 1, false, null));
        storage.setTrialIntermediateValue(t0.trialId(), 0, 0.1);
        storage.setTrialUserAttr(t0.trialId(), "note", "kept");
        storage.finishTrial(t0.trialId(), TrialState.COMPLETE, List.of(0.75));
        FrozenTrial t1 = storage.startTrial(s.studyId(), "w");
        storage.enqueueTrial(s.studyId(), java.util.Map.of("x", 0.5));
        List<FrozenTrial> before = storage.trials(s.studyId(), Set.of());
        storage.close();

        storage = JdbcStorage.open(url, new Properties());
        StudyRef again = storage.findStudy("resume-me").orElseThrow();
        assertThat(again).isEqualTo(s);
        assertThat(storage.trials(again.studyId(), Set.of())).containsExactlyElementsOf(before);
        assertThat(storage.trial(t1.trialId()).state()).isEqualTo(TrialState.RUNNING);
        FrozenTrial claimed = storage.startTrial(again.studyId(), "w2");
        assertThat(claimed.number()).isEqualTo(2);
        assertThat(storage.startTrial(again.studyId(), "w2").number()).isEqualTo(3);
    }

    @Test
    void databaseWithForeignTables_isRefused_andLeftIntact() throws Exception {
        String other = newDatabaseUrl();
        urls.add(other);
        try (Connection c = raw(other); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
            s.execute("INSERT INTO customers VALUES (1, 'Ada')");
        }

        assertThatThrownBy(() -> JdbcStorage.open(other, new Properties())).isInstanceOf(AutoMLException.class)
                .hasMessageContaining("another application").hasMessageContaining("customers");

        try (Connection c = raw(other); Statement s = c.createStatement()) {
            assertThat(tables(c)).containsExactly("customers");
            var rs = s.executeQuery("SELECT name FROM customers WHERE id = 1");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Ada");
        }
    }

    @Test
    void newerSchemaVersion_isRefused_andLeftIntact() throws Exception {
        StudyRef s = storage.createStudy("from-the-future", List.of(StudyDirection.MINIMIZE));
        storage.close();
        try (Connection c = raw(url); Statement st = c.createStatement()) {
            st.execute("UPDATE hpo_schema_version SET version = 99");
        }

        assertThatThrownBy(() -> JdbcStorage.open(url, new Properties())).isInstanceOf(AutoMLException.class)
                .hasMessageContaining("99").hasMessageContaining("newer");

        try (Connection c = raw(url); Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT version FROM hpo_schema_version");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(99);
            var names = st.executeQuery("SELECT name FROM hpo_studies");
            assertThat(names.next()).isTrue();
            assertThat(names.getString(1)).isEqualTo(s.name());
        }
    }

    @Test
    void olderSchemaVersions_areMigratedOnOpen_keepingTheirStudiesAndTrials() throws Exception {
        JdbcStorage probe = (JdbcStorage) storage;
        for (int version = 1; version < JdbcStorage.SCHEMA_VERSION; version++) {
            String old = newDatabaseUrl();
            urls.add(old);
            try (Connection c = raw(old); Statement st = c.createStatement()) {
                for (int v = 0; v < version; v++) {
                    for (String sql : probe.migrationStatements(v)) {
                        st.execute(sql);
                    }
                }
                st.execute("INSERT INTO hpo_schema_version (application, version) VALUES ('autoglm-hpo', " + version + ")");
                st.execute("INSERT INTO hpo_studies (name, directions, next_number, created_ms) VALUES ('old-study', 'MINIMIZE', 1, 0)");
                // a COMPLETE trial with one int parameter, written as a version-1/2 AutoGLM wrote it
                st.execute("INSERT INTO hpo_trials (study_id, number, state, started_ms, finished_ms) "
                        + "SELECT study_id, 0, 'COMPLETE', 1000, 2000 FROM hpo_studies WHERE name = 'old-study'");
                st.execute("INSERT INTO hpo_trial_params (trial_id, name, seq, value, distribution) SELECT trial_id, 'k', 0, 3, "
                        + "'{\"kind\":\"int\",\"low\":1,\"high\":8,\"log\":false,\"step\":1}' FROM hpo_trials");
                st.execute("INSERT INTO hpo_trial_values (trial_id, objective, value) SELECT trial_id, 0, 0.5 FROM hpo_trials");
            }

            try (Storage migrated = JdbcStorage.open(old, new Properties())) {
                StudyRef s = migrated.findStudy("old-study").orElseThrow();
                FrozenTrial kept = migrated.trials(s.studyId(), java.util.Set.of()).getFirst();
                assertThat(kept.state()).isEqualTo(TrialState.COMPLETE);
                assertThat(kept.value()).isEqualTo(0.5);
                assertThat(kept.params()).containsExactly(java.util.Map.entry("k", 3));
                assertThat(kept.intParam("k")).isEqualTo(3);
                assertThat(kept.samplerTime()).as("not measured before version 3").isEmpty();
                FrozenTrial next = migrated.startTrial(s.studyId(), "w");
                assertThat(next.number()).isEqualTo(1);
                migrated.finishTrial(next.trialId(), TrialState.COMPLETE, List.of(0.1), java.time.Duration.ofMillis(7));
                assertThat(migrated.trial(next.trialId()).samplerTime()).contains(java.time.Duration.ofMillis(7));
            }
            try (Connection c = raw(old); Statement st = c.createStatement()) {
                var rs = st.executeQuery("SELECT version FROM hpo_schema_version");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("migrated from %d", version).isEqualTo(JdbcStorage.SCHEMA_VERSION);
            }
        }
    }

    @Test
    void finishTrial_rejectsNonFiniteOrMiscountedValues_leavingTheTrialRunning() {
        StudyRef s = storage.createStudy("strict", List.of(StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE));
        FrozenTrial t = storage.startTrial(s.studyId(), "w");
        assertThatThrownBy(() -> storage.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 value(s)");
        assertThatThrownBy(() -> storage.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(1.0, Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
        assertThatThrownBy(() -> storage.finishTrial(t.trialId(), TrialState.PRUNED, List.of(1.0, 2.0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.trial(t.trialId()).state()).isEqualTo(TrialState.RUNNING);
        assertThat(storage.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(1.0, 2.0))).isTrue();
        assertThat(storage.trial(t.trialId()).values()).containsExactly(1.0, 2.0);
    }

    @Test
    void manyStoragesOpeningOneEmptyDatabaseAtOnce_allSucceed_andShareOneSchema() throws Exception {
        String fresh = newDatabaseUrl();
        urls.add(fresh);
        int n = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        var go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Long>> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "opener-" + i;
            opened.add(pool.submit(() -> {
                go.await();
                try (Storage s = JdbcStorage.open(fresh, new Properties())) {
                    return s.createStudy(name, List.of(StudyDirection.MINIMIZE)).studyId();
                }
            }));
        }
        go.countDown();
        List<Long> ids = new ArrayList<>();
        for (var f : opened) {
            ids.add(f.get());
        }
        pool.shutdown();
        assertThat(ids).doesNotHaveDuplicates();
        try (Storage s = JdbcStorage.open(fresh, new Properties())) {
            assertThat(s.studies()).hasSize(n);
        }
    }

    /** @return the table names of the database (SQLite) or current schema (PostgreSQL), lower case */
    protected abstract List<String> tables(Connection c) throws SQLException;
}
