package io.autoglm.automl.search;

import java.util.random.RandomGenerator;

/** Standard normal distribution functions accurate in the tails (used by TPE and GP). */
final class Normal {
    static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private Normal() {
    }

    /** erfc(x), relative error below 1.2e-7 everywhere (Chebyshev fit). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** @return P(Z &lt;= x) */
    static double cdf(double x) {
        return 0.5 * erfc(-x / SQRT2);
    }

    /** @return log of the standard normal density */
    static double logPdf(double x) {
        return -0.5 * x * x - LOG_SQRT_2PI;
    }

    /** @return log P(a &lt;= Z &lt;= b), stable in the tails */
    static double logMass(double a, double b) {
        if (b <= a) {
            return Double.NEGATIVE_INFINITY;
        }
        double m;
        if (a > 0) {
            m = cdf(-a) - cdf(-b);
        } else {
            m = cdf(b) - cdf(a);
        }
        if (m > 0) {
            return Math.log(m);
        }
        // both bounds deep in one tail: approximate by the density at the nearer bound times the width
        double near = a > 0 ? a : b;
        return logPdf(near) + Math.log(Math.min(b - a, 1.0 / Math.max(Math.abs(near), 1e-300)));
    }

    /** log Phi(z), accurate for very negative z. */
    static double logCdf(double z) {
        if (z > -5) {
            return Math.log(cdf(z));
        }
        // asymptotic series of the Mills ratio
        double z2 = z * z;
        double s = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2);
        return logPdf(z) - Math.log(-z) + Math.log(s);
    }

    /** Inverse of the standard normal CDF (Acklam's rational approximation with one Halley step). */
    static double quantile(double p) {
        if (p <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        double x;
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p <= 1 - 0.02425) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double e = cdf(x) - p;
        double u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /** Samples Z ~ N(0,1) conditioned on a &lt;= Z &lt;= b. */
    static double truncated(double a, double b, RandomGenerator rng) {
        if (a > 0) {
            return -truncated(-b, -a, rng);
        }
        double pa = cdf(a);
        double pb = cdf(b);
        if (!(pb > pa)) {
            return Math.min(b, Math.max(a, (a + b) / 2));
        }
        double x = quantile(pa + rng.nextDouble() * (pb - pa));
        if (!(x >= a)) {
            x = a;
        }
        if (!(x <= b)) {
            x = b;
        }
        return x;
    }
}
