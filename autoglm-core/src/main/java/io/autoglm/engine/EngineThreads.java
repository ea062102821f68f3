package io.autoglm.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform threads that load models and run their decode loops, one per open model.
 *
 * <p>Why one thread per model, from load to close: llama.cpp b4916's OpenMP CPU backend keeps a
 * thread team per calling thread; decoding on another thread than the one that created and warmed
 * up the context collapses throughput.
 *
 * <p>Why the threads are pooled: when a model closes its thread goes back to an idle pool (kept
 * 60 s) for the next model. glibc gives every new thread its own malloc arena and keeps memory
 * freed there for that arena; with a fresh thread per model, load/close cycles grew the process by
 * ~40 MB per arena (measured: +600 MB after 40 cycles of stories260K, flat with reused threads).
 */
final class EngineThreads {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> Thread.ofPlatform().daemon().name("autoglm-engine-" + NAMES.incrementAndGet()).unstarted(r));

    private EngineThreads() {
    }

    /** Runs {@code body} on a pooled engine thread; the thread is handed back clean (interrupt cleared). */
    static void start(Runnable body) {
        POOL.execute(() -> {
            try {
                body.run();
            } finally {
                Thread.interrupted();
            }
        });
    }
}
