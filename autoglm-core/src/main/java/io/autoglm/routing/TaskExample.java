package io.autoglm.routing;

import java.util.Objects;

/**
 * One labelled example of a task: a request text and the task it asks for.
 *
 * @param task the task name: letters, digits, {@code _} and {@code -}, e.g. {@code code}
 * @param text the example request, not blank
 */
public record TaskExample(String task, String text) {
    /** Validates the fields. */
    public TaskExample {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(text, "text");
        if (!task.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("task must be 1-64 letters, digits, '_' or '-', was '" + task + "'");
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("text of a '" + task + "' example must not be blank");
        }
    }
}
