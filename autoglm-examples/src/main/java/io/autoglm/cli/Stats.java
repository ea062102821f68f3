package io.autoglm.cli;

import java.util.Arrays;

/** Order statistics of measured values, shared by the benchmark commands (each works on a sorted copy). */
final class Stats {
    private Stats() {
    }

    /** @return the median of unsorted values; NaN when there are none */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = sorted(values);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** @return the q-quantile (q in 0..1) of unsorted values, interpolated between neighbouring ranks */
    static double quantile(double[] values, double q) {
        double[] s = sorted(values);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** @return the nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = sorted(values);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    private static double[] sorted(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s;
    }
}
