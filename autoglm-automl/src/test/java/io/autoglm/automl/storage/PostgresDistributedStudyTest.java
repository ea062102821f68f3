package io.autoglm.automl.storage;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The distributed-study suite on PostgreSQL ({@code AUTOGLM_TEST_PG_URL}), one new schema per test. */
class PostgresDistributedStudyTest extends DistributedStudyContractTest {
    private final List<String> urls = new ArrayList<>();

    @Override
    protected String newStorageUrl() throws Exception {
        String url = PgTestSupport.freshSchemaUrl();
        urls.add(url);
        return url;
    }

    @AfterEach
    void dropSchemas() throws Exception {
        for (String u : urls) {
            PgTestSupport.dropSchema(u);
        }
    }
}
