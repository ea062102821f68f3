package io.autoglm.automl.search;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.storage.InMemoryStorage;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.StudyRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hyperparameter search: a named set of trials in a {@link Storage}, a {@link Sampler} that proposes
 * parameters and a {@link Pruner} that stops unpromising trials early.
 *
 * <pre>{@code
 * Study study = Study.builder().name("branin").direction(StudyDirection.MINIMIZE)
 *         .sampler(Samplers.tpe().seed(42).build()).build();
 * study.optimize(t -> {
 *     double x = t.suggestFloat("x", -5, 10);
 *     double y = t.suggestFloat("y", 0, 15);
 *     return branin(x, y);
 * }, 100);
 * System.out.println(study.bestValue() + " at " + study.bestParams());
 * }</pre>
 *
 * Several threads ({@code parallelism}) and several processes (through a shared storage) may work on one
 * study. A study owns a heartbeat thread only when {@link Builder#heartbeatInterval} is set; {@link #close()}
 * stops it (and closes the storage when the study created it).
 */
public final class Study implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Study.class);
    private static final Set<TrialState> ALL = EnumSet.noneOf(TrialState.class);
    /** Heartbeat interval used for storages other than {@link InMemoryStorage} when none is set. */
    public static final Duration DEFAULT_SHARED_HEARTBEAT = Duration.ofSeconds(10);

    private final Storage storage;
    private final boolean ownsStorage;
    private final StudyRef ref;
    private final Sampler sampler;
    private final Pruner pruner;
    private final Duration heartbeatInterval;
    private final Duration gracePeriod;
    private final boolean reenqueueStaleTrials;
    private final int failedTrialRetries;
    private final String workerId;
    private final Map<String, Distribution> seenDistributions = new ConcurrentHashMap<>();
    private final Object heartbeatLock = new Object();
    private ScheduledExecutorService heartbeatExecutor;
    private final Map<Long, ScheduledFuture<?>> heartbeats = new ConcurrentHashMap<>();
    private volatile boolean stopRequested;
    private volatile boolean closed;

    private Study(Builder b, StudyRef ref, Storage storage, boolean ownsStorage) {
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.ref = ref;
        this.sampler = b.sampler != null ? b.sampler : Samplers.tpe().build();
        this.pruner = b.pruner != null ? b.pruner : Pruners.median().build();
        // a storage other processes may share gets heartbeats by default, so a dead worker's trial is failed
        this.heartbeatInterval = b.heartbeatInterval != null ? b.heartbeatInterval
                : storage instanceof InMemoryStorage ? null : DEFAULT_SHARED_HEARTBEAT;
        this.gracePeriod = b.gracePeriod != null ? b.gracePeriod
                : heartbeatInterval == null ? null : heartbeatInterval.multipliedBy(6);
        this.reenqueueStaleTrials = b.reenqueueStaleTrials;
        this.failedTrialRetries = b.failedTrialRetries;
        this.workerId = hostName() + ":" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            return "localhost";
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the study name */
    public String name() {
        return ref.name();
    }

    /** @return the storage id of the study */
    public long studyId() {
        return ref.studyId();
    }

    /** @return the directions, one per objective */
    public List<StudyDirection> directions() {
        return ref.directions();
    }

    /**
     * @return the direction of a single-objective study
     * @throws IllegalStateException for a multi-objective study
     */
    public StudyDirection direction() {
        if (ref.directions().size() != 1) {
            throw new IllegalStateException("study '" + name() + "' has " + ref.directions().size() + " objectives");
        }
        return ref.directions().get(0);
    }

    /** @return the sampler */
    public Sampler sampler() {
        return sampler;
    }

    /** @return the pruner */
    public Pruner pruner() {
        return pruner;
    }

    /** @return the storage */
    public Storage storage() {
        return storage;
    }

    /** @return all trials, ordered by number */
    public List<FrozenTrial> trials() {
        return storage.trials(ref.studyId(), ALL);
    }

    /** @param states states to include (empty: all) @return those trials, ordered by number */
    public List<FrozenTrial> trials(Set<TrialState> states) {
        return storage.trials(ref.studyId(), states);
    }

    void checkDistribution(String name, Distribution d) {
        if (seenDistributions.isEmpty()) {
            for (FrozenTrial t : trials()) {
                t.distributions().forEach(seenDistributions::putIfAbsent);
            }
        }
        Distribution previous = seenDistributions.putIfAbsent(name, d);
        if (previous != null) {
            Distributions.checkCompatible(name, previous, d);
        }
    }

    /**
     * Runs {@code nTrials} trials one after another in the calling thread.
     *
     * @param objective the objective
     * @param nTrials number of trials this call runs, &gt;= 1
     */
    public void optimize(Objective objective, int nTrials) {
        optimize(objective, nTrials, null, 1);
    }

    /**
     * Runs up to {@code nTrials} trials on {@code parallelism} threads, stopping early at the timeout or
     * after {@link #stop()}. A trial whose objective throws is recorded as FAIL with the exception message
     * and the search goes on; an {@link Error} ends the search and is rethrown.
     *
     * @param objective the objective
     * @param nTrials number of trials this call runs, &gt;= 1
     * @param timeout no new trial starts after it (null: none)
     * @param parallelism number of threads, &gt;= 1
     */
    public void optimize(Objective objective, int nTrials, Duration timeout, int parallelism) {
        Objects.requireNonNull(objective, "objective");
        if (ref.directions().size() != 1) {
            throw new IllegalStateException("study '" + name() + "' has " + ref.directions().size()
                    + " objectives; use optimizeMulti");
        }
        run(t -> new double[] {objective.evaluate(t)}, nTrials, timeout, parallelism);
    }

    /**
     * Like {@link #optimize(Objective, int, Duration, int)} for a study with several directions.
     *
     * @param objective the objective, returning one value per direction
     * @param nTrials number of trials this call runs, &gt;= 1
     * @param timeout no new trial starts after it (null: none)
     * @param parallelism number of threads, &gt;= 1
     */
    public void optimizeMulti(MultiObjective objective, int nTrials, Duration timeout, int parallelism) {
        Objects.requireNonNull(objective, "objective");
        run(objective, nTrials, timeout, parallelism);
    }

    private void run(MultiObjective objective, int nTrials, Duration timeout, int parallelism) {
        checkOpen();
        Checks.atLeast("nTrials", nTrials, 1);
        Checks.atLeast("parallelism", parallelism, 1);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        stopRequested = false;
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        AtomicInteger remaining = new AtomicInteger(nTrials);
        Runnable worker = () -> {
            while (!stopRequested && System.nanoTime() < deadline && remaining.getAndDecrement() > 0) {
                runOne(objective);
            }
        };
        if (parallelism == 1) {
            worker.run();
            return;
        }
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread th = new Thread(r, "study-" + name() + "-" + threadNo.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                futures.add(pool.submit(worker));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    stopRequested = true;
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new AutoMLException("a worker of study '" + name() + "' failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    stopRequested = true;
                    Thread.currentThread().interrupt();
                    throw new AutoMLException("interrupted while optimizing study '" + name() + "'", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void runOne(MultiObjective objective) {
        Trial trial = ask();
        double[] values;
        try {
            values = objective.evaluate(trial);
        } catch (TrialPrunedException e) {
            finish(trial, TrialState.PRUNED, List.of(), null);
            return;
        } catch (Exception e) {
            String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            LOG.warn("trial {} of study '{}' failed: {}", trial.number(), name(), reason);
            finish(trial, TrialState.FAIL, List.of(), reason);
            retry(trial);
            return;
        } catch (Error e) {
            finish(trial, TrialState.FAIL, List.of(), e.toString());
            throw e;
        }
        if (trial.pruneRequested()) {
            finish(trial, TrialState.PRUNED, List.of(), null);
        } else {
            tell(trial, values);
        }
    }

    private void retry(Trial trial) {
        if (failedTrialRetries == 0) {
            return;
        }
        FrozenTrial t = trial.snapshot();
        Object count = t.systemAttrs().get("retry_count");
        int done = count instanceof Number n ? n.intValue() : 0;
        if (done < failedTrialRetries) {
            FrozenTrial w = storage.enqueueTrial(ref.studyId(), t.params());
            storage.setTrialSystemAttr(w.trialId(), "retry_count", done + 1);
            storage.setTrialSystemAttr(w.trialId(), "retried_from", t.number());
        }
    }

    /**
     * Starts a trial for the ask-and-tell interface: evaluate it yourself, then call {@link #tell}.
     *
     * @return the running trial
     */
    public Trial ask() {
        checkOpen();
        if (heartbeatInterval != null) {
            reapStaleTrials();
        }
        FrozenTrial started = storage.startTrial(ref.studyId(), workerId);
        Map<String, Object> fixed = fixedParams(started);
        SplittableRandom rng = new SplittableRandom(mix(sampler.seed(), started.number()));
        Map<String, Distribution> space = Map.of();
        Map<String, Double> relative = Map.of();
        long t0 = System.nanoTime();
        try {
            space = sampler.relativeSearchSpace(this, started);
            if (!space.isEmpty()) {
                Map<String, Distribution> open = new LinkedHashMap<>(space);
                open.keySet().removeAll(fixed.keySet());
                if (!open.isEmpty()) {
                    relative = sampler.sampleRelative(this, started, open, rng);
                }
            }
        } catch (RuntimeException e) {
            storage.setTrialSystemAttr(started.trialId(), "fail_reason", "sampler failed: " + e);
            storage.finishTrial(started.trialId(), TrialState.FAIL, List.of());
            throw e;
        }
        Trial trial = new Trial(this, started, fixed, space, relative, rng, System.nanoTime() - t0);
        if (heartbeatInterval != null) {
            startHeartbeat(started.trialId());
        }
        return trial;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fixedParams(FrozenTrial t) {
        Object f = t.systemAttrs().get("fixed_params");
        return f instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static long mix(long seed, long n) {
        long z = seed + 0x9E3779B97F4A7C15L * (n + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Finishes a trial from {@link #ask()} with its objective value. A NaN or infinite value makes it FAIL.
     *
     * @param trial the trial
     * @param value the objective value
     * @return the finished trial
     */
    public FrozenTrial tell(Trial trial, double value) {
        return tell(trial, new double[] {value});
    }

    /**
     * Finishes a trial with one value per direction. A NaN or infinite value makes it FAIL.
     *
     * @param trial the trial
     * @param values the objective values
     * @return the finished trial
     */
    public FrozenTrial tell(Trial trial, double[] values) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(values, "values");
        if (values.length != ref.directions().size()) {
            throw new IllegalArgumentException("study '" + name() + "' needs " + ref.directions().size()
                    + " values, got " + values.length);
        }
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            if (!Double.isFinite(v)) {
                LOG.warn("trial {} of study '{}' returned {}; recorded as FAIL", trial.number(), name(), v);
                return finish(trial, TrialState.FAIL, List.of(), "objective returned " + v);
            }
            list.add(v);
        }
        return finish(trial, TrialState.COMPLETE, list, null);
    }

    /**
     * Finishes a trial from {@link #ask()} as PRUNED or FAIL.
     *
     * @param trial the trial
     * @param state PRUNED or FAIL
     * @return the finished trial
     */
    public FrozenTrial tell(Trial trial, TrialState state) {
        Objects.requireNonNull(trial, "trial");
        if (state != TrialState.PRUNED && state != TrialState.FAIL) {
            throw new IllegalArgumentException("state must be PRUNED or FAIL without values, was " + state);
        }
        return finish(trial, state, List.of(), state == TrialState.FAIL ? "told FAIL" : null);
    }

    private FrozenTrial finish(Trial trial, TrialState state, List<Double> values, String failReason) {
        if (trial.study() != this) {
            throw new IllegalArgumentException(trial + " belongs to another study");
        }
        if (trial.isFinished()) {
            throw new IllegalStateException(trial + " is already finished");
        }
        stopHeartbeat(trial.trialId());
        if (failReason != null) {
            storage.setTrialSystemAttr(trial.trialId(), "fail_reason", failReason);
        }
        boolean done = storage.finishTrial(trial.trialId(), state, values, trial.samplerTime());
        trial.markFinished();
        FrozenTrial f = storage.trial(trial.trialId());
        if (!done) {
            LOG.warn("trial {} of study '{}' was already {} (heartbeat grace exceeded?); its result is dropped",
                    trial.number(), name(), f.state());
        }
        sampler.afterTrial(this, f);
        return f;
    }

    /**
     * Enqueues a trial whose listed parameters are fixed; the next trial started runs it. Parameters not
     * listed are sampled as usual. A value must have the type its suggest method returns ({@code Integer} for
     * {@code suggestInt}, a number for {@code suggestFloat}, one of the choices for {@code suggestCategorical}):
     * for a parameter the study has already seen this is checked here, for a new one when the trial suggests
     * it (the trial then fails with the reason). The bounds are checked when the trial suggests the parameter,
     * since they may change between trials.
     *
     * @param params parameter values as the objective will see them
     * @throws IllegalArgumentException naming the parameter when a value has the wrong type for a known parameter
     */
    public void enqueueTrial(Map<String, ?> params) {
        Objects.requireNonNull(params, "params");
        checkOpen();
        Map<String, Distribution> known = knownDistributions();
        params.forEach((name, value) -> {
            Objects.requireNonNull(name, "parameter name");
            Distribution d = known.get(name);
            if (d != null) {
                try {
                    d.toInternal(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("enqueueTrial: parameter '" + name + "' has the wrong type: "
                            + e.getMessage(), e);
                }
            }
        });
        storage.enqueueTrial(ref.studyId(), new LinkedHashMap<>(params));
    }

    /**
     * Adds a trial evaluated elsewhere, with its parameters, value(s) and state, as Optuna's {@code add_trial}:
     * it gets the next number, is stored finished, and the samplers learn from it like from any other trial.
     * The parameters' distributions must agree with those the study has already seen (same kind, scale, step
     * and choices).
     *
     * @param trial the trial (see {@link KnownTrial#builder()})
     * @return the stored trial
     * @throws IllegalArgumentException when the number of values differs from the study's directions or a
     *     distribution is incompatible with the study's
     */
    public FrozenTrial addTrial(KnownTrial trial) {
        Objects.requireNonNull(trial, "trial");
        checkOpen();
        if (trial.state() == TrialState.COMPLETE && trial.values().size() != ref.directions().size()) {
            throw new IllegalArgumentException("study '" + name() + "' has " + ref.directions().size()
                    + " direction(s); the added trial has " + trial.values().size() + " value(s)");
        }
        trial.distributions().forEach(this::checkDistribution);
        java.time.Instant now = java.time.Instant.now();
        FrozenTrial template = new FrozenTrial(-1, -1, trial.state(), trial.values(), trial.internalParams(),
                trial.distributions(), trial.userAttrs(), Map.of(), trial.intermediateValues(),
                java.util.Optional.of(now), java.util.Optional.of(now), java.util.Optional.empty());
        return storage.addTrial(ref.studyId(), template);
    }

    private Map<String, Distribution> knownDistributions() {
        Map<String, Distribution> known = new LinkedHashMap<>();
        for (FrozenTrial t : trials()) {
            t.distributions().forEach(known::putIfAbsent);
        }
        seenDistributions.forEach(known::putIfAbsent);
        return known;
    }

    /** Asks the running {@link #optimize} calls to start no new trial. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * @return the best COMPLETE trial (lowest number among ties)
     * @throws IllegalStateException when no trial completed or the study has several objectives
     */
    public FrozenTrial bestTrial() {
        StudyDirection dir = direction();
        FrozenTrial best = null;
        for (FrozenTrial t : trials(EnumSet.of(TrialState.COMPLETE))) {
            if (best == null || dir.isBetter(t.value(), best.value())) {
                best = t;
            }
        }
        if (best == null) {
            throw new IllegalStateException("study '" + name() + "' has no COMPLETE trial yet");
        }
        return best;
    }

    /** @return the best objective value @throws IllegalStateException when no trial completed */
    public double bestValue() {
        return bestTrial().value();
    }

    /** @return the parameters of the best trial @throws IllegalStateException when no trial completed */
    public Map<String, Object> bestParams() {
        return bestTrial().params();
    }

    /** @return the COMPLETE trials no other COMPLETE trial dominates (the Pareto front), by number */
    public List<FrozenTrial> bestTrials() {
        List<FrozenTrial> done = trials(EnumSet.of(TrialState.COMPLETE));
        List<FrozenTrial> front = new ArrayList<>();
        for (FrozenTrial a : done) {
            boolean dominated = false;
            for (FrozenTrial b : done) {
                if (b != a && dominates(b.values(), a.values())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(a);
            }
        }
        return front;
    }

    boolean dominates(List<Double> a, List<Double> b) {
        boolean strictly = false;
        for (int i = 0; i < a.size(); i++) {
            StudyDirection d = ref.directions().get(i);
            if (d.isBetter(b.get(i), a.get(i))) {
                return false;
            }
            if (d.isBetter(a.get(i), b.get(i))) {
                strictly = true;
            }
        }
        return strictly;
    }

    /**
     * Writes all trials as CSV: {@code number,state,value(s),datetime_start,datetime_complete,duration_seconds,
     * sampler_seconds},
     * one {@code params_NAME} column per parameter, one {@code user_attrs_KEY} column per attribute, {@code fail_reason}.
     *
     * @param out the file to write
     */
    public void exportCsv(Path out) {
        Objects.requireNonNull(out, "out");
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            exportCsv(w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param w where to write the CSV (see {@link #exportCsv(Path)})
     * @throws IOException when writing fails
     */
    public void exportCsv(Writer w) throws IOException {
        List<FrozenTrial> all = trials();
        Set<String> params = new LinkedHashSet<>();
        Set<String> attrs = new LinkedHashSet<>();
        for (FrozenTrial t : all) {
            params.addAll(t.distributions().keySet());
            attrs.addAll(t.userAttrs().keySet());
        }
        List<String> header = new ArrayList<>(List.of("number", "state"));
        int nv = ref.directions().size();
        for (int i = 0; i < nv; i++) {
            header.add(nv == 1 ? "value" : "values_" + i);
        }
        header.addAll(List.of("datetime_start", "datetime_complete", "duration_seconds", "sampler_seconds"));
        params.forEach(p -> header.add("params_" + p));
        attrs.forEach(a -> header.add("user_attrs_" + a));
        header.add("fail_reason");
        writeRow(w, header);
        for (FrozenTrial t : all) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(t.number()));
            row.add(t.state().name());
            for (int i = 0; i < nv; i++) {
                row.add(t.values().size() > i ? Double.toString(t.values().get(i)) : "");
            }
            row.add(t.started().map(Object::toString).orElse(""));
            row.add(t.finished().map(Object::toString).orElse(""));
            row.add(t.started().isPresent() && t.finished().isPresent()
                    ? Double.toString(Duration.between(t.started().get(), t.finished().get()).toNanos() / 1e9) : "");
            row.add(t.samplerTime().map(d -> Double.toString(d.toNanos() / 1e9)).orElse(""));
            Map<String, Object> p = t.params();
            params.forEach(k -> row.add(p.containsKey(k) ? String.valueOf(p.get(k)) : ""));
            attrs.forEach(k -> row.add(t.userAttrs().containsKey(k) ? String.valueOf(t.userAttrs().get(k)) : ""));
            Object reason = t.systemAttrs().get("fail_reason");
            row.add(reason == null ? "" : reason.toString());
            writeRow(w, row);
        }
        w.flush();
    }

    private static void writeRow(Writer w, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                w.write('"' + c.replace("\"", "\"\"") + '"');
            } else {
                w.write(c);
            }
        }
        w.write('\n');
    }

    /**
     * @return all trials as a JSON array (number, state, values, params, distributions, attributes, intermediate
     *     values, times, {@code sampler_seconds} when measured)
     */
    public String toJson() {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (FrozenTrial t : trials()) {
            ObjectNode n = arr.addObject();
            n.put("number", t.number());
            n.put("state", t.state().name());
            ArrayNode vals = n.putArray("values");
            t.values().forEach(vals::add);
            n.set("params", Json.MAPPER.valueToTree(t.params()));
            ObjectNode dists = n.putObject("distributions");
            t.distributions().forEach((k, d) -> {
                try {
                    dists.set(k, Json.MAPPER.readTree(d.toJson()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            n.set("user_attrs", Json.MAPPER.valueToTree(t.userAttrs()));
            n.set("system_attrs", Json.MAPPER.valueToTree(t.systemAttrs()));
            ObjectNode iv = n.putObject("intermediate_values");
            t.intermediateValues().forEach((s, v) -> iv.put(Integer.toString(s), v));
            t.started().ifPresent(s -> n.put("datetime_start", s.toString()));
            t.finished().ifPresent(s -> n.put("datetime_complete", s.toString()));
            t.samplerTime().ifPresent(d -> n.put("sampler_seconds", d.toNanos() / 1e9));
        }
        try {
            return Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(arr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param out the file to write {@link #toJson()} to */
    public void exportJson(Path out) {
        Objects.requireNonNull(out, "out");
        try {
            Files.writeString(out, toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    // ---- heartbeats -------------------------------------------------------------------------------

    private void reapStaleTrials() {
        List<FrozenTrial> failed = storage.failStaleTrials(ref.studyId(), gracePeriod);
        for (FrozenTrial f : failed) {
            LOG.warn("trial {} of study '{}' had no heartbeat for {}; marked FAIL", f.number(), name(), gracePeriod);
            if (reenqueueStaleTrials) {
                FrozenTrial w = storage.enqueueTrial(ref.studyId(), f.params());
                storage.setTrialSystemAttr(w.trialId(), "retried_from", f.number());
            }
        }
    }

    /** Fails RUNNING trials whose heartbeat is older than the grace period now (needs a heartbeat interval). */
    public void failStaleTrials() {
        if (heartbeatInterval == null) {
            throw new IllegalStateException("study '" + name() + "' has no heartbeatInterval");
        }
        reapStaleTrials();
    }

    private void startHeartbeat(long trialId) {
        synchronized (heartbeatLock) {
            if (heartbeatExecutor == null) {
                heartbeatExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread th = new Thread(r, "study-" + name() + "-heartbeat");
                    th.setDaemon(true);
                    return th;
                });
            }
            long ms = Math.max(1, heartbeatInterval.toMillis());
            heartbeats.put(trialId, heartbeatExecutor.scheduleAtFixedRate(() -> {
                try {
                    storage.recordHeartbeat(trialId);
                } catch (RuntimeException e) {
                    LOG.warn("heartbeat of trial id {} failed: {}", trialId, e.toString());
                }
            }, ms, ms, TimeUnit.MILLISECONDS));
        }
    }

    private void stopHeartbeat(long trialId) {
        ScheduledFuture<?> f = heartbeats.remove(trialId);
        if (f != null) {
            f.cancel(false);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
    }

    /** Stops the heartbeat thread and closes the storage if this study created it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (heartbeatLock) {
            if (heartbeatExecutor != null) {
                heartbeatExecutor.shutdownNow();
            }
        }
        if (ownsStorage) {
            storage.close();
        }
    }

    @Override
    public String toString() {
        return "Study[" + name() + "]";
    }

    /** Builds a {@link Study}: every setter validates at once. */
    public static final class Builder {
        private String name;
        private List<StudyDirection> directions = List.of(StudyDirection.MINIMIZE);
        private Sampler sampler;
        private Pruner pruner;
        private Storage storage;
        private boolean loadIfExists;
        private Duration heartbeatInterval;
        private Duration gracePeriod;
        private boolean reenqueueStaleTrials;
        private int failedTrialRetries;

        private Builder() {
        }

        /** @param name study name (default: a random one) @return this */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** @param direction the direction of a single objective (default MINIMIZE) @return this */
        public Builder direction(StudyDirection direction) {
            Objects.requireNonNull(direction, "direction");
            this.directions = List.of(direction);
            return this;
        }

        /** @param directions one direction per objective @return this */
        public Builder directions(List<StudyDirection> directions) {
            Objects.requireNonNull(directions, "directions");
            if (directions.isEmpty() || directions.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("directions must be non-empty and without null, was " + directions);
            }
            this.directions = List.copyOf(directions);
            return this;
        }

        /**
         * @param sampler the sampler, which also holds the seed (default: {@code Samplers.tpe().build()}, the
         *     multivariate TPE with a random seed)
         * @return this
         */
        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        /** @param pruner the pruner (default: {@code Pruners.median().build()}) @return this */
        public Builder pruner(Pruner pruner) {
            this.pruner = Objects.requireNonNull(pruner, "pruner");
            return this;
        }

        /** @param storage the storage (default: a new {@link InMemoryStorage}) @return this */
        public Builder storage(Storage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** @param loadIfExists resume a study of the same name in the storage (default false: error) @return this */
        public Builder loadIfExists(boolean loadIfExists) {
            this.loadIfExists = loadIfExists;
            return this;
        }

        /**
         * Enables heartbeats for a storage shared between processes: each running trial records a heartbeat
         * at this interval, and every new trial first fails RUNNING trials silent for the grace period.
         * Default: none for an {@link InMemoryStorage}, {@link Study#DEFAULT_SHARED_HEARTBEAT} (10 s, grace 60 s)
         * for any other storage.
         *
         * @param interval heartbeat interval, &gt; 0
         * @return this
         */
        public Builder heartbeatInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("heartbeatInterval must be > 0, was " + interval);
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /** @param grace how long a trial may be silent before it is failed (default 6 heartbeat intervals) @return this */
        public Builder gracePeriod(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("gracePeriod must be > 0, was " + grace);
            }
            this.gracePeriod = grace;
            return this;
        }

        /** @param reenqueue enqueue the parameters of a trial failed for lack of heartbeat again @return this */
        public Builder reenqueueStaleTrials(boolean reenqueue) {
            this.reenqueueStaleTrials = reenqueue;
            return this;
        }

        /** @param retries how many times the parameters of a trial whose objective threw are retried (default 0) @return this */
        public Builder failedTrialRetries(int retries) {
            this.failedTrialRetries = Checks.atLeast("failedTrialRetries", retries, 0);
            return this;
        }

        /**
         * @return the study, created in the storage or loaded from it
         * @throws IllegalArgumentException when the name exists and {@code loadIfExists} is false, or it exists
         *     with other directions
         */
        public Study build() {
            boolean owns = storage == null;
            Duration hb = heartbeatInterval != null ? heartbeatInterval
                    : storage == null || storage instanceof InMemoryStorage ? null : DEFAULT_SHARED_HEARTBEAT;
            if (gracePeriod != null && hb == null) {
                throw new IllegalArgumentException("gracePeriod needs heartbeatInterval");
            }
            if (gracePeriod != null && gracePeriod.compareTo(hb) <= 0) {
                throw new IllegalArgumentException("gracePeriod must be > heartbeatInterval, were " + gracePeriod
                        + " and " + hb);
            }
            Storage st = owns ? new InMemoryStorage() : storage;
            String n = name != null ? name : "study-" + UUID.randomUUID();
            StudyRef ref = st.findStudy(n).orElse(null);
            if (ref != null) {
                if (!loadIfExists) {
                    throw new IllegalArgumentException("a study named '" + n + "' already exists in " + st
                            + "; set loadIfExists(true) to resume it");
                }
                if (!ref.directions().equals(directions)) {
                    throw new IllegalArgumentException("study '" + n + "' exists with directions " + ref.directions()
                            + ", not " + directions);
                }
            } else {
                try {
                    ref = st.createStudy(n, directions);
                } catch (IllegalArgumentException raced) {
                    // another process created it between findStudy and createStudy
                    if (!loadIfExists) {
                        throw raced;
                    }
                    ref = st.findStudy(n).orElseThrow(() -> raced);
                    if (!ref.directions().equals(directions)) {
                        throw new IllegalArgumentException("study '" + n + "' exists with directions "
                                + ref.directions() + ", not " + directions);
                    }
                }
            }
            return new Study(this, ref, st, owns);
        }
    }
}
