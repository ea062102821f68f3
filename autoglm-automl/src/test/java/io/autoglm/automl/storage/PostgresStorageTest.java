package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.automl.search.StudyDirection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on PostgreSQL ({@code AUTOGLM_TEST_PG_URL}); each test uses new schemas,
 * dropped afterwards.
 */
class PostgresStorageTest extends JdbcStorageContractTest {
    @Override
    protected String newDatabaseUrl() throws SQLException {
        return PgTestSupport.freshSchemaUrl();
    }

    @Override
    protected void dropDatabases() throws Exception {
        for (String u : urls) {
            PgTestSupport.dropSchema(u);
        }
    }

    @Override
    protected List<String> tables(Connection c) throws SQLException {
        return Dialect.POSTGRES.tableNames(c);
    }

    @Test
    void storagesOpen_takesPostgresUrls_andRedactsThePasswordInMessages() {
        try (Storage s = Storages.open(url)) {
            s.createStudy("via-factory", List.of(StudyDirection.MINIMIZE));
            assertThat(s.toString()).doesNotContain("password=autoglm").contains("postgresql");
        }
        assertThat(storage.findStudy("via-factory")).isPresent();
    }
}
