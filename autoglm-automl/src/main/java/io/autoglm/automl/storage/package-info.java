/**
 * Study and trial storages behind the {@link io.autoglm.automl.storage.Storage} SPI:
 * {@link io.autoglm.automl.storage.InMemoryStorage} (the default, one JVM), and JDBC storages (SQLite,
 * PostgreSQL) for studies shared by several processes.
 */
package io.autoglm.automl.storage;
