/**
 * Study and trial storages behind the {@link io.autoglm.automl.storage.Storage} SPI:
 * {@link io.autoglm.automl.storage.InMemoryStorage} (the default, one JVM), and
 * {@link io.autoglm.automl.storage.JdbcStorage} on an embedded SQLite file or on PostgreSQL for studies
 * shared by several processes and machines. {@link io.autoglm.automl.storage.Storages#open(String)}
 * opens any of them from a URL ({@code memory:}, {@code sqlite:/path/file.db},
 * {@code jdbc:postgresql://host/db}).
 */
package io.autoglm.automl.storage;
