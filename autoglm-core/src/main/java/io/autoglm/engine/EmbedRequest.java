package io.autoglm.engine;

import java.util.concurrent.CompletableFuture;

/** Token sequences to embed; the decode thread packs several into each native call, between steps. */
final class EmbedRequest extends Request {
    final int[][] inputs;
    final boolean normalize;
    final float[][] vectors;
    /** next input to embed (decode thread) */
    int next;
    final CompletableFuture<float[][]> result = new CompletableFuture<>();

    EmbedRequest(int[][] inputs, boolean normalize) {
        this.inputs = inputs;
        this.normalize = normalize;
        this.vectors = new float[inputs.length][];
    }

    int tokens() {
        long n = 0;
        for (int[] in : inputs) {
            n += in.length;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
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
