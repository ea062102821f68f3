package io.autoglm.hub;

import io.autoglm.ModelLoadException;

/**
 * A model reference names nothing that can be had: no such file, no such catalog name, a hub 404, or a model that
 * is neither cached nor on {@code AUTOGLM_MODELS} while offline. The message says what to do.
 */
public class ModelNotFoundException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    /** @param message what was looked for, where, and what to do */
    public ModelNotFoundException(String message) {
        super(message);
    }
}
