package io.autoglm.engine;

import io.autoglm.LanguageModel;
import io.autoglm.backend.BackendModel;
import java.util.Objects;
import java.util.function.Function;

/**
 * Engine internals for benchmarks and diagnostics (autoglm-bench runs native loops on a model's own
 * context and decode thread this way). Not an API for applications: this package is not exported.
 */
public final class EngineAccess {
    private EngineAccess() {
    }

    /**
     * Runs {@code body} on the model's decode thread once no request holds a sequence, with the KV
     * cache cleared (the prefix cache is dropped); new requests wait until it returns.
     *
     * @param model a model built by {@link io.autoglm.AutoGLM}
     * @param body the work, given the backend model
     * @param <T> the result type
     * @return what {@code body} returned
     * @throws IllegalArgumentException when the model was not built by the engine
     */
    public static <T> T runExclusive(LanguageModel model, Function<BackendModel, T> body) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(body, "body");
        if (!(model instanceof ServingModel s)) {
            throw new IllegalArgumentException("not a model of the engine: " + model.getClass().getName());
        }
        return s.runExclusive(body);
    }
}
