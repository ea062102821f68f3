package io.autoglm.engine;

import io.autoglm.Completion;
import io.autoglm.TokenChunk;
import io.autoglm.TokenStream;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A {@link TokenStream} over a {@link GenerationRequest}'s chunk queue: the decode thread adds
 * chunks, the reader takes them on its own thread. The queue holds at most {@code maxTokens} chunks,
 * so a slow reader never stalls the model for other callers.
 */
final class EngineTokenStream implements TokenStream {
    private final ServingModel model;
    private final GenerationRequest request;
    private TokenChunk next;
    private boolean done;

    EngineTokenStream(ServingModel model, GenerationRequest request) {
        this.model = model;
        this.request = request;
    }

    @Override
    public synchronized boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        Object o;
        try {
            o = request.chunks.take();
        } catch (InterruptedException e) {
            model.cancel(request);
            Thread.currentThread().interrupt();
            throw new io.autoglm.AutoGLMException("interrupted while waiting for the next token; the generation was cancelled", e);
        }
        if (o == GenerationRequest.END) {
            done = true;
            if (request.result.isCompletedExceptionally()) {
                result(); // throws the failure (context overflow, closed model, ...)
            }
            return false;
        }
        next = (TokenChunk) o;
        return true;
    }

    @Override
    public synchronized TokenChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the generation has ended");
        }
        TokenChunk c = next;
        next = null;
        return c;
    }

    @Override
    public void cancel() {
        model.cancel(request);
    }

    @Override
    public Completion result() {
        return model.await(request.result, request);
    }

    @Override
    public Stream<TokenChunk> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    @Override
    public void close() {
        if (!request.result.isDone()) {
            model.cancel(request);
        }
    }

    @Override
    public String toString() {
        return "TokenStream[" + model + ", done=" + request.result.isDone() + "]";
    }
}
