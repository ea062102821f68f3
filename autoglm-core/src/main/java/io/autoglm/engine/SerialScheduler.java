package io.autoglm.engine;

import io.autoglm.FinishReason;
import io.autoglm.ModelStats;
import io.autoglm.RequestRejectedException;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.SerialBackendModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a backend that runs one whole generation at a time (the JNI binding): requests wait in a
 * bounded queue and run in order on the decode thread, each from a fresh context. Tokens go to the
 * request's own queue, so listeners and stream readers still run on their callers' threads.
 */
final class SerialScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(SerialScheduler.class);
    private static final Object STOP = new Object();

    private final SerialBackendModel backend;
    private final int capacity;
    private final String owner;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private final EngineStats stats;
    private final int contextSize;
    private volatile boolean closed;
    private volatile Request current;
    private volatile Thread thread;
    /** counted down when the loop has ended and the model is freed (the pooled thread lives on) */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private int waiting; // guarded by lock

    SerialScheduler(SerialBackendModel backend, int capacity, String owner) {
        this.backend = backend;
        this.capacity = capacity;
        this.owner = owner;
        this.contextSize = backend.contextSize();
        this.stats = new EngineStats(1, 0, this::waiting);
    }

    private int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    @Override
    public int contextSize() {
        return contextSize;
    }

    @Override
    public int parallel() {
        return 1;
    }

    @Override
    public ModelStats stats() {
        return stats.snapshot();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void submit(Request r) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed: " + owner);
            }
            if (waiting >= capacity) {
                stats.outcome(ModelStats.Outcome.REJECTED);
                throw new RequestRejectedException("request queue of " + owner + " is full (" + capacity
                        + " requests waiting); retry later or build the model with a larger maxQueuedRequests");
            }
            waiting++;
            queue.add(r);
        }
    }

    @Override
    public void wake() {
        // a cancelled request is seen by its own token sink, or skipped when it comes up
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (true) {
                Object o;
                try {
                    o = queue.take();
                } catch (InterruptedException e) {
                    if (closed) {
                        break;
                    }
                    continue;
                }
                if (o == STOP) {
                    break;
                }
                Request r = (Request) o;
                synchronized (lock) {
                    waiting--;
                }
                current = r;
                try {
                    if (closed) {
                        r.fail(new IllegalStateException("closed: " + owner + " was closed before the request started"));
                    } else {
                        serve(r);
                    }
                } catch (Throwable t) {
                    LOG.error("engine request failed unexpectedly on {}", owner, t);
                    r.fail(t);
                } finally {
                    current = null;
                    stats.busy = 0;
                }
            }
        } finally {
            List<Object> left = new ArrayList<>();
            queue.drainTo(left);
            for (Object o : left) {
                if (o instanceof Request r) {
                    r.fail(new IllegalStateException("closed: " + owner + " was closed before the request started"));
                }
            }
            try {
                backend.close();
            } catch (RuntimeException | Error e) {
                LOG.warn("freeing native memory of {} failed", owner, e);
            }
            LOG.debug("engine of {} stopped; backend closed", owner);
            stopped.countDown();
        }
    }

    private void serve(Request r) {
        if (r.cancelled) {
            if (r instanceof GenerationRequest g) {
                long now = System.nanoTime();
                g.admitted(now, 0);
                g.finish(FinishReason.CANCELLED, now);
            } else {
                r.fail(new CancellationException("request was cancelled before it started"));
            }
            stats.outcome(ModelStats.Outcome.CANCELLED);
            return;
        }
        stats.busy = 1;
        switch (r) {
            case GenerationRequest g -> generate(g);
            case EmbedRequest e -> embed(e);
            case EvaluateRequest e -> evaluate(e);
            case TaskRequest<?> t -> t.run(backend);
            default -> r.fail(new IllegalArgumentException("unknown request " + r));
        }
    }

    private void generate(GenerationRequest g) {
        try {
            g.resolvePrompt(backend);
        } catch (RuntimeException e) {
            stats.outcome(ModelStats.Outcome.FAILED);
            g.fail(e);
            return;
        }
        long start = System.nanoTime();
        g.admitted(start, 0);
        GenerationSpec spec = GenerationSpec.builder(g.prompt()).sampling(g.options.sampling()).maxTokens(g.options.maxTokens())
                .ignoreEos(g.options.ignoreEos()).grammar(g.options.grammar().orElse(null)).build();
        boolean[] stopped = {false};
        int[] produced = {0};
        GenerationResult res;
        try {
            res = backend.generate(spec, token -> {
                if (g.cancelled) {
                    return false;
                }
                produced[0]++;
                if (!g.accept(token, null, System.nanoTime())) {
                    stopped[0] = true;
                    return false;
                }
                return true;
            });
        } catch (RuntimeException e) {
            stats.outcome(ModelStats.Outcome.FAILED);
            g.fail(e);
            return;
        }
        long now = System.nanoTime();
        stats.tokens(g.prompt().length, produced[0], now);
        if (closed) {
            stats.outcome(ModelStats.Outcome.FAILED);
            g.fail(new IllegalStateException("closed: " + owner + " was closed while the request was running"));
            return;
        }
        FinishReason reason;
        if (stopped[0]) {
            reason = FinishReason.STOP;
        } else if (g.cancelled) {
            reason = FinishReason.CANCELLED;
        } else {
            reason = switch (res.end()) {
                case END_OF_GENERATION -> FinishReason.END_OF_GENERATION;
                case LENGTH, CONTEXT_FULL -> FinishReason.LENGTH;
                case SINK_STOPPED -> FinishReason.CANCELLED;
            };
        }
        stats.outcome(reason == FinishReason.CANCELLED ? ModelStats.Outcome.CANCELLED : ModelStats.Outcome.COMPLETED);
        g.finish(reason, now);
    }

    private void embed(EmbedRequest e) {
        try {
            for (int i = 0; i < e.inputs.length; i++) {
                if (e.cancelled) {
                    throw new CancellationException("embedding request was cancelled");
                }
                e.vectors[i] = backend.embed(e.inputs[i], e.normalize);
            }
            stats.tokens(e.tokens(), 0, System.nanoTime());
            stats.outcome(ModelStats.Outcome.COMPLETED);
            e.result.complete(e.vectors);
        } catch (RuntimeException ex) {
            stats.outcome(ModelStats.Outcome.FAILED);
            e.fail(ex);
        }
    }

    private void evaluate(EvaluateRequest e) {
        try {
            backend.evaluate(e.tokens, (position, logits) -> e.rows.add(new EvaluateRequest.Row(position, logits.clone())));
            stats.outcome(ModelStats.Outcome.COMPLETED);
            e.finish();
        } catch (RuntimeException ex) {
            stats.outcome(ModelStats.Outcome.FAILED);
            e.fail(ex);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            List<Object> left = new ArrayList<>();
            queue.drainTo(left);
            for (Object o : left) {
                if (o instanceof Request r) {
                    r.fail(new IllegalStateException("closed: " + owner + " was closed before the request started"));
                }
            }
            waiting = 0;
            queue.add(STOP);
        }
        Request running = current;
        if (running != null) {
            running.cancel();
        }
        if (thread == Thread.currentThread()) {
            return; // from the loop itself (a task): it ends after this iteration
        }
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
