package io.autoglm.automl.monitor;

import java.util.Arrays;

/** Binning and divergence maths shared by the drift detectors. */
final class Histograms {
    private Histograms() {
    }

    /**
     * Bin edges at the reference's quantiles {@code k/bins}, duplicates removed. Bin {@code i} holds
     * the values {@code x} with exactly {@code i} edges strictly below {@code x}: (-inf, e0], (e0, e1], ...
     */
    static double[] quantileEdges(double[] sortedRef, int bins) {
        double[] edges = new double[bins - 1];
        int m = 0;
        for (int k = 1; k < bins; k++) {
            double pos = (double) k / bins * (sortedRef.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, sortedRef.length - 1);
            double e = sortedRef[lo] + (pos - lo) * (sortedRef[hi] - sortedRef[lo]);
            if (m == 0 || e > edges[m - 1]) {
                edges[m++] = e;
            }
        }
        return Arrays.copyOf(edges, m);
    }

    static int bin(double[] edges, double x) {
        int lo = 0;
        int hi = edges.length; // number of edges < x, by binary search
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Smoothed probabilities: {@code (c_i / n + eps) / (1 + B eps)}. */
    static double[] probabilities(long[] counts, long n, double eps) {
        double[] p = new double[counts.length];
        double norm = 1 + counts.length * eps;
        for (int i = 0; i < counts.length; i++) {
            p[i] = ((double) counts[i] / n + eps) / norm;
        }
        return p;
    }

    /** {@code sum live_i ln(live_i / ref_i)}. */
    static double kl(double[] live, double[] ref) {
        double s = 0;
        for (int i = 0; i < live.length; i++) {
            s += live[i] * Math.log(live[i] / ref[i]);
        }
        return Math.max(0, s);
    }

    /** {@code sum (live_i - ref_i) ln(live_i / ref_i)}. */
    static double psi(double[] live, double[] ref) {
        double s = 0;
        for (int i = 0; i < live.length; i++) {
            s += (live[i] - ref[i]) * Math.log(live[i] / ref[i]);
        }
        return s;
    }
}
