package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Gaussian-process Bayesian optimisation. After {@code nStartupTrials} random trials, the parameters every
 * COMPLETE trial shares are mapped to [0, 1] (log scale for log parameters; integers and stepped floats
 * through their cells; categoricals by index with a Hamming distance), objective values are standardised,
 * a Matérn 5/2 ARD Gaussian process is fitted by maximum a-posteriori marginal likelihood (projected L-BFGS,
 * warm-started from the previous fit plus a fresh start), and the next point maximises log expected
 * improvement: random candidates, then L-BFGS local search from the best candidates and the best trials,
 * then a sweep over categorical choices. Integers and steps are rounded at the end. The cost grows as
 * O(n^3) in the number of trials; it is meant for tens to a few hundred trials.
 *
 * <pre>{@code
 * Study study = Study.builder().sampler(Samplers.gp().seed(1).build()).build();
 * }</pre>
 */
public final class GpSampler implements Sampler {
    private final int nStartupTrials;
    private final int nCandidates;
    private final int nLocalStarts;
    private final double minNoise;
    private final long seed;
    private final Map<String, double[]> warmStarts = new ConcurrentHashMap<>();

    private GpSampler(Builder b) {
        this.nStartupTrials = b.nStartupTrials;
        this.nCandidates = b.nCandidates;
        this.nLocalStarts = b.nLocalStarts;
        this.minNoise = b.deterministic ? 1e-6 : 1e-4;
        this.seed = b.seed != null ? b.seed : new java.util.SplittableRandom().nextLong();
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
        return SearchSpaces.intersection(study.trials(EnumSet.of(TrialState.COMPLETE)));
    }

    @Override
    public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
            RandomGenerator rng) {
        return RandomSampler.sampleUniform(distribution, rng);
    }

    /** Maps one parameter between its internal value and [0, 1] (categoricals: the index). */
    private record Coder(Distribution d, double lo, double hi, boolean log, boolean cat, int nChoices) {
        static Coder of(Distribution d) {
            return switch (d) {
                case Distribution.FloatDistribution f -> {
                    double lo = f.low();
                    double hi = f.high();
                    if (f.step() != null) {
                        lo -= f.step() / 2;
                        hi += f.step() / 2;
                    }
                    yield f.log() ? new Coder(d, Math.log(lo), Math.log(hi), true, false, 0)
                            : new Coder(d, lo, hi, false, false, 0);
                }
                case Distribution.IntDistribution i -> {
                    double lo = i.low() - 0.5;
                    double hi = i.high() + 0.5;
                    yield i.log() ? new Coder(d, Math.log(lo), Math.log(hi), true, false, 0)
                            : new Coder(d, lo, hi, false, false, 0);
                }
                case Distribution.CategoricalDistribution c -> new Coder(d, 0, 0, false, true, c.choices().size());
            };
        }

        double encode(double v) {
            if (cat) {
                return v;
            }
            double t = log ? Math.log(v) : v;
            return hi > lo ? (t - lo) / (hi - lo) : 0.5;
        }

        double decode(double u) {
            if (cat) {
                return Math.rint(u);
            }
            double t = lo + Math.min(1, Math.max(0, u)) * (hi - lo);
            double v = log ? Math.exp(t) : t;
            return switch (d) {
                case Distribution.FloatDistribution f -> {
                    if (f.step() != null) {
                        v = f.low() + Math.rint((v - f.low()) / f.step()) * f.step();
                    }
                    yield Math.min(f.high(), Math.max(f.low(), v));
                }
                case Distribution.IntDistribution i -> {
                    double r = i.low() + Math.rint((v - i.low()) / i.step()) * i.step();
                    yield Math.min(i.high(), Math.max(i.low(), r));
                }
                default -> v;
            };
        }
    }

    @Override
    public Map<String, Double> sampleRelative(Study study, FrozenTrial trial, Map<String, Distribution> space,
            RandomGenerator rng) {
        List<String> names = new ArrayList<>(space.keySet());
        int p = names.size();
        Coder[] coders = new Coder[p];
        boolean[] cat = new boolean[p];
        for (int j = 0; j < p; j++) {
            coders[j] = Coder.of(space.get(names.get(j)));
            cat[j] = coders[j].cat();
        }
        List<double[]> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double sign = study.directions().size() == 1 && study.direction() == StudyDirection.MAXIMIZE ? 1 : -1;
        for (FrozenTrial t : study.trials(EnumSet.of(TrialState.COMPLETE))) {
            double[] row = new double[p];
            boolean ok = t.values().size() == 1;
            for (int j = 0; j < p && ok; j++) {
                Double v = t.internalParams().get(names.get(j));
                ok = v != null && coders[j].d().contains(v);
                if (ok) {
                    row[j] = coders[j].encode(v);
                }
            }
            if (ok) {
                xs.add(row);
                ys.add(sign * t.value());
            }
        }
        if (xs.size() < Math.max(2, nStartupTrials)) {
            return Map.of();
        }
        int n = xs.size();
        double[][] x = xs.toArray(new double[0][]);
        double mean = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double var = ys.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / n;
        double sd = Math.sqrt(var) > 1e-12 ? Math.sqrt(var) : 1;
        double[] y = new double[n];
        double best = Double.NEGATIVE_INFINITY;
        int bestIdx = 0;
        for (int i = 0; i < n; i++) {
            y[i] = (ys.get(i) - mean) / sd;
            if (y[i] > best) {
                best = y[i];
                bestIdx = i;
            }
        }
        String key = study.studyId() + "/" + study.name() + "/" + names;
        double[] init = new double[p + 2];
        Arrays.fill(init, 0, p, GaussianProcess.LOG_INV_LS2_PRIOR_MEAN);
        init[p] = 0;
        init[p + 1] = Math.log(1e-3);
        double[] warm = warmStarts.get(key);
        double[][] starts = warm != null && warm.length == p + 2 ? new double[][] {warm, init} : new double[][] {init};
        double[] theta = GaussianProcess.fit(x, cat, y, starts, minNoise);
        warmStarts.put(key, theta);
        GaussianProcess gp = new GaussianProcess(x, cat, y, theta, minNoise);
        final double fBest = best;

        // random candidates
        int m = nCandidates;
        double[][] cands = new double[m][p];
        double[] scores = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < p; j++) {
                cands[i][j] = cat[j] ? rng.nextInt(coders[j].nChoices()) : rng.nextDouble();
            }
            scores[i] = gp.logEi(cands[i], fBest);
        }
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        List<double[]> starts0 = new ArrayList<>();
        for (int i = 0; i < Math.min(nLocalStarts, m); i++) {
            starts0.add(cands[order[i]].clone());
        }
        // the best trials so far, nudged so the gradient of EI is informative
        Integer[] byY = new Integer[n];
        for (int i = 0; i < n; i++) {
            byY[i] = i;
        }
        Arrays.sort(byY, (a, b) -> Double.compare(y[b], y[a]));
        for (int i = 0; i < Math.min(3, n); i++) {
            double[] s = x[byY[i]].clone();
            for (int j = 0; j < p; j++) {
                if (!cat[j]) {
                    s[j] = Math.min(1, Math.max(0, s[j] + 0.01 * rng.nextGaussian()));
                }
            }
            starts0.add(s);
        }
        double[] bestX = cands[order[0]].clone();
        double bestScore = scores[order[0]];
        double[] lo = new double[p];
        double[] hi = new double[p];
        for (int j = 0; j < p; j++) {
            lo[j] = cat[j] ? 0 : 0;
            hi[j] = cat[j] ? 0 : 1;
        }
        for (double[] s0 : starts0) {
            double[] clo = lo.clone();
            double[] chi = hi.clone();
            for (int j = 0; j < p; j++) {
                if (cat[j]) {
                    clo[j] = s0[j];
                    chi[j] = s0[j];
                }
            }
            double[] xOpt = Lbfgs.minimize((q, g) -> negLogEiWithGradient(gp, q, g, fBest, cat), s0, clo, chi, 40, 6);
            double sc = gp.logEi(xOpt, fBest);
            // sweep categorical choices
            for (int j = 0; j < p; j++) {
                if (!cat[j]) {
                    continue;
                }
                for (int c = 0; c < coders[j].nChoices(); c++) {
                    double old = xOpt[j];
                    xOpt[j] = c;
                    double s2 = gp.logEi(xOpt, fBest);
                    if (s2 > sc) {
                        sc = s2;
                    } else {
                        xOpt[j] = old;
                    }
                }
            }
            if (sc > bestScore) {
                bestScore = sc;
                bestX = xOpt;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int j = 0; j < p; j++) {
            out.put(names.get(j), coders[j].decode(bestX[j]));
        }
        return out;
    }

    private static double negLogEiWithGradient(GaussianProcess gp, double[] q, double[] g, double best, boolean[] cat) {
        double f = -gp.logEi(q, best);
        double[] e = q.clone();
        for (int j = 0; j < q.length; j++) {
            if (cat[j]) {
                g[j] = 0;
                continue;
            }
            double h = 1e-6;
            double orig = e[j];
            double step = orig + h <= 1 ? h : -h;
            e[j] = orig + step;
            g[j] = (-gp.logEi(e, best) - f) / step;
            e[j] = orig;
        }
        return f;
    }

    @Override
    public String toString() {
        return "GpSampler[seed=" + seed + ", startup=" + nStartupTrials + ", candidates=" + nCandidates + "]";
    }

    /** Builds a {@link GpSampler} (from {@link Samplers#gp()}). */
    public static final class Builder {
        private int nStartupTrials = 10;
        private int nCandidates = 1024;
        private int nLocalStarts = 5;
        private boolean deterministic = true;
        private Long seed;

        Builder() {
        }

        /** @param seed seed of the trials' random generators (default: a random one) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param n random trials before the GP is used (default 10), &gt;= 2 @return this */
        public Builder nStartupTrials(int n) {
            this.nStartupTrials = Checks.atLeast("nStartupTrials", n, 2);
            return this;
        }

        /** @param n random candidates scored per trial (default 1024), &gt;= 1 @return this */
        public Builder nCandidates(int n) {
            this.nCandidates = Checks.atLeast("nCandidates", n, 1);
            return this;
        }

        /** @param n local searches started from the best candidates (default 5), &gt;= 0 @return this */
        public Builder nLocalStarts(int n) {
            this.nLocalStarts = Checks.atLeast("nLocalStarts", n, 0);
            return this;
        }

        /** @param deterministic the objective has no noise (noise floor 1e-6 instead of 1e-4; default true) @return this */
        public Builder deterministicObjective(boolean deterministic) {
            this.deterministic = deterministic;
            return this;
        }

        /** @return the sampler */
        public GpSampler build() {
            return new GpSampler(this);
        }
    }
}
