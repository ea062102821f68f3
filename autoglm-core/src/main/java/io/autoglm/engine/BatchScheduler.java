package io.autoglm.engine;

import io.autoglm.ContextOverflowException;
import io.autoglm.FinishReason;
import io.autoglm.ModelStats;
import io.autoglm.RequestRejectedException;
import io.autoglm.TokenLogprob;
import io.autoglm.backend.BatchBackendModel;
import io.autoglm.backend.BatchDecoder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one native context: the decode thread runs {@link #run()}, and each
 * iteration admits waiting requests into free sequences (reusing the longest cached prompt prefix),
 * builds one batch with a token for every generating sequence plus chunks of prompts still being
 * evaluated (chunked prefill), decodes it once, samples every sequence at its own row, hands tokens
 * to the requests, and retires finished sequences (their cells stay as a cached prefix).
 *
 * <p>Chunked prefill: while sequences generate, the prompt tokens added to a step are capped so that
 * the step takes about {@value #STALL_FACTOR} times a decode-only step (both costs are measured as
 * it runs), so a long prompt arriving delays running streams by a bounded factor per token instead
 * of freezing them; with nothing generating, prompts fill the whole batch.
 *
 * <p>Memory pressure: before a step, cached prefixes are evicted (least recently used first) until
 * the batch fits; when a decode still finds no room, one more is evicted, and when none is left the
 * most recently admitted sequence is pre-empted: its cells are freed and it waits first in line to
 * be recomputed (prompt plus the tokens it already produced) with its sampler state intact, so its
 * caller only sees a delay.
 *
 * <p>The decode thread runs no user code: requests are answered through futures and queues.
 */
final class BatchScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);
    static final double STALL_FACTOR = 1.75;
    private static final int MIN_CHUNK = 8;
    /** during a long chunked prefill, one step in this many carries no prompt tokens (see {@link #step()}) */
    static final int PROBE_EVERY = 16;
    static final long GATHER_QUIET_NANOS = 500_000;
    static final long GATHER_MAX_NANOS = 5_000_000;
    /** A waiting request is held back while a prefilling sequence will soon hold this many more of its tokens. */
    private static final int DEFER_GAIN = 16;
    private static final Object WAKE = new Object();

    private final BatchBackendModel model;
    private final BatchDecoder dec;
    private final Vocabulary vocab;
    private final String owner;
    private final int parallel;
    private final boolean prefixCache;
    /** most cells the cached prefixes may hold on their own (cells shared with running sequences not counted) */
    private final int prefixBudget;
    private final int maxQueued;
    private final int contextSize;
    private final int batchCapacity;
    private final KvCache kv;
    private final EngineStats stats;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final Object submitLock = new Object();
    private volatile boolean closed;
    private volatile Thread thread;
    /** counted down when the loop has ended and the model is freed (the pooled thread lives on) */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    // ---- decode thread only
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final ArrayDeque<Sequence> preempted = new ArrayDeque<>();
    private final ArrayList<Sequence> running = new ArrayList<>();
    private final ArrayDeque<EmbedRequest> embeds = new ArrayDeque<>();
    private final ArrayDeque<TaskRequest<?>> tasks = new ArrayDeque<>();
    private long admissions;
    // the rows of the step being decoded
    private final Sequence[] rowOwner;
    private final int[] rowToken;
    private final int[] rowPos;
    private final boolean[] rowLogits;
    private float[] logitsBuffer;
    private double decodeStepNanos;
    private double prefillTokenNanos;
    /** steps that carried prompt tokens since the last decode-only step (whose cost is the reference) */
    private int stepsSinceDecodeOnly;

    BatchScheduler(BatchBackendModel model, Vocabulary vocab, int parallel, boolean prefixCache, int prefixBudget,
            int maxQueued, String owner) {
        this.model = model;
        this.dec = model.decoder();
        this.vocab = vocab;
        this.owner = owner;
        this.parallel = Math.min(parallel, dec.sequenceIds());
        this.prefixCache = prefixCache;
        this.prefixBudget = Math.max(0, prefixBudget);
        this.maxQueued = maxQueued;
        this.contextSize = dec.contextSize();
        this.batchCapacity = dec.batchCapacity();
        this.kv = new KvCache(dec.kvCells(), dec.sequenceIds());
        this.stats = new EngineStats(this.parallel, dec.kvCells(), waitingCount::get);
        this.rowOwner = new Sequence[batchCapacity];
        this.rowToken = new int[batchCapacity];
        this.rowPos = new int[batchCapacity];
        this.rowLogits = new boolean[batchCapacity];
    }

    @Override
    public int contextSize() {
        return contextSize;
    }

    @Override
    public int parallel() {
        return parallel;
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
        synchronized (submitLock) {
            if (closed) {
                throw new IllegalStateException("closed: " + owner);
            }
            boolean queues = r instanceof GenerationRequest || r instanceof EvaluateRequest;
            if (queues && waitingCount.incrementAndGet() > maxQueued) {
                waitingCount.decrementAndGet();
                stats.outcome(ModelStats.Outcome.REJECTED);
                throw new RequestRejectedException("request queue of " + owner + " is full (" + maxQueued
                        + " requests waiting); retry later or build the model with a larger maxQueuedRequests");
            }
            inbox.add(r);
        }
    }

    @Override
    public void wake() {
        inbox.add(WAKE);
    }

    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            inbox.add(WAKE);
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

    // ------------------------------------------------------------------------------------ the loop

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (true) {
                if (!drainInbox()) {
                    break;
                }
                if (closed) {
                    break;
                }
                dropCancelledWaiting();
                if (!tasks.isEmpty() && running.isEmpty()) {
                    runTask(tasks.poll());
                    continue;
                }
                if (tasks.isEmpty()) {
                    admit();
                }
                if (!embeds.isEmpty()) {
                    embedOnePack();
                }
                if (!running.isEmpty()) {
                    step();
                }
            }
        } catch (Throwable t) {
            LOG.error("engine loop of {} failed; failing every request", owner, t);
            closed = true;
            failRunning(t);
        } finally {
            try {
                shutdown();
            } finally {
                stopped.countDown();
            }
        }
    }

    /**
     * Moves new requests from the inbox to the decode thread's lists; blocks while there is nothing to do.
     *
     * @return false when interrupted while idle and closed
     */
    private boolean drainInbox() {
        boolean idle = running.isEmpty() && embeds.isEmpty() && tasks.isEmpty()
                && (waiting.isEmpty() && preempted.isEmpty());
        Object o;
        if (idle) {
            stats.idle(System.nanoTime());
            try {
                o = inbox.poll(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return !closed;
            }
            if (o == null) {
                return true;
            }
            accept(o);
            if (!waiting.isEmpty()) {
                gatherBurst();
            }
        }
        while ((o = inbox.poll()) != null) {
            accept(o);
        }
        return true;
    }

    /**
     * Requests often come in bursts (a service fanning one job out, clients released by the same event).
     * Starting the first of a burst alone makes its neighbours join one by one through chunked prefill,
     * each a step or more later, and the burst then finishes staggered, with steps that carry fewer
     * sequences than it could. So when a request wakes an idle engine, it waits while more keep arriving:
     * until the inbox has been quiet for {@link #GATHER_QUIET_NANOS}, at most {@link #GATHER_MAX_NANOS}.
     * A lone request pays the quiet period once (a fraction of one decode step).
     */
    private void gatherBurst() {
        long deadline = System.nanoTime() + GATHER_MAX_NANOS;
        try {
            while (!closed && running.size() + waiting.size() < parallel) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Object o = inbox.poll(Math.min(left, GATHER_QUIET_NANOS), TimeUnit.NANOSECONDS);
                if (o == null) {
                    return;
                }
                accept(o);
            }
        } catch (InterruptedException e) {
            // closing is signalled through the inbox; start with what has arrived
        }
    }

    private void accept(Object o) {
        if (o == WAKE) {
            return;
        }
        if (o instanceof EmbedRequest e) {
            embeds.add(e);
        } else if (o instanceof TaskRequest<?> t) {
            tasks.add(t);
        } else {
            waiting.add((Request) o);
        }
    }

    private void dropCancelledWaiting() {
        for (Iterator<Request> it = waiting.iterator(); it.hasNext();) {
            Request r = it.next();
            if (r.cancelled) {
                it.remove();
                waitingCount.decrementAndGet();
                answerCancelledBeforeStart(r);
            }
        }
        for (Iterator<Sequence> it = preempted.iterator(); it.hasNext();) {
            Sequence s = it.next();
            if (s.request.cancelled) {
                it.remove();
                s.closeSampler();
                stats.outcome(ModelStats.Outcome.CANCELLED);
                s.finishGeneration(FinishReason.CANCELLED, System.nanoTime());
            }
        }
        for (Iterator<EmbedRequest> it = embeds.iterator(); it.hasNext();) {
            EmbedRequest e = it.next();
            if (e.cancelled) {
                it.remove();
                stats.outcome(ModelStats.Outcome.CANCELLED);
                e.fail(new java.util.concurrent.CancellationException("embedding request was cancelled"));
            }
        }
    }

    private void answerCancelledBeforeStart(Request r) {
        long now = System.nanoTime();
        stats.outcome(ModelStats.Outcome.CANCELLED);
        if (r instanceof GenerationRequest g) {
            g.admitted(now, 0);
            g.finish(FinishReason.CANCELLED, now);
        } else {
            r.fail(new java.util.concurrent.CancellationException("request was cancelled before it started"));
        }
    }

    // ------------------------------------------------------------------------------------ admission

    private void admit() {
        while (running.size() < parallel) {
            Sequence s = preempted.peekFirst();
            if (s != null) {
                if (!roomFor(s.tokens, false)) {
                    return; // first in line: nothing newer starts before it
                }
                preempted.pollFirst();
            } else {
                Request r = nextAdmissible();
                if (r == null) {
                    return;
                }
                s = newSequence(r);
                if (s == null) {
                    continue; // answered (bad grammar, ...)
                }
            }
            if (!place(s)) {
                preempted.addFirst(s);
                return;
            }
            running.add(s);
        }
    }

    /**
     * Admission control: a sequence starts only when the cells it will evaluate fit beside the running
     * ones (free cells plus cells held only by cached prefixes, with one token of room for every
     * running sequence), so a pre-empted sequence is not re-admitted just to be pre-empted again.
     * With nothing running everything fits: the cache holds at least one context.
     */
    private boolean roomFor(int[] tokens, boolean generation) {
        if (running.isEmpty()) {
            return true;
        }
        int reused = prefixCache && generation ? kv.longestPrefix(tokens, tokens.length - 1).length() : 0;
        long need = (long) tokens.length - reused + 1;
        long promised = running.size(); // one more token each
        for (Sequence s : running) {
            promised += s.tokens.length - s.fed; // prompt tokens admitted but not evaluated yet
        }
        return kv.free() + kv.cachedOnlyCells() - promised >= need;
    }

    /**
     * The first waiting request that should start now: one that will soon share a prefill in progress
     * waits, and the first that does not fit the cache holds back the ones behind it.
     */
    private Request nextAdmissible() {
        for (Iterator<Request> it = waiting.iterator(); it.hasNext();) {
            Request r = it.next();
            int[] tokens = r instanceof GenerationRequest g ? g.prompt() : ((EvaluateRequest) r).tokens;
            boolean generation = r instanceof GenerationRequest;
            if (generation && prefixCache && shouldDefer(tokens)) {
                continue;
            }
            if (!roomFor(tokens, generation)) {
                return null;
            }
            it.remove();
            waitingCount.decrementAndGet();
            return r;
        }
        return null;
    }

    private boolean shouldDefer(int[] prompt) {
        int cached = kv.longestPrefix(prompt, prompt.length - 1).length();
        for (Sequence s : running) {
            if (s.kind == Sequence.Kind.GENERATE && s.prefilling()) {
                int shared = Math.min(KvCache.commonPrefix(prompt, s.tokens), Math.min(s.promptLength, prompt.length - 1));
                if (shared >= cached + DEFER_GAIN) {
                    return true;
                }
            }
        }
        return false;
    }

    private Sequence newSequence(Request r) {
        if (r instanceof EvaluateRequest e) {
            return new Sequence(e, e.tokens, ++admissions);
        }
        GenerationRequest g = (GenerationRequest) r;
        BatchDecoder.Sampler sampler;
        try {
            sampler = dec.newSampler(g.options.sampling(), g.options.grammar().orElse(null));
        } catch (RuntimeException e) {
            stats.outcome(ModelStats.Outcome.FAILED);
            g.fail(e);
            return null;
        }
        Sequence s = new Sequence(g, g.prompt(), ++admissions);
        s.sampler = sampler;
        return s;
    }

    /** Gives a sequence an id and its cached prefix. @return false when no id is free now */
    private boolean place(Sequence s) {
        int id = kv.acquire();
        while (id < 0) {
            if (!evictOne()) {
                return false;
            }
            id = kv.acquire();
        }
        s.id = id;
        int reused = 0;
        if (prefixCache && s.kind == Sequence.Kind.GENERATE) {
            stats.prefixLookups++;
            KvCache.Match m = kv.longestPrefix(s.tokens, s.tokens.length - 1);
            if (m.length() > 0) {
                dec.copyPrefix(m.holder(), id, m.length());
                kv.share(m.holder(), id, m.length());
                reused = m.length();
                stats.prefixHits++;
                stats.cachedPromptTokens += reused;
            }
        }
        s.nPast = reused;
        s.fed = reused;
        if (s.request instanceof GenerationRequest g && !s.resumed) {
            g.admitted(System.nanoTime(), reused);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------ one step

    private void step() {
        retireCancelled();
        if (running.isEmpty()) {
            return;
        }
        int n = 0;
        int generating = 0;
        for (Sequence s : running) {
            if (!s.prefilling()) {
                n = addRow(n, s, s.pending, s.nPast, true);
                generating++;
            }
        }
        // never plan more tokens than the cache can take (cached prefixes can be evicted for them)
        int budget = Math.min(prefillBudget(generating), kv.free() + kv.cachedOnlyCells() - generating);
        if (generating > 0 && stepsSinceDecodeOnly >= PROBE_EVERY) {
            // a decode-only step now and then keeps its cost current: it grows with the cells the sequences
            // attend over, and the prompt-token cost is measured against it
            budget = 0;
        }
        int prefill = 0;
        for (Sequence s : running) {
            if (!s.prefilling() || budget <= 0 || n >= batchCapacity) {
                continue;
            }
            if (s.kind == Sequence.Kind.EVALUATE && ((EvaluateRequest) s.request).backlogged()) {
                continue;
            }
            int take = Math.min(Math.min(s.tokens.length - s.fed, budget), batchCapacity - n);
            for (int k = 0; k < take; k++) {
                int index = s.fed + k;
                boolean logits = s.kind == Sequence.Kind.EVALUATE || index == s.tokens.length - 1;
                n = addRow(n, s, s.tokens[index], s.nPast + k, logits);
            }
            budget -= take;
            prefill += take;
        }
        if (n == 0) {
            parkBriefly(); // only backlogged evaluations: give their consumers time
            return;
        }
        makeRoom(n);
        long t0 = System.nanoTime();
        int done;
        try {
            done = decodeRows(0, n);
        } catch (RuntimeException e) {
            LOG.warn("{}: llama_decode failed for a batch of {} tokens; failing the {} requests in it", owner, n, running.size(), e);
            for (Sequence s : running) {
                s.failed = e;
            }
            retireFinished();
            return;
        }
        long t1 = System.nanoTime();
        if (done == 0) {
            onNoSpace(n);
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{}: step of {} rows ({} generating, {} prompt tokens): {} decoded in {} ms, {} of {} cells free", owner, n,
                    generating, prefill, done, String.format(java.util.Locale.ROOT, "%.2f", (t1 - t0) / 1e6), kv.free(), kv.cells());
        }
        if (done == n) {
            learnCosts(t1 - t0, generating, prefill);
        }
        int generated = 0;
        int prompt = 0;
        for (int i = 0; i < done; i++) {
            if (rowOwner[i].prefillRow(rowPos[i])) {
                prompt++;
            }
        }
        for (Sequence s : running) {
            generated += s.generatedThisStep;
            s.generatedThisStep = 0;
        }
        stats.tokens(prompt, generated, t1);
        retireFinished();
        publishStats();
    }

    private int addRow(int n, Sequence s, int token, int pos, boolean logits) {
        rowOwner[n] = s;
        rowToken[n] = token;
        rowPos[n] = pos;
        rowLogits[n] = logits;
        return n + 1;
    }

    /**
     * Decodes rows {@code [from, to)} and hands out their results. When the cache has enough free cells
     * but no contiguous run for the whole range (b4916 places a micro-batch in contiguous cells, and
     * finished sequences leave holes), the range is split in halves, down to single tokens.
     *
     * @return rows decoded, from {@code from} on (0 when nothing fit)
     */
    private int decodeRows(int from, int to) {
        dec.clear();
        for (int i = from; i < to; i++) {
            dec.add(rowToken[i], rowPos[i], rowOwner[i].id, rowLogits[i]);
        }
        BatchDecoder.Status status = dec.decode();
        stats.decodeCalls++;
        if (status == BatchDecoder.Status.OK) {
            commitRows(from, to);
            return to - from;
        }
        int size = to - from;
        if (size == 1 || kv.free() == 0) {
            return 0;
        }
        int mid = from + size / 2;
        int first = decodeRows(from, mid);
        if (first < mid - from) {
            return first;
        }
        return first + decodeRows(mid, to);
    }

    /** Records decoded rows in the cache model and samples or hands over the rows that carry logits. */
    private void commitRows(int from, int to) {
        long now = System.nanoTime();
        boolean mixed = rowOwner[from] != rowOwner[to - 1];
        for (int i = from; i < to; i++) {
            Sequence s = rowOwner[i];
            // a lone token of this sequence among other sequences' tokens: its cell sits away from its neighbours
            if (mixed && (i == from || rowOwner[i - 1] != s) && (i == to - 1 || rowOwner[i + 1] != s)
                    && rowPos[i] < s.scatteredFrom) {
                s.scatteredFrom = rowPos[i];
            }
            kv.append(s.id, rowToken[i]);
            s.nPast++;
            boolean promptRow = s.fed < s.tokens.length;
            if (promptRow) {
                s.fed++;
            }
            if (!rowLogits[i]) {
                continue;
            }
            int row = i - from;
            if (s.kind == Sequence.Kind.EVALUATE) {
                EvaluateRequest e = (EvaluateRequest) s.request;
                float[] logits = new float[vocab.size()];
                dec.logits(row, logits);
                e.rows.add(new EvaluateRequest.Row(rowPos[i], logits));
                if (s.fed == s.tokens.length) {
                    s.finishReason = FinishReason.LENGTH;
                }
            } else if (s.finishReason == null && s.failed == null && sample(s, row, now)) {
                s.generatedThisStep++;
            }
        }
    }

    /** The cost model of chunked prefill: a decode-only step and one more prompt token in a step. */
    private void learnCosts(long nanos, int generating, int prefill) {
        int since = stepsSinceDecodeOnly;
        stepsSinceDecodeOnly = prefill == 0 ? 0 : since + 1;
        if (prefill == 0 && generating > 0) {
            double keep = since >= PROBE_EVERY ? 0.5 : 0.8; // a probe after a long prefill: the old figure is stale
            decodeStepNanos = decodeStepNanos == 0 ? nanos : keep * decodeStepNanos + (1 - keep) * nanos;
        } else if (prefill > 0 && generating > 0 && decodeStepNanos > 0) {
            double perToken = Math.max(0, nanos - decodeStepNanos) / prefill;
            prefillTokenNanos = prefillTokenNanos == 0 ? perToken : 0.8 * prefillTokenNanos + 0.2 * perToken;
        } else if (prefill > 0 && generating == 0) {
            double perToken = (double) nanos / prefill;
            prefillTokenNanos = prefillTokenNanos == 0 ? perToken : 0.8 * prefillTokenNanos + 0.2 * perToken;
        }
    }

    private int prefillBudget(int generating) {
        int room = batchCapacity - generating;
        if (generating == 0) {
            return room;
        }
        if (decodeStepNanos <= 0 || prefillTokenNanos <= 0) {
            return Math.min(room, 4 * MIN_CHUNK);
        }
        double tokens = (STALL_FACTOR - 1) * decodeStepNanos / prefillTokenNanos;
        return (int) Math.max(Math.min(room, MIN_CHUNK), Math.min(room, tokens));
    }

    /** Samples the next token of a sequence after a step. @return true when a token was generated */
    private boolean sample(Sequence s, int row, long now) {
        GenerationRequest g = (GenerationRequest) s.request;
        int token;
        try {
            token = s.sampler.sample(row);
        } catch (RuntimeException e) {
            s.failed = e;
            return false;
        }
        if (!g.options.ignoreEos() && vocab.isEndOfGeneration(token)) {
            s.finishReason = FinishReason.END_OF_GENERATION;
            return false;
        }
        TokenLogprob lp = null;
        if (g.options.logprobs()) {
            if (logitsBuffer == null) {
                logitsBuffer = new float[vocab.size()];
            }
            dec.logits(row, logitsBuffer);
            lp = Logprobs.of(logitsBuffer, token, g.options.topLogprobs(), vocab);
        }
        boolean go = g.accept(token, lp, now);
        if (!go) {
            s.finishReason = FinishReason.STOP;
        } else if (g.generated() >= g.options.maxTokens()) {
            s.finishReason = FinishReason.LENGTH;
        } else if (s.nPast >= contextSize) {
            s.finishReason = FinishReason.LENGTH; // the context window of the sequence is full
        } else {
            s.pending = token;
        }
        return true;
    }

    private void parkBriefly() {
        try {
            Object o = inbox.poll(1, TimeUnit.MILLISECONDS);
            if (o != null) {
                accept(o);
            }
        } catch (InterruptedException e) {
            // closing is signalled through the inbox; nothing to do
        }
    }

    // ------------------------------------------------------------------------------- memory pressure

    /**
     * Keeps the cells held only by cached prefixes within their budget ({@code prefixCacheTokens}), least
     * recently used out first. Besides bounding memory this keeps room free for the running sequences: a
     * cache filled with finished sequences leaves the free cells scattered between their cells, and b4916
     * needs a contiguous run for each micro-batch (measured: with 8 streams and a full cache, three times
     * the decode calls and thousands of refused micro-batches).
     */
    private void trimPrefixCache() {
        while (kv.cachedOnlyCells() > prefixBudget && evictOne()) {
            // keep evicting
        }
    }

    /** Evicts cached prefixes until the batch's tokens fit the free cells (or nothing is left to evict). */
    private void makeRoom(int tokens) {
        while (kv.free() < tokens && evictOne()) {
            // keep evicting
        }
    }

    /** @return false when there was no cached prefix to evict */
    private boolean evictOne() {
        int victim = kv.leastRecentlyUsed();
        if (victim < 0) {
            return false;
        }
        dec.removeFrom(victim, 0);
        kv.release(victim);
        return true;
    }

    private void onNoSpace(int tokens) {
        if (LOG.isDebugEnabled()) {
            StringBuilder b = new StringBuilder();
            for (Sequence s : running) {
                b.append(" #").append(s.admitted).append("(id ").append(s.id).append(", ").append(s.nPast).append(" cells, ")
                        .append(kv.length(s.id)).append(" tracked)");
            }
            LOG.debug("{}: no KV room for {} tokens; {} of {} cells free, {} cached holders; running:{}", owner, tokens,
                    kv.free(), kv.cells(), kv.cachedHolders(), b);
        }
        if (evictOne()) {
            return; // the next iteration rebuilds the step
        }
        if (running.size() > 1) {
            Sequence newest = running.get(0);
            for (Sequence s : running) {
                if (s.admitted > newest.admitted) {
                    newest = s;
                }
            }
            preempt(newest);
            return;
        }
        Sequence only = running.get(0);
        only.failed = new ContextOverflowException(only.nPast + tokens, kv.cells());
        retireFinished();
    }

    private void preempt(Sequence s) {
        running.remove(s);
        dec.removeFrom(s.id, 0);
        kv.release(s.id);
        stats.preemptions++;
        if (s.kind == Sequence.Kind.GENERATE) {
            GenerationRequest g = (GenerationRequest) s.request;
            int produced = g.generated();
            if (produced > 0) {
                int[] all = java.util.Arrays.copyOf(g.prompt(), g.prompt().length + produced);
                for (int i = 0; i < produced; i++) {
                    all[g.prompt().length + i] = g.generatedToken(i);
                }
                s.tokens = all;
            }
            s.resumed = true;
        }
        s.nPast = 0;
        s.fed = 0;
        s.scatteredFrom = Integer.MAX_VALUE;
        s.id = -1;
        LOG.debug("{}: KV cache full, pre-empted the sequence admitted #{} ({} tokens to recompute)", owner, s.admitted,
                s.tokens.length);
        preempted.addFirst(s);
    }

    // ------------------------------------------------------------------------------------ retirement

    private void retireCancelled() {
        for (Sequence s : running) {
            if (s.request.cancelled && s.finishReason == null && s.failed == null) {
                s.finishReason = FinishReason.CANCELLED;
            }
        }
        retireFinished();
    }

    private void retireFinished() {
        long now = System.nanoTime();
        List<Sequence> done = null;
        for (Iterator<Sequence> it = running.iterator(); it.hasNext();) {
            Sequence s = it.next();
            if (s.finishReason == null && s.failed == null) {
                continue;
            }
            it.remove();
            s.closeSampler();
            boolean keep = prefixCache && s.kind == Sequence.Kind.GENERATE && s.failed == null
                    && s.finishReason != FinishReason.CANCELLED && kv.length(s.id) > 0;
            if (keep && s.scatteredFrom < kv.length(s.id)) {
                // keep only the part decoded in runs of its own; see Sequence.scatteredFrom
                if (s.scatteredFrom == 0) {
                    keep = false;
                } else {
                    dec.removeFrom(s.id, s.scatteredFrom);
                    kv.truncate(s.id, s.scatteredFrom);
                }
            }
            if (keep) {
                kv.keepAsCache(s.id);
            } else {
                dec.removeFrom(s.id, 0);
                kv.release(s.id);
            }
            if (done == null) {
                done = new ArrayList<>(2);
            }
            done.add(s);
        }
        if (done == null) {
            return;
        }
        trimPrefixCache();
        // counters first, so a caller that reads stats() right after its answer sees its own request
        publishStats();
        for (Sequence s : done) {
            if (s.failed != null) {
                stats.outcome(ModelStats.Outcome.FAILED);
                s.request.fail(s.failed);
            } else if (s.kind == Sequence.Kind.EVALUATE) {
                stats.outcome(ModelStats.Outcome.COMPLETED);
                ((EvaluateRequest) s.request).finish();
            } else {
                stats.outcome(s.finishReason == FinishReason.CANCELLED ? ModelStats.Outcome.CANCELLED : ModelStats.Outcome.COMPLETED);
                s.finishGeneration(s.finishReason, now);
            }
        }
    }

    private void publishStats() {
        stats.busy = running.size();
        stats.kvUsed = kv.used();
        stats.prefixCells = kv.cachedOnlyCells();
    }

    // ---------------------------------------------------------------------------- embeddings, tasks

    private void embedOnePack() {
        EmbedRequest e = embeds.peek();
        int limit = dec.embeddingSequences();
        List<int[]> pack = new ArrayList<>();
        int tokens = 0;
        while (e.next + pack.size() < e.inputs.length && pack.size() < limit) {
            int[] in = e.inputs[e.next + pack.size()];
            if (!pack.isEmpty() && tokens + in.length > contextSize) {
                break;
            }
            pack.add(in);
            tokens += in.length;
        }
        try {
            float[][] v = dec.embed(pack.toArray(new int[0][]), e.normalize);
            System.arraycopy(v, 0, e.vectors, e.next, v.length);
            e.next += v.length;
            stats.tokens(tokens, 0, System.nanoTime());
            if (e.next == e.inputs.length) {
                embeds.poll();
                stats.outcome(ModelStats.Outcome.COMPLETED);
                e.result.complete(e.vectors);
            }
        } catch (RuntimeException ex) {
            embeds.poll();
            stats.outcome(ModelStats.Outcome.FAILED);
            e.fail(ex);
        }
    }

    private void runTask(TaskRequest<?> t) {
        dec.clearMemory();
        kv.reset();
        try {
            t.run(model);
        } finally {
            dec.clearMemory();
            kv.reset();
            publishStats();
        }
    }

    // ------------------------------------------------------------------------------------ shutdown

    private void failRunning(Throwable t) {
        for (Sequence s : running) {
            s.closeSampler();
            stats.outcome(ModelStats.Outcome.FAILED);
            s.request.fail(t);
        }
        running.clear();
    }

    private void shutdown() {
        synchronized (submitLock) {
            closed = true;
        }
        Object o;
        while ((o = inbox.poll()) != null) {
            accept(o);
        }
        IllegalStateException before = new IllegalStateException("closed: " + owner + " was closed before the request started");
        IllegalStateException during = new IllegalStateException("closed: " + owner + " was closed while the request was running");
        for (Sequence s : running) {
            s.closeSampler();
            stats.outcome(ModelStats.Outcome.FAILED);
            s.request.fail(during);
        }
        running.clear();
        for (Sequence s : preempted) {
            s.closeSampler();
            stats.outcome(ModelStats.Outcome.FAILED);
            s.request.fail(during);
        }
        preempted.clear();
        for (Request r : waiting) {
            stats.outcome(ModelStats.Outcome.FAILED);
            r.fail(before);
        }
        waiting.clear();
        waitingCount.set(0);
        for (EmbedRequest e : embeds) {
            e.fail(e.next > 0 ? during : before);
        }
        embeds.clear();
        for (TaskRequest<?> t : tasks) {
            t.fail(before);
        }
        tasks.clear();
        try {
            model.close();
        } catch (RuntimeException | Error e) {
            LOG.warn("freeing native memory of {} failed", owner, e);
        }
        publishStats();
        stats.busy = 0;
        LOG.debug("engine of {} stopped; native memory freed", owner);
    }

    // ------------------------------------------------------------------------------------ a sequence

    /** A request while it holds (or waits to regain) a sequence id. Decode thread only. */
    private static final class Sequence {
        enum Kind { GENERATE, EVALUATE }

        final Request request;
        final Kind kind;
        final long admitted;
        final int promptLength;
        int[] tokens;
        BatchDecoder.Sampler sampler;
        int id = -1;
        /** tokens of {@link #tokens} already in the cache (reused or decoded) */
        int fed;
        /** positions decoded for this sequence */
        int nPast;
        /** the last sampled token, decoded in the next step */
        int pending;
        int generatedThisStep;
        /**
         * The first position decoded as a lone token in a step shared with other sequences (their tokens
         * one per sequence, in lock step, so its cells are one in every few). A finished sequence is
         * cached only up to there: with b4916's single cell pool and contiguous micro-batches, a cached
         * sequence whose cells are spread that way leaves holes no later step fits in, pushes new
         * sequences above it and makes every step attend over the whole spread (measured: three times
         * the decode time per step at 8 streams). Its prompt, decoded in chunks, stays cached.
         */
        int scatteredFrom = Integer.MAX_VALUE;
        boolean resumed;
        FinishReason finishReason;
        RuntimeException failed;

        Sequence(Request request, int[] tokens, long admitted) {
            this.request = request;
            this.kind = request instanceof EvaluateRequest ? Kind.EVALUATE : Kind.GENERATE;
            this.tokens = tokens;
            this.promptLength = tokens.length;
            this.admitted = admitted;
        }

        boolean prefilling() {
            return fed < tokens.length;
        }

        /** @return whether a decoded row at {@code pos} was a prompt token (not a generated one) */
        boolean prefillRow(int pos) {
            return pos < tokens.length;
        }

        void closeSampler() {
            if (sampler != null) {
                try {
                    sampler.close();
                } finally {
                    sampler = null;
                }
            }
        }

        void finishGeneration(FinishReason reason, long now) {
            ((GenerationRequest) request).finish(reason, now);
        }
    }
}
