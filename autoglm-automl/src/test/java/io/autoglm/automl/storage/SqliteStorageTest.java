package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.StudyDirection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on an embedded SQLite file, plus file-level refusals. */
class SqliteStorageTest extends JdbcStorageContractTest {
    @TempDir
    Path dir;
    private final AtomicInteger files = new AtomicInteger();

    @Override
    protected String newDatabaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("study-" + files.incrementAndGet() + ".db");
    }

    @Override
    protected List<String> tables(Connection c) throws SQLException {
        return Dialect.SQLITE.tableNames(c);
    }

    private List<String> siblings(Path file) throws Exception {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(file.getFileName().toString())).sorted().toList();
        }
    }

    @Test
    void fileThatIsNotSqlite_isRefused_andLeftUntouched() throws Exception {
        Path notes = dir.resolve("notes.db");
        byte[] content = "these are my notes, not a database\n".repeat(200).getBytes(StandardCharsets.UTF_8);
        Files.write(notes, content);
        var modified = Files.getLastModifiedTime(notes);

        assertThatThrownBy(() -> Storages.open("sqlite:" + notes)).isInstanceOf(AutoMLException.class)
                .hasMessageContaining("not a SQLite database").hasMessageContaining(notes.toString());

        assertThat(Files.readAllBytes(notes)).isEqualTo(content);
        assertThat(Files.getLastModifiedTime(notes)).isEqualTo(modified);
        assertThat(siblings(notes)).containsExactly("notes.db");
    }

    @Test
    void corruptedStudyFile_isRefused_andLeftUntouched() throws Exception {
        Path file = dir.resolve("corrupt.db");
        try (Storage s = JdbcStorage.sqlite(file)) {
            s.createStudy("doomed", List.of(StudyDirection.MINIMIZE));
        }
        byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, 100, bytes.length, (byte) 0x5A); // keep the 100-byte header, destroy every page
        Files.write(file, bytes);

        assertThatThrownBy(() -> JdbcStorage.sqlite(file)).isInstanceOf(AutoMLException.class)
                .hasMessageContaining("corrupted");

        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    @Test
    void storagesOpen_acceptsSqliteUrls_andRejectsUnknownSchemes() {
        Path file = dir.resolve("sub/dir/by-url.db");
        try (Storage s = Storages.open("sqlite:" + file)) {
            s.createStudy("x", List.of(StudyDirection.MINIMIZE));
        }
        try (Storage s = Storages.open("jdbc:sqlite:" + file)) {
            assertThat(s.findStudy("x")).isPresent();
        }
        assertThatThrownBy(() -> Storages.open("mysql://localhost/db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql://localhost/db");
        assertThatThrownBy(() -> Storages.open("jdbc:sqlite::memory:")).isInstanceOf(IllegalArgumentException.class);
    }
}
