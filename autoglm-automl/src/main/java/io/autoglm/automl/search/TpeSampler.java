package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Tree-structured Parzen Estimator sampler with Optuna's defaults: after {@code nStartupTrials} random
 * trials, the finished trials are split into the best {@code gamma(n)} ("below") and the rest ("above");
 * a Parzen estimator is fitted to each (weighted so that older trials count less), {@code nEiCandidates}
 * points are drawn from the "below" estimator and the one maximising {@code l(x)/g(x)} is chosen.
 *
 * <p>Multivariate by default: the parameters every finished trial shares are sampled jointly from product
 * kernels whose widths follow {@link Builder#multivariateBandwidth(MultivariateBandwidth)} (per-dimension
 * neighbour gaps, as Optuna 4/5's multivariate TPE); parameters outside that shared space are sampled one at a
 * time. {@code multivariate(false)} gives the univariate TPE, Optuna's default ({@code TPESampler()} with
 * {@code multivariate=False}), each parameter on its own with Optuna 3.1's kernel widths; on the benchmarks of
 * docs/benchmarks.md the multivariate one is as good or better on every function.
 * {@link Builder#constantLiar(boolean)} counts running trials as bad ones, so parallel workers do not all
 * propose the same point.
 *
 * <pre>{@code
 * Sampler tpe = Samplers.tpe().seed(42).build();                       // multivariate
 * Sampler optunaDefault = Samplers.tpe().multivariate(false).build();  // univariate, Optuna's default
 * Sampler parallel = Samplers.tpe().constantLiar(true).build();
 * }</pre>
 */
public final class TpeSampler implements Sampler {
    private static final Set<TrialState> FINISHED = EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED);
    private static final Set<TrialState> FINISHED_OR_RUNNING = EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED,
            TrialState.RUNNING);

    private final int nStartupTrials;
    private final int nEiCandidates;
    private final IntUnaryOperator gamma;
    private final IntFunction<double[]> weights;
    private final double priorWeight;
    private final boolean magicClip;
    private final boolean endpoints;
    private final boolean multivariate;
    private final boolean constantLiar;
    private final MultivariateBandwidth bandwidth;
    private final long seed;
    /** The split is computed once per running trial: all its parameters are sampled from the same history. */
    private final Map<Long, Optional<Split>> splits = new java.util.concurrent.ConcurrentHashMap<>();

    private TpeSampler(Builder b) {
        this.nStartupTrials = b.nStartupTrials;
        this.nEiCandidates = b.nEiCandidates;
        this.gamma = b.gamma;
        this.weights = b.weights;
        this.priorWeight = b.priorWeight;
        this.magicClip = b.magicClip;
        this.endpoints = b.endpoints;
        this.multivariate = b.multivariate;
        this.constantLiar = b.constantLiar;
        this.bandwidth = b.bandwidth;
        this.seed = b.seed != null ? b.seed : new java.util.SplittableRandom().nextLong();
    }

    @Override
    public long seed() {
        return seed;
    }

    /** Kernel-width rule of the multivariate mode. */
    public enum MultivariateBandwidth {
        /**
         * Per dimension, each observation's kernel takes the larger gap to its neighbours among the sorted
         * observations and the bounds (the outermost observations take their inner gap), clipped like the
         * univariate widths; the rule of Optuna 4 and 5. The default.
         */
        NEIGHBOUR_GAP,
        /**
         * Optuna 3.1's multivariate rule: every kernel of a dimension has width
         * {@code 0.2 * n^(-1/(d+4)) * range} (Scott's rule on the unit cube), n observations, d dimensions.
         */
        SCOTT
    }

    /** Optuna's default gamma: {@code min(ceil(0.1 n), 25)}. @param n number of trials @return size of "below" */
    public static int defaultGamma(int n) {
        return Math.min((int) Math.ceil(0.1 * n), 25);
    }

    /**
     * Optuna's default weights: 1 for the newest 25 observations, a linear ramp from {@code 1/n} up to 1
     * for the older ones.
     *
     * @param n number of observations
     * @return weights, oldest first
     */
    public static double[] defaultWeights(int n) {
        double[] w = new double[n];
        if (n < 25) {
            java.util.Arrays.fill(w, 1.0);
            return w;
        }
        int ramp = n - 25;
        for (int i = 0; i < ramp; i++) {
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        }
        for (int i = ramp; i < n; i++) {
            w[i] = 1.0;
        }
        return w;
    }

    @Override
    public Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
        if (!multivariate) {
            return Map.of();
        }
        return SearchSpaces.intersection(study.trials(FINISHED));
    }

    @Override
    public Map<String, Double> sampleRelative(Study study, FrozenTrial trial, Map<String, Distribution> space,
            RandomGenerator rng) {
        List<String> names = new ArrayList<>(space.keySet());
        List<Distribution> dists = names.stream().map(space::get).toList();
        double[] best = sample(study, trial, names, dists, rng);
        if (best == null) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) {
            out.put(names.get(j), best[j]);
        }
        return out;
    }

    @Override
    public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
            RandomGenerator rng) {
        if (distribution.isSingle()) {
            return RandomSampler.sampleUniform(distribution, rng);
        }
        double[] v = sample(study, trial, List.of(name), List.of(distribution), rng);
        return v == null ? RandomSampler.sampleUniform(distribution, rng) : v[0];
    }

    /** Trials ranked from best to worst and split into "below" and "above" (each ordered by number). */
    private record Split(List<FrozenTrial> below, List<FrozenTrial> above) {
    }

    private record Ranked(FrozenTrial trial, int group, double key1, double key2) {
    }

    /**
     * Ranks all finished (and, with constant liar, running) trials as Optuna does: COMPLETE by value, then
     * PRUNED by (last step descending, value at it), then PRUNED without values, then RUNNING; the best
     * {@code gamma(n)} (n counting finished trials only) are "below". Trials missing a parameter are dropped
     * per parameter afterwards.
     */
    private Split split(Study study, FrozenTrial current) {
        List<FrozenTrial> trials = study.trials(constantLiar ? FINISHED_OR_RUNNING : FINISHED);
        long finished = trials.stream().filter(t -> t.state() != TrialState.RUNNING).count();
        if (finished < nStartupTrials || finished == 0) {
            return null;
        }
        List<StudyDirection> dirs = study.directions();
        List<Ranked> ranked = new ArrayList<>(trials.size());
        for (FrozenTrial t : trials) {
            if (t.trialId() == current.trialId()) {
                continue;
            }
            switch (t.state()) {
                case COMPLETE -> ranked.add(new Ranked(t, 0, 0, dirs.size() == 1 ? sign(dirs.get(0)) * t.value() : 0));
                case PRUNED -> {
                    if (t.intermediateValues().isEmpty() || dirs.size() != 1) {
                        ranked.add(new Ranked(t, 2, 0, 0));
                    } else {
                        int step = t.intermediateValues().lastKey();
                        ranked.add(new Ranked(t, 1, -step, sign(dirs.get(0)) * t.intermediateValues().get(step)));
                    }
                }
                default -> ranked.add(new Ranked(t, 3, 0, 0));
            }
        }
        if (dirs.size() == 1) {
            ranked.sort(Comparator.comparingInt(Ranked::group).thenComparingDouble(Ranked::key1)
                    .thenComparingDouble(Ranked::key2));
        } else {
            ranked = paretoRanked(study, ranked);
        }
        int nBelow = Math.max(0, Math.min(ranked.size(), gamma.applyAsInt((int) finished)));
        List<FrozenTrial> below = new ArrayList<>(nBelow);
        List<FrozenTrial> above = new ArrayList<>(ranked.size() - nBelow);
        for (int i = 0; i < ranked.size(); i++) {
            (i < nBelow ? below : above).add(ranked.get(i).trial());
        }
        Comparator<FrozenTrial> byNumber = Comparator.comparingInt(FrozenTrial::number);
        below.sort(byNumber);
        above.sort(byNumber);
        return new Split(below, above);
    }

    /** @return the chosen point, or null while in the startup phase */
    private double[] sample(Study study, FrozenTrial current, List<String> names, List<Distribution> dists,
            RandomGenerator rng) {
        Split split = constantLiar ? split(study, current)
                : splits.computeIfAbsent(current.trialId(), id -> Optional.ofNullable(split(study, current))).orElse(null);
        if (split == null) {
            return null;
        }
        double[][] below = observations(split.below(), names, dists);
        double[][] above = observations(split.above(), names, dists);
        ParzenEstimator l = estimator(dists, below);
        ParzenEstimator g = estimator(dists, above);
        double[][] cand = l.sample(nEiCandidates, rng);
        double[] ll = l.logPdf(cand);
        double[] lg = g.logPdf(cand);
        int bestI = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < cand.length; i++) {
            double s = ll[i] - lg[i];
            if (s > bestScore) {
                bestScore = s;
                bestI = i;
            }
        }
        return cand[bestI];
    }

    /** Values of the named parameters in each trial that has all of them inside the given distributions. */
    private static double[][] observations(List<FrozenTrial> trials, List<String> names, List<Distribution> dists) {
        List<double[]> rows = new ArrayList<>(trials.size());
        for (FrozenTrial t : trials) {
            double[] x = new double[names.size()];
            boolean ok = true;
            for (int j = 0; j < names.size() && ok; j++) {
                Double v = t.internalParams().get(names.get(j));
                Distribution td = v == null ? null : t.distributions().get(names.get(j));
                ok = td != null && td.getClass() == dists.get(j).getClass() && dists.get(j).contains(v);
                if (ok) {
                    x[j] = v;
                }
            }
            if (ok) {
                rows.add(x);
            }
        }
        return rows.toArray(new double[0][]);
    }

    private static double sign(StudyDirection d) {
        return d == StudyDirection.MINIMIZE ? 1 : -1;
    }

    /** Multi-objective ranking: by non-domination rank of COMPLETE trials, then the other groups. */
    private static List<Ranked> paretoRanked(Study study, List<Ranked> obs) {
        List<Ranked> complete = new ArrayList<>(obs.stream().filter(o -> o.group() == 0).toList());
        List<Ranked> out = new ArrayList<>();
        while (!complete.isEmpty()) {
            List<Ranked> front = new ArrayList<>();
            for (Ranked a : complete) {
                boolean dominated = false;
                for (Ranked b : complete) {
                    if (b != a && study.dominates(b.trial().values(), a.trial().values())) {
                        dominated = true;
                        break;
                    }
                }
                if (!dominated) {
                    front.add(a);
                }
            }
            out.addAll(front);
            complete.removeAll(front);
        }
        obs.stream().filter(o -> o.group() != 0).sorted(Comparator.comparingInt(Ranked::group)).forEach(out::add);
        return out;
    }

    private ParzenEstimator estimator(List<Distribution> dists, double[][] x) {
        double[] w = weights.apply(x.length);
        if (w.length != x.length) {
            throw new IllegalStateException("weights function returned " + w.length + " weights for " + x.length);
        }
        ParzenEstimator.Widths widths = !multivariate ? ParzenEstimator.Widths.GAP_WITH_PRIOR
                : bandwidth == MultivariateBandwidth.SCOTT ? ParzenEstimator.Widths.SCOTT : ParzenEstimator.Widths.GAP;
        return new ParzenEstimator(dists, x, w, priorWeight, magicClip, endpoints, widths);
    }

    @Override
    public void afterTrial(Study study, FrozenTrial trial) {
        splits.remove(trial.trialId());
    }

    @Override
    public String toString() {
        return "TpeSampler[seed=" + seed + ", startup=" + nStartupTrials + ", candidates=" + nEiCandidates + ", multivariate="
                + multivariate + (multivariate ? ", bandwidth=" + bandwidth : "") + ", constantLiar=" + constantLiar + "]";
    }

    /**
     * Builds a {@link TpeSampler} (from {@link Samplers#tpe()}); every default is Optuna's except
     * {@code multivariate}, which is on.
     */
    public static final class Builder {
        private int nStartupTrials = 10;
        private int nEiCandidates = 24;
        private IntUnaryOperator gamma = TpeSampler::defaultGamma;
        private IntFunction<double[]> weights = TpeSampler::defaultWeights;
        private double priorWeight = 1.0;
        private boolean magicClip = true;
        private boolean endpoints;
        private boolean multivariate = true;
        private boolean constantLiar;
        private MultivariateBandwidth bandwidth = MultivariateBandwidth.NEIGHBOUR_GAP;
        private boolean bandwidthSet;
        private Long seed;

        Builder() {
        }

        /** @param seed seed of the trials' random generators (default: a random one) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param n random trials before TPE starts (default 10), &gt;= 0 @return this */
        public Builder nStartupTrials(int n) {
            this.nStartupTrials = Checks.atLeast("nStartupTrials", n, 0);
            return this;
        }

        /** @param n candidates drawn per sample (default 24), &gt;= 1 @return this */
        public Builder nEiCandidates(int n) {
            this.nEiCandidates = Checks.atLeast("nEiCandidates", n, 1);
            return this;
        }

        /** @param gamma size of the "below" group for n observations (default {@link #defaultGamma}) @return this */
        public Builder gamma(IntUnaryOperator gamma) {
            this.gamma = Objects.requireNonNull(gamma, "gamma");
            return this;
        }

        /** @param weights observation weights, oldest first (default {@link #defaultWeights}) @return this */
        public Builder weights(IntFunction<double[]> weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /** @param w weight of the prior kernel (default 1.0), &gt; 0 @return this */
        public Builder priorWeight(double w) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("priorWeight must be > 0 and finite, was " + w);
            }
            this.priorWeight = w;
            return this;
        }

        /** @param on clip kernel widths from below by range/min(100, 1+kernels) (default true) @return this */
        public Builder considerMagicClip(boolean on) {
            this.magicClip = on;
            return this;
        }

        /** @param on let the bounds widen the outermost kernels (default false) @return this */
        public Builder considerEndpoints(boolean on) {
            this.endpoints = on;
            return this;
        }

        /**
         * @param on sample the shared parameters jointly (default true); {@code false} gives the univariate TPE,
         *     Optuna's default
         * @return this
         */
        public Builder multivariate(boolean on) {
            this.multivariate = on;
            return this;
        }

        /**
         * @param rule kernel widths of the multivariate mode (default {@link MultivariateBandwidth#NEIGHBOUR_GAP});
         *     only valid together with {@code multivariate(true)}
         * @return this
         */
        public Builder multivariateBandwidth(MultivariateBandwidth rule) {
            this.bandwidth = Objects.requireNonNull(rule, "multivariateBandwidth");
            this.bandwidthSet = true;
            return this;
        }

        /** @param on treat running trials as bad ones (for parallel workers; default false) @return this */
        public Builder constantLiar(boolean on) {
            this.constantLiar = on;
            return this;
        }

        /** @return the sampler */
        public TpeSampler build() {
            if (bandwidthSet && !multivariate) {
                throw new IllegalArgumentException("multivariateBandwidth(" + bandwidth
                        + ") needs multivariate(true); the univariate mode always uses neighbour-gap widths");
            }
            return new TpeSampler(this);
        }
    }
}
