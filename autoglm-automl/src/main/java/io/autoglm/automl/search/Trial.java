package io.autoglm.automl.search;

import io.autoglm.automl.storage.Storage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One evaluation of the objective. Parameters are defined by running: each {@code suggest*} call
 * declares a parameter and returns its value for this trial, so a search space may depend on earlier
 * values (conditional spaces). Suggesting a name twice in one trial returns the same value.
 *
 * <pre>{@code
 * double objective(Trial t) {
 *     String kind = t.suggestCategorical("kind", List.of("linear", "tree"));
 *     if (kind.equals("tree")) {
 *         int depth = t.suggestInt("depth", 2, 12);
 *         ...
 *     } else {
 *         double c = t.suggestFloatLog("c", 1e-4, 1e2);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * A trial is used by one thread at a time. It is obtained from {@link Study#optimize} or {@link Study#ask()}.
 */
public final class Trial {
    private static final Logger LOG = LoggerFactory.getLogger(Trial.class);

    private final Study study;
    private final long trialId;
    private final int number;
    private final Map<String, Object> fixedParams;
    private final Map<String, Distribution> relativeSpace;
    private final Map<String, Double> relativeParams;
    private final RandomGenerator rng;
    private final Map<String, Double> params = new LinkedHashMap<>();
    private final Map<String, Distribution> distributions = new LinkedHashMap<>();
    private volatile boolean pruneRequested;
    private volatile boolean finished;
    /** Time inside the sampler so far: relative sampling in {@link Study#ask()} plus independent samples. */
    private long samplerNanos;

    Trial(Study study, FrozenTrial started, Map<String, Object> fixedParams, Map<String, Distribution> relativeSpace,
            Map<String, Double> relativeParams, RandomGenerator rng, long relativeSamplerNanos) {
        this.samplerNanos = relativeSamplerNanos;
        this.study = study;
        this.trialId = started.trialId();
        this.number = started.number();
        this.fixedParams = fixedParams;
        this.relativeSpace = relativeSpace;
        this.relativeParams = relativeParams;
        this.rng = rng;
        params.putAll(started.internalParams());
        distributions.putAll(started.distributions());
    }

    /** @return the trial's number within its study (from 0) */
    public int number() {
        return number;
    }

    /** @return the storage-wide trial id */
    public long trialId() {
        return trialId;
    }

    /** @return the study this trial belongs to */
    public Study study() {
        return study;
    }

    /**
     * @param name parameter name
     * @param low lower bound
     * @param high upper bound, &gt;= low
     * @return a value in [low, high], sampled on a linear scale
     */
    public double suggestFloat(String name, double low, double high) {
        return (Double) suggest("suggestFloat", name, () -> Distributions.ofFloat(low, high));
    }

    /**
     * @param name parameter name
     * @param low lower bound, &gt; 0
     * @param high upper bound, &gt;= low
     * @return a value in [low, high], sampled on a log scale (for learning rates, regularisation strengths)
     */
    public double suggestFloatLog(String name, double low, double high) {
        return (Double) suggest("suggestFloatLog", name, () -> Distributions.ofFloatLog(low, high));
    }

    /**
     * @param name parameter name
     * @param low lower bound
     * @param high upper bound, &gt;= low (rounded down to the grid)
     * @param step grid step, &gt; 0
     * @return a value of the grid {@code low + k * step} within [low, high]
     */
    public double suggestFloatStep(String name, double low, double high, double step) {
        return (Double) suggest("suggestFloatStep", name, () -> Distributions.ofFloatStep(low, high, step));
    }

    /**
     * @param name parameter name
     * @param low lower bound
     * @param high upper bound, &gt;= low
     * @return an integer in [low, high]
     */
    public int suggestInt(String name, int low, int high) {
        return (Integer) suggest("suggestInt", name, () -> Distributions.ofInt(low, high));
    }

    /**
     * @param name parameter name
     * @param low lower bound, &gt;= 1
     * @param high upper bound, &gt;= low
     * @return an integer in [low, high], sampled on a log scale (for layer widths, batch sizes)
     */
    public int suggestIntLog(String name, int low, int high) {
        return (Integer) suggest("suggestIntLog", name, () -> Distributions.ofIntLog(low, high));
    }

    /**
     * @param name parameter name
     * @param low lower bound
     * @param high upper bound, &gt;= low (rounded down to the grid)
     * @param step grid step, &gt;= 1
     * @return an integer of the grid {@code low + k * step} within [low, high]
     */
    public int suggestIntStep(String name, int low, int high, int step) {
        return (Integer) suggest("suggestIntStep", name, () -> Distributions.ofIntStep(low, high, step));
    }

    /**
     * @param name parameter name
     * @param choices the choices (strings, numbers, booleans or null), not empty
     * @param <T> type of the choices
     * @return one of the choices
     */
    public <T> T suggestCategorical(String name, List<T> choices) {
        Objects.requireNonNull(choices, "choices");
        Distribution d = distribution("suggestCategorical", name, () -> Distributions.ofCategorical(choices));
        Object v = suggest(name, d);
        int i = (int) d.toInternal(v);
        return choices.get(i);
    }

    private Object suggest(String method, String name, java.util.function.Supplier<Distribution> make) {
        return suggest(name, distribution(method, name, make));
    }

    private static Distribution distribution(String method, String name, java.util.function.Supplier<Distribution> make) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(method + ": parameter name must not be empty");
        }
        try {
            return make.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(method + "('" + name + "'): " + e.getMessage(), e);
        }
    }

    private synchronized Object suggest(String name, Distribution d) {
        checkRunning();
        Distribution previous = distributions.get(name);
        if (previous != null) {
            if (!previous.equals(d)) {
                throw new IllegalArgumentException("parameter '" + name + "' was already suggested in trial " + number
                        + " as " + previous + ", cannot be suggested as " + d);
            }
            return d.toExternal(params.get(name));
        }
        study.checkDistribution(name, d);
        double v;
        if (fixedParams.containsKey(name)) {
            try {
                v = d.toInternal(fixedParams.get(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("enqueued value of '" + name + "' has the wrong type: " + e.getMessage(), e);
            }
            if (!d.contains(v)) {
                throw new IllegalArgumentException("enqueued value " + fixedParams.get(name) + " of '" + name
                        + "' is outside " + d);
            }
        } else if (relativeParams.containsKey(name) && d.equals(relativeSpace.get(name))
                && d.contains(relativeParams.get(name))) {
            v = relativeParams.get(name);
        } else {
            Storage storage = study.storage();
            long t0 = System.nanoTime();
            try {
                v = study.sampler().sampleIndependent(study, storage.trial(trialId), name, d, rng);
            } finally {
                samplerNanos += System.nanoTime() - t0;
            }
            if (!d.contains(v)) {
                throw new IllegalStateException("sampler " + study.sampler() + " returned " + v + " outside " + d);
            }
        }
        study.storage().setTrialParam(trialId, name, v, d);
        params.put(name, v);
        distributions.put(name, d);
        return d.toExternal(v);
    }

    /**
     * Reports an intermediate objective value (for pruning and learning curves). A step already reported
     * is ignored with a warning. A NaN or infinite value is not stored and makes {@link #shouldPrune()}
     * return true (the run diverged).
     *
     * @param value the value at this step
     * @param step the step (epoch, iteration), &gt;= 0
     */
    public synchronized void report(double value, int step) {
        checkRunning();
        Checks.atLeast("step", step, 0);
        if (!Double.isFinite(value)) {
            LOG.debug("trial {} reported {} at step {}; it will be pruned", number, value, step);
            pruneRequested = true;
            return;
        }
        FrozenTrial t = study.storage().trial(trialId);
        if (t.intermediateValues().containsKey(step)) {
            LOG.warn("trial {} already reported step {}; the value {} is ignored", number, step, value);
            return;
        }
        study.storage().setTrialIntermediateValue(trialId, step, value);
    }

    /**
     * Asks the study's pruner whether this trial should stop. When it returns true the objective should
     * throw {@link TrialPrunedException} or simply return: either way the trial ends PRUNED.
     *
     * @return true when the trial should stop
     */
    public boolean shouldPrune() {
        checkRunning();
        if (pruneRequested) {
            return true;
        }
        boolean prune = study.pruner().prune(study, study.storage().trial(trialId));
        if (prune) {
            pruneRequested = true;
        }
        return prune;
    }

    /**
     * @param key attribute name
     * @param value a JSON-compatible value (string, number, boolean, null, list or map of those)
     */
    public void setUserAttr(String key, Object value) {
        Objects.requireNonNull(key, "key");
        study.storage().setTrialUserAttr(trialId, key, value);
    }

    /** @return the user attributes set so far */
    public Map<String, Object> userAttrs() {
        return study.storage().trial(trialId).userAttrs();
    }

    /** @return the parameters suggested so far, as the objective saw them ({@code Integer} for int parameters) */
    public synchronized Map<String, Object> params() {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, distributions.get(k).toExternal(v)));
        return Collections.unmodifiableMap(out);
    }

    /** @return a snapshot of this trial as stored */
    public FrozenTrial snapshot() {
        return study.storage().trial(trialId);
    }

    /** @return the wall-clock time spent in the sampler for this trial so far */
    public synchronized java.time.Duration samplerTime() {
        return java.time.Duration.ofNanos(samplerNanos);
    }

    boolean pruneRequested() {
        return pruneRequested;
    }

    void markFinished() {
        finished = true;
    }

    boolean isFinished() {
        return finished;
    }

    private void checkRunning() {
        if (finished) {
            throw new IllegalStateException("trial " + number + " is finished");
        }
    }

    @Override
    public String toString() {
        return "Trial[" + number + "]";
    }
}
