package io.autoglm.automl.search;

/** A small projected L-BFGS minimiser for box-constrained smooth problems (GP fitting, acquisition search). */
final class Lbfgs {
    /** A function that returns its value and writes its gradient. */
    interface Fn {
        double eval(double[] x, double[] grad);
    }

    private Lbfgs() {
    }

    static double[] minimize(Fn f, double[] x0, double[] lo, double[] hi, int maxIter, int memory) {
        int n = x0.length;
        double[] x = x0.clone();
        clamp(x, lo, hi);
        double[] g = new double[n];
        double fx = f.eval(x, g);
        if (!Double.isFinite(fx)) {
            return x;
        }
        double[][] sHist = new double[memory][];
        double[][] yHist = new double[memory][];
        double[] rho = new double[memory];
        int count = 0;
        int head = 0;
        double[] d = new double[n];
        double[] xn = new double[n];
        double[] gn = new double[n];
        double[] alpha = new double[memory];
        for (int it = 0; it < maxIter; it++) {
            // free variables: not stuck at a bound with the gradient pointing outwards
            boolean[] fixed = new boolean[n];
            double gnorm = 0;
            for (int i = 0; i < n; i++) {
                fixed[i] = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0);
                if (!fixed[i]) {
                    gnorm = Math.max(gnorm, Math.abs(g[i]));
                }
            }
            if (gnorm < 1e-7) {
                break;
            }
            for (int i = 0; i < n; i++) {
                d[i] = fixed[i] ? 0 : -g[i];
            }
            for (int k = 0; k < count; k++) {
                int idx = Math.floorMod(head - 1 - k, memory);
                alpha[idx] = rho[idx] * dot(sHist[idx], d);
                axpy(-alpha[idx], yHist[idx], d);
            }
            if (count > 0) {
                int last = Math.floorMod(head - 1, memory);
                double gammaK = dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]);
                for (int i = 0; i < n; i++) {
                    d[i] *= gammaK;
                }
            }
            for (int k = count - 1; k >= 0; k--) {
                int idx = Math.floorMod(head - 1 - k, memory);
                double beta = rho[idx] * dot(yHist[idx], d);
                axpy(alpha[idx] - beta, sHist[idx], d);
            }
            for (int i = 0; i < n; i++) {
                if (fixed[i]) {
                    d[i] = 0;
                }
            }
            double slope = dot(g, d);
            if (!(slope < 0)) {
                for (int i = 0; i < n; i++) {
                    d[i] = fixed[i] ? 0 : -g[i];
                }
                slope = dot(g, d);
                count = 0;
            }
            double t = count == 0 ? Math.min(1.0, 1.0 / Math.max(1e-12, Math.sqrt(-slope))) : 1.0;
            double fn = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 30; ls++) {
                for (int i = 0; i < n; i++) {
                    xn[i] = x[i] + t * d[i];
                }
                clamp(xn, lo, hi);
                double decrease = 0;
                for (int i = 0; i < n; i++) {
                    decrease += g[i] * (xn[i] - x[i]);
                }
                fn = f.eval(xn, gn);
                if (Double.isFinite(fn) && fn <= fx + 1e-4 * decrease) {
                    accepted = true;
                    break;
                }
                t *= 0.5;
            }
            if (!accepted) {
                break;
            }
            double[] s = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = xn[i] - x[i];
                y[i] = gn[i] - g[i];
            }
            double sy = dot(s, y);
            if (sy > 1e-12) {
                sHist[head] = s;
                yHist[head] = y;
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                count = Math.min(count + 1, memory);
            }
            double prev = fx;
            System.arraycopy(xn, 0, x, 0, n);
            System.arraycopy(gn, 0, g, 0, n);
            fx = fn;
            if (Math.abs(prev - fx) <= 1e-10 * (1 + Math.abs(fx))) {
                break;
            }
        }
        return x;
    }

    private static void clamp(double[] x, double[] lo, double[] hi) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min(hi[i], Math.max(lo[i], x[i]));
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }
}
