package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SortedMap;

/**
 * The pruners, with Optuna's semantics and defaults.
 *
 * <pre>{@code
 * Study.builder().pruner(Pruners.successiveHalving(1, 3, 0)) ...
 * }</pre>
 */
public final class Pruners {
    private Pruners() {
    }

    /** @return a pruner that never prunes */
    public static Pruner none() {
        return new Pruner() {
            @Override
            public boolean prune(Study study, FrozenTrial trial) {
                return false;
            }

            @Override
            public String toString() {
                return "NopPruner";
            }
        };
    }

    /** @return {@link #median(int, int, int)} with 5 startup trials, no warm-up, every step */
    public static Pruner median() {
        return median(5, 0, 1);
    }

    /**
     * Prunes a trial whose best intermediate value is worse than the median of the COMPLETE trials'
     * values at the same step.
     *
     * @param nStartupTrials no pruning until this many trials completed, &gt;= 0
     * @param nWarmupSteps no pruning before this step, &gt;= 0
     * @param intervalSteps check every this many steps, &gt;= 1
     * @return the pruner
     */
    public static Pruner median(int nStartupTrials, int nWarmupSteps, int intervalSteps) {
        return percentile(50.0, nStartupTrials, nWarmupSteps, intervalSteps);
    }

    /**
     * Prunes a trial whose best intermediate value is worse than the given percentile of the COMPLETE
     * trials' values at the same step (for maximisation the percentile is counted from the top).
     *
     * @param percentile in [0, 100]
     * @param nStartupTrials no pruning until this many trials completed, &gt;= 0
     * @param nWarmupSteps no pruning before this step, &gt;= 0
     * @param intervalSteps check every this many steps, &gt;= 1
     * @return the pruner
     */
    public static Pruner percentile(double percentile, int nStartupTrials, int nWarmupSteps, int intervalSteps) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], was " + percentile);
        }
        checkCommon(nStartupTrials, nWarmupSteps, intervalSteps);
        return new PercentilePruner(percentile, nStartupTrials, nWarmupSteps, intervalSteps);
    }

    /**
     * Prunes a trial whose last intermediate value leaves [lower, upper] (or is NaN).
     *
     * @param lower lower bound (use {@code Double.NEGATIVE_INFINITY} for none)
     * @param upper upper bound (use {@code Double.POSITIVE_INFINITY} for none)
     * @param nWarmupSteps no pruning before this step, &gt;= 0
     * @param intervalSteps check every this many steps, &gt;= 1
     * @return the pruner
     */
    public static Pruner threshold(double lower, double upper, int nWarmupSteps, int intervalSteps) {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("threshold needs lower <= upper, were " + lower + ", " + upper);
        }
        if (lower == Double.NEGATIVE_INFINITY && upper == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("threshold needs a finite lower or upper bound");
        }
        checkCommon(0, nWarmupSteps, intervalSteps);
        return new Pruner() {
            @Override
            public boolean prune(Study study, FrozenTrial trial) {
                SortedMap<Integer, Double> iv = trial.intermediateValues();
                if (!atPruningStep(iv, nWarmupSteps, intervalSteps)) {
                    return false;
                }
                int step = iv.lastKey();
                double v = iv.get(step);
                return Double.isNaN(v) || v < lower || v > upper;
            }

            @Override
            public String toString() {
                return "ThresholdPruner[" + lower + ", " + upper + "]";
            }
        };
    }

    /**
     * Asynchronous successive halving (ASHA): rungs at {@code minResource * reductionFactor^(rate + k)}
     * steps; at each rung a trial continues only if it is in the top {@code 1/reductionFactor} of the
     * trials that reached that rung.
     *
     * @param minResource steps before the first rung, &gt;= 1
     * @param reductionFactor &gt;= 2
     * @param minEarlyStoppingRate offset of the first rung, &gt;= 0
     * @return the pruner
     */
    public static Pruner successiveHalving(int minResource, int reductionFactor, int minEarlyStoppingRate) {
        checkSha(minResource, reductionFactor, minEarlyStoppingRate);
        return new SuccessiveHalvingPruner(minResource, reductionFactor, minEarlyStoppingRate, -1);
    }

    /**
     * Hyperband: several successive-halving brackets of increasing first rung; each trial is assigned to
     * a bracket (deterministically by its number, weighted by the bracket's budget) and competes only
     * inside it.
     *
     * @param minResource steps before the first rung of the most aggressive bracket, &gt;= 1
     * @param maxResource the steps of a full trial, &gt; minResource
     * @param reductionFactor &gt;= 2
     * @return the pruner
     */
    public static Pruner hyperband(int minResource, int maxResource, int reductionFactor) {
        checkSha(minResource, reductionFactor, 0);
        if (maxResource <= minResource) {
            throw new IllegalArgumentException("maxResource must be > minResource=" + minResource + ", was " + maxResource);
        }
        return new HyperbandPruner(minResource, maxResource, reductionFactor);
    }

    private static void checkSha(int minResource, int reductionFactor, int rate) {
        Checks.atLeast("minResource", minResource, 1);
        Checks.atLeast("reductionFactor", reductionFactor, 2);
        Checks.atLeast("minEarlyStoppingRate", rate, 0);
    }

    private static void checkCommon(int nStartupTrials, int nWarmupSteps, int intervalSteps) {
        Checks.atLeast("nStartupTrials", nStartupTrials, 0);
        Checks.atLeast("nWarmupSteps", nWarmupSteps, 0);
        Checks.atLeast("intervalSteps", intervalSteps, 1);
    }

    /**
     * True when the trial's last reported step is one to prune at: there is one, it is not inside the warm-up,
     * and it is the first report in its interval.
     */
    private static boolean atPruningStep(SortedMap<Integer, Double> iv, int warmup, int interval) {
        if (iv.isEmpty()) {
            return false;
        }
        int step = iv.lastKey();
        return step >= warmup && firstInInterval(iv, step, warmup, interval);
    }

    /** True when {@code step} is the first reported step at or after the latest pruning step of its interval. */
    static boolean firstInInterval(SortedMap<Integer, Double> iv, int step, int warmup, int interval) {
        int nearestLower = (step - warmup) / interval * interval + warmup;
        SortedMap<Integer, Double> before = iv.headMap(step);
        int secondLast = before.isEmpty() ? -1 : before.lastKey();
        return secondLast < nearestLower;
    }

    private record PercentilePruner(double percentile, int nStartupTrials, int nWarmupSteps, int intervalSteps)
            implements Pruner {
        @Override
        public boolean prune(Study study, FrozenTrial trial) {
            SortedMap<Integer, Double> iv = trial.intermediateValues();
            if (!atPruningStep(iv, nWarmupSteps, intervalSteps)) {
                return false;
            }
            int step = iv.lastKey();
            List<FrozenTrial> done = study.trials(EnumSet.of(TrialState.COMPLETE));
            if (done.size() == 0 || done.size() < nStartupTrials) {
                return false;
            }
            StudyDirection dir = study.direction();
            double best = Double.NaN;
            for (double v : iv.values()) {
                if (!Double.isNaN(v) && (Double.isNaN(best) || dir.isBetter(v, best))) {
                    best = v;
                }
            }
            if (Double.isNaN(best)) {
                return true;
            }
            List<Double> others = new ArrayList<>();
            for (FrozenTrial t : done) {
                Double v = t.intermediateValues().get(step);
                if (v != null && !v.isNaN()) {
                    others.add(v);
                }
            }
            if (others.isEmpty()) {
                return false;
            }
            double p = dir == StudyDirection.MINIMIZE ? percentile : 100 - percentile;
            double cut = percentileOf(others, p);
            return dir.isBetter(cut, best);
        }

        @Override
        public String toString() {
            return "PercentilePruner[" + percentile + "]";
        }
    }

    /** Linear-interpolated percentile (numpy's default). */
    static double percentileOf(List<Double> values, double p) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        double pos = p / 100.0 * (a.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(a.length - 1, lo + 1);
        return a[lo] + (a[hi] - a[lo]) * (pos - lo);
    }

    private record SuccessiveHalvingPruner(int minResource, int reductionFactor, int minEarlyStoppingRate, int bracket)
            implements Pruner {
        @Override
        public boolean prune(Study study, FrozenTrial trial) {
            SortedMap<Integer, Double> iv = trial.intermediateValues();
            if (iv.isEmpty()) {
                return false;
            }
            int step = iv.lastKey();
            double value = iv.get(step);
            int rung = 0;
            while (trial.systemAttrs().containsKey(rungKey(rung))) {
                rung++;
            }
            StudyDirection dir = study.direction();
            while (true) {
                double promotionStep = minResource * Math.pow(reductionFactor, minEarlyStoppingRate + rung);
                if (step < promotionStep) {
                    return false;
                }
                if (Double.isNaN(value)) {
                    return true;
                }
                String key = rungKey(rung);
                study.storage().setTrialSystemAttr(trial.trialId(), key, value);
                List<Double> competing = new ArrayList<>();
                for (FrozenTrial t : study.trials()) {
                    if (bracket >= 0 && !Integer.valueOf(bracket).equals(bracketOf(t))) {
                        continue;
                    }
                    Object v = t.trialId() == trial.trialId() ? value : t.systemAttrs().get(key);
                    if (v instanceof Number n) {
                        competing.add(n.doubleValue());
                    }
                }
                competing.sort(null);
                if (dir == StudyDirection.MAXIMIZE) {
                    java.util.Collections.reverse(competing);
                }
                int idx = competing.size() / reductionFactor - 1;
                if (idx < 0) {
                    idx = 0;
                }
                double cut = competing.get(idx);
                if (dir.isBetter(cut, value)) {
                    return true;
                }
                rung++;
            }
        }

        private static String rungKey(int rung) {
            return "completed_rung_" + rung;
        }

        @Override
        public String toString() {
            return "SuccessiveHalvingPruner[min=" + minResource + ", factor=" + reductionFactor + ", rate="
                    + minEarlyStoppingRate + "]";
        }
    }

    private static Integer bracketOf(FrozenTrial t) {
        Object b = t.systemAttrs().get("hyperband_bracket");
        return b instanceof Number n ? n.intValue() : null;
    }

    private static final class HyperbandPruner implements Pruner {
        private final int minResource;
        private final int maxResource;
        private final int reductionFactor;
        private final SuccessiveHalvingPruner[] brackets;
        private final int[] budgets;
        private final int totalBudget;

        HyperbandPruner(int minResource, int maxResource, int reductionFactor) {
            this.minResource = minResource;
            this.maxResource = maxResource;
            this.reductionFactor = reductionFactor;
            int n = (int) Math.floor(Math.log((double) maxResource / minResource) / Math.log(reductionFactor) + 1e-9) + 1;
            brackets = new SuccessiveHalvingPruner[n];
            budgets = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                brackets[i] = new SuccessiveHalvingPruner(minResource, reductionFactor, i, i);
                // Hyperband's bracket with first rung at rate i starts ceil(n/(i+1) * eta^(n-1-i)) configurations.
                budgets[i] = (int) Math.ceil((double) n / (i + 1) * Math.pow(reductionFactor, n - 1 - i));
                total += budgets[i];
            }
            totalBudget = total;
        }

        private int bracketFor(FrozenTrial trial) {
            long h = trial.number() * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            int slot = (int) Math.floorMod(h, (long) totalBudget);
            for (int i = 0; i < budgets.length; i++) {
                slot -= budgets[i];
                if (slot < 0) {
                    return i;
                }
            }
            return budgets.length - 1;
        }

        @Override
        public boolean prune(Study study, FrozenTrial trial) {
            Integer b = bracketOf(trial);
            if (b == null) {
                b = bracketFor(trial);
                study.storage().setTrialSystemAttr(trial.trialId(), "hyperband_bracket", b);
                trial = study.storage().trial(trial.trialId());
            }
            return brackets[b].prune(study, trial);
        }

        @Override
        public String toString() {
            return "HyperbandPruner[min=" + minResource + ", max=" + maxResource + ", factor=" + reductionFactor
                    + ", brackets=" + brackets.length + "]";
        }
    }
}
