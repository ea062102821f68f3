package io.autoglm.engine;

import io.autoglm.RequestRejectedException;
import io.autoglm.backend.BackendModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves jobs one at a time on one worker thread that owns the backend model, from a bounded
 * queue (full: {@link RequestRejectedException}). This is the seam for parallel sequence slots:
 * a scheduler that batches several generations into one context can replace it without changing
 * {@link ServingModel} or the public API. The worker closes the backend when it stops, so native
 * memory is never freed under a running request.
 */
final class SerialScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(SerialScheduler.class);

    private final BackendModel backend;
    private final BlockingQueue<Job> queue;
    private final int capacity;
    private final Thread worker;
    private final Object lock = new Object();
    private final String owner;
    private volatile boolean closed;
    private volatile Job current;
    private static final Job POISON = new TaskJob<>(b -> null);

    SerialScheduler(BackendModel backend, int capacity, String threadName, String owner) {
        this.backend = backend;
        this.capacity = capacity;
        this.owner = owner;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // +1: room for the stop marker
        this.worker = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::loop);
        worker.start();
    }

    boolean isClosed() {
        return closed;
    }

    /** @param job the job to queue @throws RequestRejectedException when {@code capacity} jobs already wait */
    void submit(Job job) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed: " + owner);
            }
            if (queue.size() >= capacity || !queue.offer(job)) {
                throw new RequestRejectedException("request queue of " + owner + " is full (" + capacity
                        + " requests waiting); retry later or build the model with a larger maxQueuedRequests");
            }
        }
    }

    /** @return requests waiting (not counting the running one) */
    int queued() {
        return queue.size();
    }

    private void loop() {
        try {
            while (true) {
                Job job;
                try {
                    job = queue.take();
                } catch (InterruptedException e) {
                    if (closed) {
                        break;
                    }
                    continue;
                }
                if (job == POISON) {
                    break;
                }
                current = job;
                try {
                    if (closed) {
                        job.abort(new IllegalStateException("closed: " + owner + " was closed before the request started"));
                    } else {
                        job.run(backend);
                    }
                } catch (Throwable t) {
                    // Jobs answer their callers themselves; reaching here is a bug, keep serving.
                    LOG.error("engine job failed unexpectedly on {}", owner, t);
                } finally {
                    current = null;
                }
            }
        } finally {
            List<Job> left = new ArrayList<>();
            queue.drainTo(left);
            left.stream().filter(j -> j != POISON)
                    .forEach(j -> j.abort(new IllegalStateException("closed: " + owner + " was closed before the request started")));
            backend.close();
            LOG.debug("engine worker of {} stopped; backend closed", owner);
        }
    }

    /**
     * Rejects waiting jobs, cancels the running one, waits for it to end (unless called from the
     * worker itself, e.g. inside a token listener), then the worker closes the backend. Idempotent.
     */
    void close() {
        List<Job> waiting = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.drainTo(waiting);
            queue.offer(POISON);
        }
        for (Job j : waiting) {
            j.abort(new IllegalStateException("closed: " + owner + " was closed before the request started"));
        }
        Job running = current;
        if (running != null) {
            running.cancel();
        }
        if (Thread.currentThread() == worker || Job.IN_CALLBACK.get()) {
            return;
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
