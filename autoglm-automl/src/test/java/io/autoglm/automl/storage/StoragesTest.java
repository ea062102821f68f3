package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.AutoMLException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL handling of {@link Storages#open(String)} that needs no database server. */
class StoragesTest {
    @TempDir
    Path dir;

    @Test
    void unreachablePostgres_failsWithAClearMessage_withoutThePassword() {
        assertThatThrownBy(() -> Storages.open("jdbc:postgresql://127.0.0.1:1/nowhere?user=u&password=secret&connectTimeout=2"))
                .isInstanceOf(AutoMLException.class).hasMessageContaining("connect failed").hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining("secret");
    }

    @Test
    void badUrls_areRejectedAsCallerErrors() {
        assertThatThrownBy(() -> Storages.open("sqlite:")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Storages.open("jdbc:mysql://h/db?password=secret")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Storages.open("sqlite:" + dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("directory");
        assertThatThrownBy(() -> Storages.open(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void sqlitePathInMissingDirectories_isCreated() throws Exception {
        Path file = dir.resolve("nested/a/b.db");
        try (Storage s = Storages.open("sqlite:" + file)) {
            assertThat(s.studies()).isEmpty();
        }
        assertThat(Files.size(file)).isPositive();
    }
}
