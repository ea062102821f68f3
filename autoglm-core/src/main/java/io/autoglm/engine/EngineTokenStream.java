package io.autoglm.engine;

import io.autoglm.Completion;
import io.autoglm.TokenChunk;
import io.autoglm.TokenStream;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A {@link TokenStream} fed by a {@link GenerationJob}: chunks are queued by the generating thread
 * and taken by the reader. The queue is unbounded (at most {@code maxTokens} chunks) so a slow
 * reader never stalls the model for other callers.
 */
final class EngineTokenStream implements TokenStream {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private GenerationJob job;
    private final ServingModel model;
    private TokenChunk next;
    private boolean done;

    EngineTokenStream(ServingModel model) {
        this.model = model;
    }

    /** Called once, before the job is queued. */
    void attach(GenerationJob job) {
        this.job = job;
        job.result.whenComplete((c, e) -> chunks.add(END));
    }

    /** The job's listener: never cancels by itself. */
    boolean offer(TokenChunk chunk) {
        chunks.add(chunk);
        return true;
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
            o = chunks.take();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new io.autoglm.AutoGLMException("interrupted while waiting for the next token; the generation was cancelled", e);
        }
        if (o == END) {
            done = true;
            if (job.result.isCompletedExceptionally()) {
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
        job.cancel();
    }

    @Override
    public Completion result() {
        return model.await(job.result, job);
    }

    @Override
    public Stream<TokenChunk> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    @Override
    public void close() {
        if (!job.result.isDone()) {
            job.cancel();
        }
    }

    @Override
    public String toString() {
        return "TokenStream[" + model + ", done=" + job.result.isDone() + "]";
    }
}
