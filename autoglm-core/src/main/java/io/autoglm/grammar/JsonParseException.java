package io.autoglm.grammar;

/**
 * JSON text that {@link Json#parse(String)} rejects. The message names the offset (and line and
 * column) of the first problem; {@link #truncated()} tells text that ends early (for example
 * generation cut off by {@code maxTokens}) from text that is wrong.
 */
public class JsonParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final boolean truncated;

    /**
     * @param message what is wrong, with its position
     * @param offset the character offset of the problem in the text
     * @param truncated true when the text ended before the JSON value was complete
     */
    public JsonParseException(String message, int offset, boolean truncated) {
        super(message);
        this.offset = offset;
        this.truncated = truncated;
    }

    /** @return the character offset (UTF-16 index) of the problem */
    public int offset() {
        return offset;
    }

    /**
     * @return true when the text is a valid beginning of a JSON value that ended early, false when
     *         it contains an error
     */
    public boolean truncated() {
        return truncated;
    }
}
