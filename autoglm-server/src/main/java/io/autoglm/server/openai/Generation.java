package io.autoglm.server.openai;

import io.autoglm.Completion;
import io.autoglm.TokenChunk;
import io.autoglm.TokenListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The choices of one request, generating on virtual threads of their own, read by the transport as
 * a sequence of {@link Event}s. The model's token listeners only ever <em>offer</em> to a buffer
 * bounded to {@code capacity} undelivered tokens, so a slow reader never holds up the engine: when
 * the buffer is full the generation is cancelled ({@link #overflowed()}) and only this request ends.
 * {@link #cancel()} stops every choice within one decode step, also while they still wait in the
 * model's queue.
 */
public final class Generation implements AutoCloseable {
    /** Something that happened to one choice. */
    public sealed interface Event {
        /** @return the choice index */
        int choice();
    }

    /**
     * @param choice the choice
     * @param chunk the chunk generated
     */
    public record Token(int choice, TokenChunk chunk) implements Event {
    }

    /**
     * @param choice the choice
     * @param completion its whole completion
     */
    public record Done(int choice, Completion completion) implements Event {
    }

    /**
     * @param choice the choice
     * @param error why it failed
     */
    public record Failed(int choice, RuntimeException error) implements Event {
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final int capacity;
    private final boolean streaming;
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicIntegerArray producing;
    private volatile boolean cancelled;
    private volatile boolean overflowed;

    private Generation(int n, int capacity, boolean streaming) {
        this.capacity = capacity;
        this.streaming = streaming;
        this.producing = new java.util.concurrent.atomic.AtomicIntegerArray(n);
    }

    /**
     * Starts {@code n} choices.
     *
     * @param n how many choices, &gt;= 1
     * @param streaming true to deliver {@link Token} events; false to deliver only the ends
     * @param capacity most tokens buffered for the reader before the generation is cancelled
     * @param run runs choice {@code i} with the given listener and returns its completion
     * @return the running generation
     */
    public static Generation start(int n, boolean streaming, int capacity, ChoiceRunner run) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        Generation g = new Generation(n, capacity, streaming);
        for (int i = 0; i < n; i++) {
            int choice = i;
            g.threads.add(Thread.ofVirtual().name("autoglm-choice-" + i).unstarted(() -> g.runChoice(choice, run)));
        }
        g.threads.forEach(Thread::start);
        return g;
    }

    /** Runs one choice: {@code (index, listener) -> completion}. */
    @FunctionalInterface
    public interface ChoiceRunner {
        /**
         * @param choice the choice index
         * @param listener to hand to the model call
         * @return the completion
         */
        Completion run(int choice, TokenListener listener);
    }

    private void runChoice(int choice, ChoiceRunner run) {
        TokenListener listener = chunk -> {
            producing.lazySet(choice, 1);
            if (cancelled) {
                return false;
            }
            if (!streaming) {
                return true;
            }
            if (buffered.incrementAndGet() > capacity) {
                overflowed = true;
                cancelled = true;
                return false;
            }
            events.add(new Token(choice, chunk));
            return true;
        };
        try {
            events.add(new Done(choice, run.run(choice, listener)));
        } catch (RuntimeException e) {
            events.add(new Failed(choice, e));
        } catch (Error e) {
            events.add(new Failed(choice, new IllegalStateException("generation failed: " + e, e)));
            throw e;
        }
    }

    /**
     * @param timeout how long to wait
     * @param unit its unit
     * @return the next event, or null when none came in time
     * @throws InterruptedException when the reading thread is interrupted
     */
    public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
        Event e = events.poll(timeout, unit);
        if (e instanceof Token) {
            buffered.decrementAndGet();
        }
        return e;
    }

    /** @return the next event if one is ready, else null */
    public Event pollNow() {
        Event e = events.poll();
        if (e instanceof Token) {
            buffered.decrementAndGet();
        }
        return e;
    }

    /**
     * Stops every choice: one that is producing tokens at its next token (its listener says stop, and
     * its completion ends {@code CANCELLED}); one still waiting for the model (queued or reading its
     * prompt) at once, by interrupting its thread. Idempotent.
     */
    public void cancel() {
        cancelled = true;
        for (int i = 0; i < threads.size(); i++) {
            Thread t = threads.get(i);
            if (t.isAlive() && producing.get(i) == 0) {
                t.interrupt();
            }
        }
    }

    /** @return true once {@link #cancel()} was called or the buffer overflowed */
    public boolean cancelled() {
        return cancelled;
    }

    /** @return true when the reader fell more than the buffer behind and the generation was cancelled */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * Waits for every choice thread to end (after {@link #cancel()}, within one decode step).
     *
     * @param timeout most time to wait
     * @param unit its unit
     * @return true when all ended
     * @throws InterruptedException when interrupted
     */
    public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Cancels the generation if it still runs. */
    @Override
    public void close() {
        if (threads.stream().anyMatch(Thread::isAlive)) {
            cancel();
        }
    }

    /**
     * Reads every event to the end (non-streaming use).
     *
     * @param deadlineNanos {@link System#nanoTime()} by which all choices must end
     * @param n number of choices
     * @param onEvent receives each event; returns a value to stop early with it
     * @param <T> the early result
     * @return the early result, or null when all choices ended
     * @throws InterruptedException when interrupted
     * @throws java.util.concurrent.TimeoutException when the deadline passed first
     */
    public <T> T drain(long deadlineNanos, int n, Function<Event, T> onEvent)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        int ended = 0;
        while (ended < n) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new java.util.concurrent.TimeoutException();
            }
            Event e = poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                continue;
            }
            if (e instanceof Done || e instanceof Failed) {
                ended++;
            }
            T r = onEvent.apply(e);
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
