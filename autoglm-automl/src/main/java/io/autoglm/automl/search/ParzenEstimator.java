package io.autoglm.automl.search;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A mixture of product kernels over a search space, one kernel per observation plus a prior kernel:
 * truncated normals on numeric parameters (in log space for log parameters; integrated over the cell of
 * a grid point for stepped and integer parameters) and smoothed one-hot distributions on categoricals.
 */
final class ParzenEstimator {
    static final double EPS = 1e-12;

    private final Dim[] dims;
    private final double[] logWeights;
    private final double[] cumWeights;

    /**
     * @param space distributions in column order
     * @param obs observations [n][d], internal values, ordered from oldest to newest
     * @param obsWeights weight of each observation
     */
    ParzenEstimator(List<Distribution> space, double[][] obs, double[] obsWeights, double priorWeight,
            boolean magicClip, boolean endpoints, boolean multivariate) {
        this(space, obs, obsWeights, priorWeight, magicClip, endpoints,
                multivariate ? Widths.SCOTT : Widths.GAP_WITH_PRIOR);
    }

    /** How the numeric kernel widths are chosen. */
    enum Widths {
        /**
         * Optuna 3.1's univariate rule: each kernel takes the larger gap to its neighbours among the sorted
         * observations, the prior's centre and the two bounds.
         */
        GAP_WITH_PRIOR,
        /**
         * The same neighbour-gap rule applied per dimension with only the observations and the bounds as
         * neighbours (the prior's centre is not one); the rule of Optuna 4+/5's Parzen estimator, which uses
         * it for multivariate sampling too.
         */
        GAP,
        /** Optuna 3.1's multivariate rule: one width {@code 0.2 n^(-1/(d+4))} times the range for every kernel. */
        SCOTT
    }

    /**
     * @param space distributions in column order
     * @param obs observations [n][d], internal values, ordered from oldest to newest
     * @param obsWeights weight of each observation
     * @param widths rule for the numeric kernel widths
     */
    ParzenEstimator(List<Distribution> space, double[][] obs, double[] obsWeights, double priorWeight,
            boolean magicClip, boolean endpoints, Widths widths) {
        int n = obs.length;
        int k = n + 1;
        double[] w = new double[k];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = obsWeights[i];
            sum += w[i];
        }
        w[n] = priorWeight;
        sum += priorWeight;
        logWeights = new double[k];
        cumWeights = new double[k];
        double c = 0;
        for (int i = 0; i < k; i++) {
            logWeights[i] = Math.log(w[i] / sum);
            c += w[i] / sum;
            cumWeights[i] = c;
        }
        dims = new Dim[space.size()];
        double sigma0 = widths == Widths.SCOTT ? 0.2 * Math.pow(Math.max(n, 1), -1.0 / (space.size() + 4)) : -1;
        for (int j = 0; j < dims.length; j++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) {
                col[i] = obs[i][j];
            }
            Distribution d = space.get(j);
            dims[j] = d instanceof Distribution.CategoricalDistribution cat
                    ? new CategoricalDim(col, cat.choices().size(), priorWeight)
                    : new NumericDim(d, col, magicClip, endpoints, widths, sigma0);
        }
    }

    /** @return the kernel widths of numeric dimension j (observations in order, then the prior), for tests */
    double[] kernelWidths(int j) {
        return ((NumericDim) dims[j]).sigmas.clone();
    }

    /** @return m samples [m][d] in internal form */
    double[][] sample(int m, RandomGenerator rng) {
        double[][] out = new double[m][dims.length];
        for (int s = 0; s < m; s++) {
            double u = rng.nextDouble();
            int kernel = Arrays.binarySearch(cumWeights, u);
            kernel = kernel >= 0 ? kernel : Math.min(cumWeights.length - 1, -kernel - 1);
            for (int j = 0; j < dims.length; j++) {
                out[s][j] = dims[j].sample(kernel, rng);
            }
        }
        return out;
    }

    /** @return the log density of each point [m][d] (internal form) */
    double[] logPdf(double[][] xs) {
        int k = logWeights.length;
        double[] out = new double[xs.length];
        double[] acc = new double[k];
        for (int s = 0; s < xs.length; s++) {
            System.arraycopy(logWeights, 0, acc, 0, k);
            for (int j = 0; j < dims.length; j++) {
                dims[j].addLogPdf(xs[s][j], acc);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double a : acc) {
                max = Math.max(max, a);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                out[s] = max;
                continue;
            }
            // terms more than 40 nats below the largest add less than 1e-17 relative: skip their exp
            double cut = max - 40;
            double t = 0;
            for (double a : acc) {
                if (a > cut) {
                    t += Math.exp(a - max);
                }
            }
            out[s] = max + Math.log(t);
        }
        return out;
    }

    private interface Dim {
        double sample(int kernel, RandomGenerator rng);

        void addLogPdf(double x, double[] acc);
    }

    private static final class CategoricalDim implements Dim {
        final double[][] probs;
        final double[][] logProbs;

        CategoricalDim(double[] col, int nChoices, double priorWeight) {
            int n = col.length;
            probs = new double[n + 1][nChoices];
            logProbs = new double[n + 1][nChoices];
            double fill = priorWeight / (n + 1);
            for (int i = 0; i <= n; i++) {
                Arrays.fill(probs[i], fill);
                if (i < n) {
                    probs[i][(int) col[i]] += 1;
                }
                double s = 0;
                for (double p : probs[i]) {
                    s += p;
                }
                for (int c = 0; c < nChoices; c++) {
                    probs[i][c] /= s;
                    logProbs[i][c] = Math.log(probs[i][c]);
                }
            }
        }

        @Override
        public double sample(int kernel, RandomGenerator rng) {
            double u = rng.nextDouble();
            double[] p = probs[kernel];
            double c = 0;
            for (int i = 0; i < p.length; i++) {
                c += p[i];
                if (u < c) {
                    return i;
                }
            }
            return p.length - 1;
        }

        @Override
        public void addLogPdf(double x, double[] acc) {
            int c = (int) x;
            for (int i = 0; i < acc.length; i++) {
                acc[i] += logProbs[i][c];
            }
        }
    }

    private static final class NumericDim implements Dim {
        final boolean log;
        final boolean isInt;
        final double step; // 0 when continuous (in the transformed space)
        final double origLow;
        final double origHigh;
        final double low;
        final double high;
        final double[] mus;
        final double[] sigmas;
        final double[] logNorm;
        final double[] invSigmas;
        final double[] logConst;

        NumericDim(Distribution d, double[] col, boolean magicClip, boolean endpoints, Widths widths,
                double sigma0) {
            switch (d) {
                case Distribution.FloatDistribution f -> {
                    log = f.log();
                    isInt = false;
                    step = f.step() == null ? 0 : f.step();
                    origLow = f.low();
                    origHigh = f.high();
                }
                case Distribution.IntDistribution i -> {
                    log = i.log();
                    isInt = true;
                    step = i.log() ? 0 : i.step();
                    origLow = i.low();
                    origHigh = i.high();
                }
                default -> throw new IllegalArgumentException(d.toString());
            }
            double lo = origLow;
            double hi = origHigh;
            if (log) {
                if (isInt) {
                    lo -= 0.5;
                    hi += 0.5;
                }
                lo = Math.log(lo);
                hi = Math.log(hi);
            } else if (step > 0) {
                lo -= step / 2;
                hi += step / 2;
            }
            low = lo;
            high = hi;
            int n = col.length;
            mus = new double[n + 1];
            for (int i = 0; i < n; i++) {
                mus[i] = log ? Math.log(col[i]) : col[i];
            }
            mus[n] = 0.5 * (lo + hi);
            sigmas = new double[n + 1];
            double range = hi - lo;
            if (widths == Widths.SCOTT) {
                Arrays.fill(sigmas, sigma0 * range);
            } else if (widths == Widths.GAP) {
                observationGaps(mus, n, lo, hi, endpoints, sigmas);
            } else {
                // sorted kernel centres with the bounds as sentinels; each centre takes the larger gap to a neighbour
                double[] ext = new double[n + 3];
                ext[0] = lo;
                ext[n + 2] = hi;
                System.arraycopy(mus, 0, ext, 1, n + 1);
                Arrays.sort(ext, 1, n + 2);
                for (int i = 0; i <= n; i++) {
                    int pos = Arrays.binarySearch(ext, 1, n + 2, mus[i]);
                    double sg = Math.max(ext[pos] - ext[pos - 1], ext[pos + 1] - ext[pos]);
                    if (!endpoints && n + 3 >= 4) {
                        if (pos == 1) {
                            sg = ext[2] - ext[1];
                        } else if (pos == n + 1) {
                            sg = ext[n + 1] - ext[n];
                        }
                    }
                    sigmas[i] = sg;
                }
            }
            double maxSigma = range;
            double minSigma = magicClip ? range / Math.min(100.0, 1.0 + (n + 1)) : EPS;
            for (int i = 0; i <= n; i++) {
                sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sigmas[i]));
            }
            sigmas[n] = range;
            logNorm = new double[n + 1];
            invSigmas = new double[n + 1];
            logConst = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                double s = Math.max(sigmas[i], EPS);
                sigmas[i] = s;
                logNorm[i] = Normal.logMass((lo - mus[i]) / s, (hi - mus[i]) / s);
                invSigmas[i] = 1 / s;
                logConst[i] = Normal.LOG_SQRT_2PI + Math.log(s) + logNorm[i];
            }
        }

        /**
         * Neighbour-gap widths of the first n centres with only the other observations and the bounds as
         * neighbours: the larger of the gaps to the previous and next value in sorted order; without
         * {@code endpoints} (and with at least two observations) the smallest and largest observation take
         * their inner gap only. Tied observations keep their index order.
         */
        static void observationGaps(double[] mus, int n, double lo, double hi, boolean endpoints, double[] out) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(mus[a], mus[b]));
            for (int r = 0; r < n; r++) {
                double prev = r == 0 ? lo : mus[order[r - 1]];
                double next = r == n - 1 ? hi : mus[order[r + 1]];
                double x = mus[order[r]];
                double sg = Math.max(x - prev, next - x);
                if (!endpoints && n >= 2) {
                    if (r == 0) {
                        sg = next - x;
                    } else if (r == n - 1) {
                        sg = x - prev;
                    }
                }
                out[order[r]] = sg;
            }
        }

        @Override
        public double sample(int kernel, RandomGenerator rng) {
            double mu = mus[kernel];
            double s = sigmas[kernel];
            double x = mu + s * Normal.truncated((low - mu) / s, (high - mu) / s, rng);
            if (log) {
                double v = Math.exp(x);
                if (isInt) {
                    v = Math.rint(v);
                }
                return Math.min(origHigh, Math.max(origLow, v));
            }
            if (step > 0) {
                double v = origLow + Math.rint((x - origLow) / step) * step;
                return Math.min(origHigh, Math.max(origLow, v));
            }
            return Math.min(origHigh, Math.max(origLow, x));
        }

        @Override
        public void addLogPdf(double v, double[] acc) {
            double x = log ? Math.log(v) : v;
            if (step > 0) {
                double a = x - step / 2;
                double b = x + step / 2;
                for (int i = 0; i < acc.length; i++) {
                    double s = sigmas[i];
                    acc[i] += Normal.logMass((a - mus[i]) / s, (b - mus[i]) / s) - logNorm[i];
                }
            } else {
                for (int i = 0; i < acc.length; i++) {
                    double z = (x - mus[i]) * invSigmas[i];
                    acc[i] += -0.5 * z * z - logConst[i];
                }
            }
        }
    }
}
