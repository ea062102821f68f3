package io.autoglm.automl.storage;

import io.autoglm.automl.search.StudyDirection;
import java.util.List;
import java.util.Objects;

/**
 * A study as a storage knows it.
 *
 * @param studyId storage-wide id
 * @param name unique name
 * @param directions one direction per objective
 */
public record StudyRef(long studyId, String name, List<StudyDirection> directions) {
    /** Validates and copies. */
    public StudyRef {
        Objects.requireNonNull(name, "name");
        directions = List.copyOf(directions);
        if (directions.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one direction");
        }
    }
}
