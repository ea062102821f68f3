package io.autoglm.automl.search;

/**
 * Gaussian-process regression with a Matérn 5/2 ARD kernel on inputs scaled to [0, 1]; categorical
 * inputs contribute a Hamming distance (equivalent to one-hot coding with one length scale per
 * parameter). Hyperparameters: log inverse squared length scales (one per input), log signal variance,
 * log noise variance above a floor; fitted by maximising the marginal likelihood times a weak log-normal
 * prior, with projected L-BFGS.
 */
final class GaussianProcess {
    private static final double SQRT5 = Math.sqrt(5);
    static final double LOG_INV_LS2_PRIOR_MEAN = Math.log(10);

    private final double[][] x;
    private final boolean[] categorical;
    private final int n;
    private final int p;
    private final double[] invLs2;
    private final double scale;
    private final double[] chol;
    private final double[] alpha;

    GaussianProcess(double[][] x, boolean[] categorical, double[] y, double[] theta, double minNoise) {
        this.x = x;
        this.categorical = categorical;
        this.n = x.length;
        this.p = categorical.length;
        this.invLs2 = new double[p];
        for (int j = 0; j < p; j++) {
            invLs2[j] = Math.exp(theta[j]);
        }
        this.scale = Math.exp(theta[p]);
        double noise = minNoise + Math.exp(theta[p + 1]);
        double[] k = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b <= a; b++) {
                double v = scale * matern(Math.sqrt(dist2(x[a], x[b], invLs2, categorical)));
                k[a * n + b] = v;
                k[b * n + a] = v;
            }
            k[a * n + a] += noise;
        }
        double[] l = cholesky(k, n);
        double jitter = 1e-8;
        while (l == null) {
            for (int a = 0; a < n; a++) {
                k[a * n + a] += jitter;
            }
            jitter *= 10;
            l = cholesky(k, n);
        }
        this.chol = l;
        this.alpha = solveChol(l, n, y);
    }

    static double matern(double r) {
        return (1 + SQRT5 * r + 5.0 / 3.0 * r * r) * Math.exp(-SQRT5 * r);
    }

    /** d matern / d (r^2). */
    static double maternDr2(double r) {
        return -5.0 / 6.0 * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
    }

    static double dist2(double[] a, double[] b, double[] w, boolean[] cat) {
        double s = 0;
        for (int j = 0; j < w.length; j++) {
            double d = cat[j] ? (a[j] == b[j] ? 0 : 1) : (a[j] - b[j]) * (a[j] - b[j]);
            s += w[j] * d;
        }
        return s;
    }

    /** In-place Cholesky; returns the lower factor (row-major) or null when not positive definite. */
    static double[] cholesky(double[] k, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = k[i * n + j];
                int ri = i * n;
                int rj = j * n;
                for (int m = 0; m < j; m++) {
                    s -= l[ri + m] * l[rj + m];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        return null;
                    }
                    l[ri + i] = Math.sqrt(s);
                } else {
                    l[ri + j] = s / l[rj + j];
                }
            }
        }
        return l;
    }

    static double[] forward(double[] l, int n, double[] b) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            int ri = i * n;
            for (int m = 0; m < i; m++) {
                s -= l[ri + m] * z[m];
            }
            z[i] = s / l[ri + i];
        }
        return z;
    }

    static double[] solveChol(double[] l, int n, double[] b) {
        double[] z = forward(l, n, b);
        double[] xx = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = z[i];
            for (int m = i + 1; m < n; m++) {
                s -= l[m * n + i] * xx[m];
            }
            xx[i] = s / l[i * n + i];
        }
        return xx;
    }

    /** @return {mean, variance} of the latent function at {@code q} */
    void predict(double[] q, double[] out) {
        double[] ks = new double[n];
        for (int a = 0; a < n; a++) {
            ks[a] = scale * matern(Math.sqrt(dist2(q, x[a], invLs2, categorical)));
        }
        double mean = Lbfgs.dot(ks, alpha);
        double[] v = forward(chol, n, ks);
        double var = scale - Lbfgs.dot(v, v);
        out[0] = mean;
        out[1] = Math.max(var, 1e-12 * scale);
    }

    /** log expected improvement over {@code best} (maximisation). */
    double logEi(double[] q, double best) {
        double[] mv = new double[2];
        predict(q, mv);
        double sigma = Math.sqrt(mv[1]);
        double z = (mv[0] - best) / sigma;
        return Math.log(sigma) + logH(z);
    }

    /** log(z Phi(z) + phi(z)), stable for very negative z. */
    static double logH(double z) {
        if (z > -5) {
            double h = z * Normal.cdf(z) + Math.exp(Normal.logPdf(z));
            return Math.log(Math.max(h, 1e-300));
        }
        double z2 = z * z;
        double series = 1 - 3 / z2 + 15 / (z2 * z2) - 105 / (z2 * z2 * z2);
        return Normal.logPdf(z) - 2 * Math.log(-z) + Math.log(series);
    }

    /**
     * Negative log marginal likelihood minus log prior, with its gradient.
     */
    static double objective(double[][] x, boolean[] cat, double[] y, double[] theta, double[] grad, double minNoise,
            double[][] d2) {
        int n = x.length;
        int p = cat.length;
        double[] w = new double[p];
        for (int j = 0; j < p; j++) {
            w[j] = Math.exp(theta[j]);
        }
        double s = Math.exp(theta[p]);
        double excess = Math.exp(theta[p + 1]);
        double noise = minNoise + excess;
        double[] k = new double[n * n];
        double[] dmdu = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < a; b++) {
                double u = 0;
                int idx = a * n + b;
                for (int j = 0; j < p; j++) {
                    u += w[j] * d2[j][idx];
                }
                double r = Math.sqrt(u);
                double kv = s * matern(r);
                double dv = s * maternDr2(r);
                k[idx] = kv;
                k[b * n + a] = kv;
                dmdu[idx] = dv;
                dmdu[b * n + a] = dv;
            }
            k[a * n + a] = s + noise;
            dmdu[a * n + a] = s * maternDr2(0);
        }
        double[] l = cholesky(k, n);
        if (l == null) {
            return Double.POSITIVE_INFINITY;
        }
        double[] al = solveChol(l, n, y);
        double nll = 0.5 * Lbfgs.dot(y, al) + 0.5 * n * Math.log(2 * Math.PI);
        for (int i = 0; i < n; i++) {
            nll += Math.log(l[i * n + i]);
        }
        // K^-1 from the factor: invert L, then L^-T L^-1
        double[] linv = new double[n * n];
        for (int i = 0; i < n; i++) {
            linv[i * n + i] = 1 / l[i * n + i];
            for (int j = 0; j < i; j++) {
                double sum = 0;
                for (int m = j; m < i; m++) {
                    sum -= l[i * n + m] * linv[m * n + j];
                }
                linv[i * n + j] = sum / l[i * n + i];
            }
        }
        double[] kinv = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int m = i; m < n; m++) {
                    sum += linv[m * n + i] * linv[m * n + j];
                }
                kinv[i * n + j] = sum;
                kinv[j * n + i] = sum;
            }
        }
        java.util.Arrays.fill(grad, 0);
        double gs = 0;
        double gn = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                int idx = a * n + b;
                double wab = al[a] * al[b] - kinv[idx];
                double signal = a == b ? s : k[idx];
                gs += wab * signal;
                if (a == b) {
                    gn += wab * excess;
                } else {
                    double f = wab * dmdu[idx];
                    for (int j = 0; j < p; j++) {
                        grad[j] += f * d2[j][idx] * w[j];
                    }
                }
            }
        }
        for (int j = 0; j < p; j++) {
            grad[j] *= -0.5;
        }
        grad[p] = -0.5 * gs;
        grad[p + 1] = -0.5 * gn;
        // weak log-normal priors
        for (int j = 0; j < p; j++) {
            double t = (theta[j] - LOG_INV_LS2_PRIOR_MEAN) / 1.5;
            nll += 0.5 * t * t;
            grad[j] += t / 1.5;
        }
        nll += 0.5 * theta[p] * theta[p];
        grad[p] += theta[p];
        double tn = (theta[p + 1] - Math.log(1e-3)) / 2.0;
        nll += 0.5 * tn * tn;
        grad[p + 1] += tn / 2.0;
        return nll;
    }

    static double[][] pairwise(double[][] x, boolean[] cat) {
        int n = x.length;
        int p = cat.length;
        double[][] d2 = new double[p][n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                for (int j = 0; j < p; j++) {
                    double d = cat[j] ? (x[a][j] == x[b][j] ? 0 : 1) : (x[a][j] - x[b][j]) * (x[a][j] - x[b][j]);
                    d2[j][a * n + b] = d;
                }
            }
        }
        return d2;
    }

    /** Fits the hyperparameters from the given starting points; returns the best. */
    static double[] fit(double[][] x, boolean[] cat, double[] y, double[][] starts, double minNoise) {
        int p = cat.length;
        double[] lo = new double[p + 2];
        double[] hi = new double[p + 2];
        for (int j = 0; j < p; j++) {
            lo[j] = Math.log(1e-3);
            hi[j] = Math.log(1e4);
        }
        lo[p] = Math.log(1e-2);
        hi[p] = Math.log(1e2);
        lo[p + 1] = Math.log(1e-9);
        hi[p + 1] = Math.log(1.0);
        double[][] d2 = pairwise(x, cat);
        double[] best = null;
        double bestF = Double.POSITIVE_INFINITY;
        double[] g = new double[p + 2];
        for (double[] s0 : starts) {
            double[] th = Lbfgs.minimize((t, gr) -> objective(x, cat, y, t, gr, minNoise, d2), s0, lo, hi, 60, 8);
            double f = objective(x, cat, y, th, g, minNoise, d2);
            if (f < bestF) {
                bestF = f;
                best = th;
            }
        }
        return best != null ? best : starts[0];
    }
}
