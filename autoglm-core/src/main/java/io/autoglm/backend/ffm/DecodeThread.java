package io.autoglm.backend.ffm;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one platform thread on which a model's native context work runs, from context creation and
 * warm-up to every {@code llama_decode}, in submission order.
 *
 * <p>Why one thread: llama.cpp b4916's OpenMP CPU backend keeps a thread team per calling thread;
 * decoding on another thread than the one that warmed the context up collapses throughput.
 *
 * <p>Why the threads are pooled: a model holds its thread exclusively while open, but when it
 * closes the thread goes back to an idle pool (kept 60 s) for the next model. glibc gives every
 * new thread its own malloc arena and keeps memory freed there for that arena; with a fresh thread
 * per model, load/close cycles grew the process by ~40 MB per arena (measured: +600 MB after 40
 * cycles of stories260K, flat with reused threads). Reuse also keeps the OpenMP team.
 */
final class DecodeThread {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> Thread.ofPlatform().daemon().name("autoglm-ffm-decode-" + NAMES.incrementAndGet()).unstarted(r));
    private static final FutureTask<Void> STOP = new FutureTask<>(() -> null);

    private final LinkedBlockingQueue<FutureTask<?>> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Thread thread;
    private boolean shutdown; // guarded by this

    DecodeThread() {
        WORKERS.execute(this::loop);
        boolean interrupted = false;
        while (true) {
            try {
                started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        thread = Thread.currentThread();
        started.countDown();
        try {
            while (true) {
                FutureTask<?> task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    continue; // only shutdown() ends the loop: native work is never abandoned
                }
                if (task == STOP) {
                    return;
                }
                task.run();
            }
        } finally {
            thread = null;
            Thread.interrupted(); // hand the worker back clean
            finished.countDown();
        }
    }

    /** @return true when called on this decode thread */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Queues a task; tasks run one at a time in submission order. */
    <T> FutureTask<T> submit(Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        synchronized (this) {
            if (shutdown) {
                throw new RejectedExecutionException("decode thread shut down");
            }
            queue.add(f);
        }
        return f;
    }

    /** Lets queued tasks finish, then returns the thread to the pool. Idempotent. */
    synchronized void shutdown() {
        if (!shutdown) {
            shutdown = true;
            queue.add(STOP);
        }
    }

    /** Waits until the loop has ended after {@link #shutdown()}. */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }
}
