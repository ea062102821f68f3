package io.autoglm.grammar;

/**
 * A JSON Schema the grammar compiler cannot turn into a grammar (an unsupported keyword, a remote
 * {@code $ref}, a constraint no value can meet). The message names the JSON pointer of the
 * offending place and says what is supported; docs/structured-output.md lists it all.
 */
public class UnsupportedSchemaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String pointer;
    private final String reason;

    /**
     * @param pointer JSON pointer (RFC 6901) of the offending keyword in the schema, {@code ""} for the root
     * @param reason what is wrong and what is supported
     */
    public UnsupportedSchemaException(String pointer, String reason) {
        this("JSON schema", pointer, reason);
    }

    /** @param what which schema, for the message (e.g. "parameters of tool 'x'") */
    UnsupportedSchemaException(String what, String pointer, String reason) {
        super("unsupported " + what + " at " + JsonPointer.show(pointer) + ": " + reason);
        this.pointer = pointer;
        this.reason = reason;
    }

    /** @return what is wrong and what is supported (the message without the location) */
    public String reason() {
        return reason;
    }

    /** @return the JSON pointer of the offending keyword, {@code ""} for the schema root */
    public String pointer() {
        return pointer;
    }
}
