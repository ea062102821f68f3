package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SortedMap;

/**
 * The pruners, with Optuna's semantics and defaults, each from a builder: {@code Pruners.kind()...build()}.
 *
 * <pre>{@code
 * Study.builder().pruner(Pruners.median().nWarmupSteps(5).build()) ...
 * Study.builder().pruner(Pruners.successiveHalving().minResource(1).reductionFactor(3).build()) ...
 * Study.builder().pruner(Pruners.none().build()) ...
 * }</pre>
 */
public final class Pruners {
    private Pruners() {
    }

    /** @return a builder of the pruner that never prunes */
    public static NoneBuilder none() {
        return new NoneBuilder();
    }

    /**
     * Prunes a trial whose best intermediate value is worse than the median of the COMPLETE trials' values at
     * the same step: {@link #percentile()} with percentile 50.
     *
     * @return a builder (5 startup trials, no warm-up, every step)
     */
    public static PercentileBuilder median() {
        return new PercentileBuilder(50.0);
    }

    /**
     * Prunes a trial whose best intermediate value is worse than the given percentile of the COMPLETE trials'
     * values at the same step (for maximisation the percentile is counted from the top).
     *
     * @return a builder; {@link PercentileBuilder#percentile(double)} is required
     */
    public static PercentileBuilder percentile() {
        return new PercentileBuilder(Double.NaN);
    }

    /**
     * Prunes a trial whose last intermediate value leaves [lower, upper] (or is NaN).
     *
     * @return a builder; at least one of {@link ThresholdBuilder#lower} and {@link ThresholdBuilder#upper} is required
     */
    public static ThresholdBuilder threshold() {
        return new ThresholdBuilder();
    }

    /**
     * Asynchronous successive halving (ASHA): rungs at {@code minResource * reductionFactor^(rate + k)}
     * steps; at each rung a trial continues only if it is in the top {@code 1/reductionFactor} of the
     * trials that reached that rung.
     *
     * @return a builder (minResource 1, reductionFactor 4, minEarlyStoppingRate 0)
     */
    public static SuccessiveHalvingBuilder successiveHalving() {
        return new SuccessiveHalvingBuilder();
    }

    /**
     * Hyperband: several successive-halving brackets of increasing first rung; each trial is assigned to
     * a bracket (deterministically by its number, weighted by the bracket's budget) and competes only
     * inside it.
     *
     * @return a builder (minResource 1, reductionFactor 3); {@link HyperbandBuilder#maxResource(int)} is required
     */
    public static HyperbandBuilder hyperband() {
        return new HyperbandBuilder();
    }

    /** Builds the pruner that never prunes. */
    public static final class NoneBuilder {
        NoneBuilder() {
        }

        /** @return the pruner */
        public Pruner build() {
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
    }

    /** Builds a median or percentile pruner; every setter validates at once. */
    public static final class PercentileBuilder {
        private double percentile;
        private int nStartupTrials = 5;
        private int nWarmupSteps;
        private int intervalSteps = 1;

        PercentileBuilder(double percentile) {
            this.percentile = percentile;
        }

        /** @param p the percentile, in [0, 100] (50 for {@link Pruners#median()}) @return this */
        public PercentileBuilder percentile(double p) {
            if (!(p >= 0 && p <= 100)) {
                throw new IllegalArgumentException("percentile must be in [0, 100], was " + p);
            }
            this.percentile = p;
            return this;
        }

        /** @param n no pruning until this many trials completed (default 5), &gt;= 0 @return this */
        public PercentileBuilder nStartupTrials(int n) {
            this.nStartupTrials = Checks.atLeast("nStartupTrials", n, 0);
            return this;
        }

        /** @param n no pruning before this step (default 0), &gt;= 0 @return this */
        public PercentileBuilder nWarmupSteps(int n) {
            this.nWarmupSteps = Checks.atLeast("nWarmupSteps", n, 0);
            return this;
        }

        /** @param n check every this many steps (default 1), &gt;= 1 @return this */
        public PercentileBuilder intervalSteps(int n) {
            this.intervalSteps = Checks.atLeast("intervalSteps", n, 1);
            return this;
        }

        /**
         * @return the pruner
         * @throws IllegalStateException when the percentile was not set (on {@link Pruners#percentile()})
         */
        public Pruner build() {
            if (Double.isNaN(percentile)) {
                throw new IllegalStateException("Pruners.percentile() needs percentile(p), p in [0, 100]");
            }
            return new PercentilePruner(percentile, nStartupTrials, nWarmupSteps, intervalSteps);
        }
    }

    /** Builds a threshold pruner; every setter validates at once. */
    public static final class ThresholdBuilder {
        private double lower = Double.NEGATIVE_INFINITY;
        private double upper = Double.POSITIVE_INFINITY;
        private int nWarmupSteps;
        private int intervalSteps = 1;

        ThresholdBuilder() {
        }

        /** @param v prune below this value (default: no lower bound), not NaN @return this */
        public ThresholdBuilder lower(double v) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("lower must not be NaN");
            }
            this.lower = v;
            return this;
        }

        /** @param v prune above this value (default: no upper bound), not NaN @return this */
        public ThresholdBuilder upper(double v) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("upper must not be NaN");
            }
            this.upper = v;
            return this;
        }

        /** @param n no pruning before this step (default 0), &gt;= 0 @return this */
        public ThresholdBuilder nWarmupSteps(int n) {
            this.nWarmupSteps = Checks.atLeast("nWarmupSteps", n, 0);
            return this;
        }

        /** @param n check every this many steps (default 1), &gt;= 1 @return this */
        public ThresholdBuilder intervalSteps(int n) {
            this.intervalSteps = Checks.atLeast("intervalSteps", n, 1);
            return this;
        }

        /**
         * @return the pruner
         * @throws IllegalStateException when no finite bound was set or lower &gt; upper
         */
        public Pruner build() {
            if (lower == Double.NEGATIVE_INFINITY && upper == Double.POSITIVE_INFINITY) {
                throw new IllegalStateException("threshold pruner needs a finite lower(...) or upper(...)");
            }
            if (lower > upper) {
                throw new IllegalStateException("threshold pruner needs lower <= upper, were " + lower + ", " + upper);
            }
            return new ThresholdPruner(lower, upper, nWarmupSteps, intervalSteps);
        }
    }

    /** Builds an asynchronous successive-halving pruner; every setter validates at once. */
    public static final class SuccessiveHalvingBuilder {
        private int minResource = 1;
        private int reductionFactor = 4;
        private int minEarlyStoppingRate;

        SuccessiveHalvingBuilder() {
        }

        /** @param n steps before the first rung (default 1), &gt;= 1 @return this */
        public SuccessiveHalvingBuilder minResource(int n) {
            this.minResource = Checks.atLeast("minResource", n, 1);
            return this;
        }

        /** @param n reduction factor (default 4), &gt;= 2 @return this */
        public SuccessiveHalvingBuilder reductionFactor(int n) {
            this.reductionFactor = Checks.atLeast("reductionFactor", n, 2);
            return this;
        }

        /** @param n offset of the first rung (default 0), &gt;= 0 @return this */
        public SuccessiveHalvingBuilder minEarlyStoppingRate(int n) {
            this.minEarlyStoppingRate = Checks.atLeast("minEarlyStoppingRate", n, 0);
            return this;
        }

        /** @return the pruner */
        public Pruner build() {
            return new SuccessiveHalvingPruner(minResource, reductionFactor, minEarlyStoppingRate, -1);
        }
    }

    /** Builds a Hyperband pruner; every setter validates at once. */
    public static final class HyperbandBuilder {
        private int minResource = 1;
        private int maxResource = -1;
        private int reductionFactor = 3;

        HyperbandBuilder() {
        }

        /** @param n steps before the first rung of the most aggressive bracket (default 1), &gt;= 1 @return this */
        public HyperbandBuilder minResource(int n) {
            this.minResource = Checks.atLeast("minResource", n, 1);
            return this;
        }

        /** @param n the steps of a full trial, &gt;= 2 (required; must exceed minResource) @return this */
        public HyperbandBuilder maxResource(int n) {
            this.maxResource = Checks.atLeast("maxResource", n, 2);
            return this;
        }

        /** @param n reduction factor (default 3), &gt;= 2 @return this */
        public HyperbandBuilder reductionFactor(int n) {
            this.reductionFactor = Checks.atLeast("reductionFactor", n, 2);
            return this;
        }

        /**
         * @return the pruner
         * @throws IllegalStateException when maxResource was not set or is not above minResource
         */
        public Pruner build() {
            if (maxResource < 0) {
                throw new IllegalStateException("Pruners.hyperband() needs maxResource(n), the steps of a full trial");
            }
            if (maxResource <= minResource) {
                throw new IllegalStateException("maxResource must be > minResource=" + minResource + ", was " + maxResource);
            }
            return new HyperbandPruner(minResource, maxResource, reductionFactor);
        }
    }

    private record ThresholdPruner(double lower, double upper, int nWarmupSteps, int intervalSteps) implements Pruner {
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
