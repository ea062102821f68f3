package io.autoglm;

/**
 * A model could not be loaded: missing file, a file the native library refused, no native
 * library for this platform, or native access not enabled.
 */
public class ModelLoadException extends AutoGLMException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and what to do */
    public ModelLoadException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause underlying failure
     */
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
