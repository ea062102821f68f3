package io.autoglm.quant;

import io.autoglm.AutoGLMException;

/** Quantizing a model failed: the output could not be written, a tensor held NaN/Inf, or the run was interrupted. */
public class QuantizationException extends AutoGLMException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and what to do */
    public QuantizationException(String message) {
        super(message);
    }

    /** @param message what failed and what to do @param cause underlying failure */
    public QuantizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
