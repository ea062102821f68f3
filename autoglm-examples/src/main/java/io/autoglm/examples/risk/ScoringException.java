package io.autoglm.examples.risk;

/**
 * One record could not be scored; nothing of it was written. The stream goes on with the next record.
 */
public final class ScoringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        /** The record itself is wrong: malformed, a missing field, an unknown customer, a duplicate id. */
        BAD_INPUT,
        /** The database failed or went away. */
        DATABASE
    }

    private final Kind kind;

    /**
     * @param kind why
     * @param message one line naming the field or the database, the value and the limit
     * @param cause the underlying error, or null
     */
    public ScoringException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** @return why the record failed */
    public Kind kind() {
        return kind;
    }
}
