package io.autoglm.automl.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The distributed-study suite on one embedded SQLite file shared by processes and threads. */
class SqliteDistributedStudyTest extends DistributedStudyContractTest {
    @TempDir
    Path dir;

    @Override
    protected String newStorageUrl() {
        return "sqlite:" + dir.resolve("shared.db");
    }
}
