package io.autoglm.engine;

import io.autoglm.backend.BackendModel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Work that needs the decode thread to itself: it runs between steps once no sequence is running
 * (benchmark hooks, thread affinity). The KV memory is cleared before it runs.
 */
final class TaskRequest<T> extends Request {
    final Function<BackendModel, T> body;
    final CompletableFuture<T> result = new CompletableFuture<>();

    TaskRequest(Function<BackendModel, T> body) {
        this.body = body;
    }

    void run(BackendModel model) {
        try {
            result.complete(body.apply(model));
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    @Override
    void fail(Throwable reason) {
        result.completeExceptionally(reason);
    }

    @Override
    boolean isDone() {
        return result.isDone();
    }
}
