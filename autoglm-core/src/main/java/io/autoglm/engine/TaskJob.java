package io.autoglm.engine;

import io.autoglm.backend.BackendModel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A short backend call (tokenize, embed, evaluate, ...) run on the worker. */
final class TaskJob<T> extends Job {
    private final Function<BackendModel, T> body;
    final CompletableFuture<T> result = new CompletableFuture<>();

    TaskJob(Function<BackendModel, T> body) {
        this.body = body;
    }

    @Override
    void run(BackendModel backend) {
        if (cancelled) {
            result.cancel(false);
            return;
        }
        try {
            result.complete(body.apply(backend));
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    @Override
    void abort(RuntimeException reason) {
        result.completeExceptionally(reason);
    }
}
