package io.autoglm.automl.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens a {@link Storage} from a URL.
 *
 * <pre>{@code
 * try (Storage s = Storages.open("sqlite:/data/hpo/study.db")) { ... }
 * try (Storage s = Storages.open("jdbc:postgresql://db:5432/hpo?user=hpo&password=secret")) { ... }
 * }</pre>
 */
public final class Storages {
    private Storages() {
    }

    /**
     * @param url one of {@code memory:} (a new {@link InMemoryStorage}), {@code sqlite:/path/file.db}, {@code jdbc:sqlite:/path/file.db},
     *     {@code jdbc:postgresql://host:port/db[?user=..&password=..]} (user and password default
     *     to the environment variables {@code PGUSER} and {@code PGPASSWORD})
     * @return the opened storage; the caller closes it
     * @throws IllegalArgumentException for an unsupported URL
     * @throws io.autoglm.automl.AutoMLException when the database cannot be opened or is not a study database
     */
    public static Storage open(String url) {
        Objects.requireNonNull(url, "url");
        String u = url.strip();
        if (u.equals("memory:")) {
            return new InMemoryStorage();
        }
        if (u.startsWith("sqlite:")) {
            String path = u.substring("sqlite:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("url must name a file after sqlite:, was " + url);
            }
            return JdbcStorage.sqlite(Path.of(path));
        }
        if (u.startsWith("jdbc:sqlite:") || u.startsWith("jdbc:postgresql:")) {
            return JdbcStorage.open(u, new Properties());
        }
        throw new IllegalArgumentException("url must be memory:, sqlite:/path/file.db, jdbc:sqlite:/path/file.db or "
                + "jdbc:postgresql://host:port/database, was " + JdbcStorage.redact(url));
    }
}
