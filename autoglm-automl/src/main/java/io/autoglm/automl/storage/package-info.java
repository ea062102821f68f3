/** Study and trial storages: in-memory, embedded SQLite, PostgreSQL. */
package io.autoglm.automl.storage;
