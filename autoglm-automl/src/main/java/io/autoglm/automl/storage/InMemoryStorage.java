package io.autoglm.automl.storage;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.Distributions;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link Storage} in the heap of one JVM: fast, thread-safe (one lock), lost when the process ends.
 * The default storage of a {@link io.autoglm.automl.search.Study}. Times (start, finish, heartbeats) come
 * from a {@link Clock}, the system clock unless one is given (a test can then move time by hand).
 *
 * <pre>{@code
 * try (Storage storage = new InMemoryStorage()) {
 *     Study study = Study.builder().name("demo").storage(storage).build();
 * }
 * }</pre>
 */
public final class InMemoryStorage implements Storage {
    private final Object lock = new Object();
    private final Map<Long, StudyData> studies = new LinkedHashMap<>();
    private final Map<Long, TrialData> trials = new HashMap<>();
    private long nextStudyId = 1;
    private long nextTrialId = 1;
    private boolean closed;
    private final Clock clock;

    /** Creates an empty storage on the system clock. */
    public InMemoryStorage() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty storage whose times (start, finish, heartbeats and so staleness) come from {@code clock}.
     *
     * @param clock the clock
     */
    public InMemoryStorage(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private static final class StudyData {
        final StudyRef ref;
        final List<TrialData> trials = new ArrayList<>();
        final Map<String, Distribution> distributions = new HashMap<>();

        StudyData(StudyRef ref) {
            this.ref = ref;
        }
    }

    private static final class TrialData {
        final long id;
        final StudyData study;
        final int number;
        TrialState state;
        List<Double> values = List.of();
        final LinkedHashMap<String, Double> params = new LinkedHashMap<>();
        final LinkedHashMap<String, Distribution> distributions = new LinkedHashMap<>();
        final LinkedHashMap<String, Object> userAttrs = new LinkedHashMap<>();
        final LinkedHashMap<String, Object> systemAttrs = new LinkedHashMap<>();
        final TreeMap<Integer, Double> intermediate = new TreeMap<>();
        Instant started;
        Instant finished;
        Instant heartbeat;
        Duration samplerTime;
        FrozenTrial frozen;

        TrialData(long id, StudyData study, int number, TrialState state) {
            this.id = id;
            this.study = study;
            this.number = number;
            this.state = state;
        }

        FrozenTrial freeze() {
            if (frozen == null) {
                frozen = new FrozenTrial(id, number, state, values, params, distributions, userAttrs, systemAttrs,
                        intermediate, Optional.ofNullable(started), Optional.ofNullable(finished), Optional.ofNullable(samplerTime));
            }
            return frozen;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
    }

    private StudyData study(long studyId) {
        StudyData s = studies.get(studyId);
        if (s == null) {
            throw new IllegalArgumentException("no study with id " + studyId);
        }
        return s;
    }

    private TrialData trialData(long trialId) {
        TrialData t = trials.get(trialId);
        if (t == null) {
            throw new IllegalArgumentException("no trial with id " + trialId);
        }
        return t;
    }

    private static TrialData running(TrialData t) {
        if (t.state != TrialState.RUNNING) {
            throw new IllegalStateException("trial " + t.number + " is " + t.state + ", not RUNNING");
        }
        return t;
    }

    /**
     * Applies {@code change} to a trial under the lock and drops its cached snapshot; with
     * {@code mustRun} the trial must be RUNNING. The change may throw before it mutates anything.
     */
    private void updateTrial(long trialId, boolean mustRun, Consumer<TrialData> change) {
        synchronized (lock) {
            checkOpen();
            TrialData t = trialData(trialId);
            change.accept(mustRun ? running(t) : t);
            t.frozen = null;
        }
    }

    @Override
    public StudyRef createStudy(String name, List<StudyDirection> directions) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directions, "directions");
        if (name.isBlank()) {
            throw new IllegalArgumentException("study name must not be blank");
        }
        synchronized (lock) {
            checkOpen();
            for (StudyData s : studies.values()) {
                if (s.ref.name().equals(name)) {
                    throw new IllegalArgumentException("a study named '" + name + "' already exists");
                }
            }
            StudyRef ref = new StudyRef(nextStudyId++, name, directions);
            studies.put(ref.studyId(), new StudyData(ref));
            return ref;
        }
    }

    @Override
    public Optional<StudyRef> findStudy(String name) {
        Objects.requireNonNull(name, "name");
        synchronized (lock) {
            checkOpen();
            return studies.values().stream().map(s -> s.ref).filter(r -> r.name().equals(name)).findFirst();
        }
    }

    @Override
    public List<StudyRef> studies() {
        synchronized (lock) {
            checkOpen();
            return studies.values().stream().map(s -> s.ref).toList();
        }
    }

    @Override
    public void deleteStudy(long studyId) {
        synchronized (lock) {
            checkOpen();
            StudyData s = study(studyId);
            for (TrialData t : s.trials) {
                trials.remove(t.id);
            }
            studies.remove(studyId);
        }
    }

    @Override
    public FrozenTrial startTrial(long studyId, String workerId) {
        Objects.requireNonNull(workerId, "workerId");
        synchronized (lock) {
            checkOpen();
            StudyData s = study(studyId);
            Instant now = clock.instant();
            for (TrialData t : s.trials) {
                if (t.state == TrialState.WAITING) {
                    t.state = TrialState.RUNNING;
                    t.started = now;
                    t.heartbeat = now;
                    t.systemAttrs.put("worker", workerId);
                    t.frozen = null;
                    return t.freeze();
                }
            }
            TrialData t = new TrialData(nextTrialId++, s, s.trials.size(), TrialState.RUNNING);
            t.started = now;
            t.heartbeat = now;
            t.systemAttrs.put("worker", workerId);
            s.trials.add(t);
            trials.put(t.id, t);
            return t.freeze();
        }
    }

    @Override
    public FrozenTrial enqueueTrial(long studyId, Map<String, Object> fixedParams) {
        Objects.requireNonNull(fixedParams, "fixedParams");
        synchronized (lock) {
            checkOpen();
            StudyData s = study(studyId);
            TrialData t = new TrialData(nextTrialId++, s, s.trials.size(), TrialState.WAITING);
            t.systemAttrs.put("fixed_params", new LinkedHashMap<>(fixedParams));
            s.trials.add(t);
            trials.put(t.id, t);
            return t.freeze();
        }
    }

    @Override
    public void setTrialParam(long trialId, String name, double internalValue, Distribution distribution) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(distribution, "distribution");
        updateTrial(trialId, true, t -> {
            if (!distribution.contains(internalValue)) {
                throw new IllegalArgumentException("value " + internalValue + " of '" + name + "' is not in " + distribution);
            }
            Distribution previous = t.study.distributions.get(name);
            if (previous != null) {
                Distributions.checkCompatible(name, previous, distribution);
            }
            Distribution inTrial = t.distributions.get(name);
            if (inTrial != null && !inTrial.equals(distribution)) {
                throw new IllegalArgumentException("parameter '" + name + "' already set in trial " + t.number
                        + " as " + inTrial + ", cannot be set as " + distribution);
            }
            t.study.distributions.putIfAbsent(name, distribution);
            t.params.put(name, internalValue);
            t.distributions.put(name, distribution);
        });
    }

    @Override
    public void setTrialIntermediateValue(long trialId, int step, double value) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, was " + step);
        }
        updateTrial(trialId, true, t -> t.intermediate.put(step, value));
    }

    @Override
    public void setTrialUserAttr(long trialId, String key, Object value) {
        Objects.requireNonNull(key, "key");
        updateTrial(trialId, false, t -> t.userAttrs.put(key, value));
    }

    @Override
    public void setTrialSystemAttr(long trialId, String key, Object value) {
        Objects.requireNonNull(key, "key");
        updateTrial(trialId, false, t -> t.systemAttrs.put(key, value));
    }

    @Override
    public boolean finishTrial(long trialId, TrialState state, List<Double> values, Duration samplerTime) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(values, "values");
        if (!state.isFinished()) {
            throw new IllegalArgumentException("state must be COMPLETE, PRUNED or FAIL, was " + state);
        }
        if (samplerTime != null && samplerTime.isNegative()) {
            throw new IllegalArgumentException("samplerTime must be >= 0, was " + samplerTime);
        }
        synchronized (lock) {
            checkOpen();
            TrialData t = trialData(trialId);
            if (t.state != TrialState.RUNNING) {
                return false;
            }
            if (state == TrialState.COMPLETE) {
                if (values.size() != t.study.ref.directions().size()) {
                    throw new IllegalArgumentException("a COMPLETE trial needs " + t.study.ref.directions().size()
                            + " values, got " + values.size());
                }
                for (Double v : values) {
                    if (v == null || !Double.isFinite(v)) {
                        throw new IllegalArgumentException("objective values must be finite, were " + values);
                    }
                }
                t.values = List.copyOf(values);
            } else if (!values.isEmpty()) {
                throw new IllegalArgumentException("only COMPLETE trials carry values, state was " + state);
            }
            t.state = state;
            t.finished = clock.instant();
            t.samplerTime = samplerTime;
            t.frozen = null;
            return true;
        }
    }

    @Override
    public FrozenTrial addTrial(long studyId, FrozenTrial trial) {
        Objects.requireNonNull(trial, "trial");
        synchronized (lock) {
            checkOpen();
            StudyData s = study(studyId);
            AddedTrials.check(trial, s.ref.directions().size());
            for (Map.Entry<String, Distribution> e : trial.distributions().entrySet()) {
                Distribution previous = s.distributions.get(e.getKey());
                if (previous != null) {
                    Distributions.checkCompatible(e.getKey(), previous, e.getValue());
                }
            }
            trial.distributions().forEach(s.distributions::putIfAbsent);
            Instant now = clock.instant();
            TrialData t = new TrialData(nextTrialId++, s, s.trials.size(), trial.state());
            t.values = trial.values();
            t.params.putAll(trial.internalParams());
            t.distributions.putAll(trial.distributions());
            t.userAttrs.putAll(trial.userAttrs());
            t.intermediate.putAll(trial.intermediateValues());
            t.started = trial.started().orElse(now);
            t.finished = trial.finished().orElse(now);
            s.trials.add(t);
            trials.put(t.id, t);
            return t.freeze();
        }
    }

    @Override
    public void recordHeartbeat(long trialId) {
        synchronized (lock) {
            checkOpen();
            TrialData t = trialData(trialId);
            if (t.state == TrialState.RUNNING) {
                t.heartbeat = clock.instant();
            }
        }
    }

    @Override
    public List<FrozenTrial> failStaleTrials(long studyId, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must be >= 0, was " + grace);
        }
        synchronized (lock) {
            checkOpen();
            Instant limit = clock.instant().minus(grace);
            List<FrozenTrial> failed = new ArrayList<>();
            for (TrialData t : study(studyId).trials) {
                if (t.state == TrialState.RUNNING && t.heartbeat.isBefore(limit)) {
                    t.state = TrialState.FAIL;
                    t.finished = clock.instant();
                    t.systemAttrs.put("fail_reason", "no heartbeat for more than " + grace + " (worker died?)");
                    t.frozen = null;
                    failed.add(t.freeze());
                }
            }
            return failed;
        }
    }

    @Override
    public FrozenTrial trial(long trialId) {
        synchronized (lock) {
            checkOpen();
            return trialData(trialId).freeze();
        }
    }

    @Override
    public List<FrozenTrial> trials(long studyId, Set<TrialState> states) {
        Objects.requireNonNull(states, "states");
        synchronized (lock) {
            checkOpen();
            List<FrozenTrial> out = new ArrayList<>();
            for (TrialData t : study(studyId).trials) {
                if (states.isEmpty() || states.contains(t.state)) {
                    out.add(t.freeze());
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "InMemoryStorage";
    }
}
