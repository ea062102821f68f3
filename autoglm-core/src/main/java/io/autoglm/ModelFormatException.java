package io.autoglm;

/**
 * A model file is not a valid GGUF file: truncated, corrupted, hostile or of an unsupported
 * version. The message names what is wrong and the byte offset where it was found.
 */
public class ModelFormatException extends AutoGLMException {
    private static final long serialVersionUID = 1L;
    private final long offset;

    /**
     * @param message what is wrong
     * @param offset byte offset in the file where the problem was found, or -1 when not known
     */
    public ModelFormatException(String message, long offset) {
        super(offset >= 0 ? message + " (at byte offset " + offset + ")" : message);
        this.offset = offset;
    }

    /**
     * @param message what is wrong
     * @param offset byte offset, or -1
     * @param cause underlying failure
     */
    public ModelFormatException(String message, long offset, Throwable cause) {
        super(offset >= 0 ? message + " (at byte offset " + offset + ")" : message, cause);
        this.offset = offset;
    }

    /** @return the byte offset in the file where the problem was found, or -1 when not known */
    public long offset() {
        return offset;
    }
}
