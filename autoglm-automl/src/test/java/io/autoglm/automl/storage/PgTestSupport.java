package io.autoglm.automl.storage;

import io.autoglm.testing.fixtures.Fixtures;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Finds the PostgreSQL server of the tests ({@code AUTOGLM_TEST_PG_URL}, exported by
 * {@code .ci/setup-postgres.sh}) and hands out empty schemas in it. Without the variable the tests
 * are skipped, except with {@code CI=true}, where they fail.
 */
final class PgTestSupport {
    private PgTestSupport() {
    }

    static String baseUrl() {
        String url = System.getenv("AUTOGLM_TEST_PG_URL");
        Fixtures.require(url != null && !url.isBlank(), "PostgreSQL (AUTOGLM_TEST_PG_URL)",
                "run '. .ci/setup-postgres.sh' to start a local PostgreSQL and export AUTOGLM_TEST_PG_URL");
        return url;
    }

    /** @return the URL of a new empty schema (selected with currentSchema) */
    static String freshSchemaUrl() throws SQLException {
        String base = baseUrl();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchema(String url) throws SQLException {
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(baseUrl()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
