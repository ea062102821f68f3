package io.autoglm.backend.ffm;

import io.autoglm.backend.BackendModel;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Raw native access to a model loaded by the FFM backend, for benchmarks and diagnostics that drive llama.cpp
 * directly beside the backend (autoglm-bench runs its C decode loop on the backend's own context this way). Not an
 * API for applications: this package is not exported by the module, and the pointers are only valid during the call.
 * The engine runs such calls on its decode thread while no request holds a sequence
 * ({@code io.autoglm.engine.EngineAccess}).
 */
public final class FfmDiagnostics {
    private FfmDiagnostics() {
    }

    /** Native work on a model's context. */
    @FunctionalInterface
    public interface ContextCall<T> {
        /**
         * @param context the {@code llama_context *}
         * @param vocab the {@code llama_vocab *}
         * @param library the libllama file the model was loaded with
         * @return a result
         * @throws Throwable anything; rethrown unchecked
         */
        T call(MemorySegment context, MemorySegment vocab, Path library) throws Throwable;
    }

    /**
     * Runs {@code call} with the model's context, its KV memory cleared first. Must run on the thread that loaded the
     * model (the engine's decode thread).
     *
     * @param model a generative model loaded by {@link FfmBackend}
     * @param call the native work
     * @param <T> the result type
     * @return what {@code call} returned
     * @throws IllegalArgumentException when the model was not loaded by the FFM backend
     * @throws IllegalStateException when called on another thread, or the model is closed or has no context
     */
    public static <T> T withContext(BackendModel model, ContextCall<T> call) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(call, "call");
        if (!(model instanceof FfmModel m)) {
            throw new IllegalArgumentException("not a model of the FFM backend: " + model.getClass().getName());
        }
        MemorySegment ctx = m.contextPointer();
        m.decoder().clearMemory();
        try {
            return call.call(ctx, m.vocabPointer(), m.libraryPath());
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            m.decoder().clearMemory();
        }
    }
}
