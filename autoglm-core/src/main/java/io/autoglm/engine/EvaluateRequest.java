package io.autoglm.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A token sequence whose logits after every position go to a caller-side consumer (perplexity, KL
 * divergence). Evaluated as a sequence of its own in the shared batch; rows are copied on the
 * decode thread and handed over through {@link #rows}, and the decode thread does not feed the next
 * chunk while more than {@link #MAX_PENDING_ROWS} rows wait for the caller, so memory stays bounded
 * and a slow consumer slows only itself.
 */
final class EvaluateRequest extends Request {
    static final int MAX_PENDING_ROWS = 256;
    static final Object END = new Object();

    final int[] tokens;
    /** {@code Row} objects, then {@link #END} (decode thread to caller) */
    final LinkedBlockingQueue<Object> rows = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> result = new CompletableFuture<>();

    /** One position's logits. */
    record Row(int position, float[] logits) {
    }

    EvaluateRequest(int[] tokens) {
        this.tokens = tokens;
    }

    /** Decode thread: true when the caller has fallen behind. */
    boolean backlogged() {
        return rows.size() > MAX_PENDING_ROWS;
    }

    void finish() {
        rows.add(END);
        result.complete(null);
    }

    @Override
    void fail(Throwable reason) {
        rows.add(END);
        result.completeExceptionally(reason);
    }

    @Override
    boolean isDone() {
        return result.isDone();
    }
}
