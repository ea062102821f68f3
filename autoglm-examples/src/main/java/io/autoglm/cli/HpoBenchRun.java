package io.autoglm.cli;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.Sampler;
import io.autoglm.automl.search.Study;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One benchmark run: best-so-far value after each trial, sampler time.
 *
 * @param function the function
 * @param sampler sampler name
 * @param seed the seed
 * @param bestSoFar best value after trial i
 * @param elapsed seconds since the first trial started, at the end of trial i
 * @param samplerMsPerTrial time spent inside the sampler per trial
 * @param totalSeconds wall time of the run
 */
record HpoBenchRun(HpoBenchmarkFunction function, String sampler, long seed, double[] bestSoFar, double[] elapsed,
        double samplerMsPerTrial, double totalSeconds) {

    double regretAt(int trial) {
        return bestSoFar[trial] - function.minimum;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** Groups runs by function and sampler, keeping order of first appearance. */
    static Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> group(List<HpoBenchRun> runs) {
        Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> g = new LinkedHashMap<>();
        for (HpoBenchRun r : runs) {
            g.computeIfAbsent(r.function(), k -> new LinkedHashMap<>()).computeIfAbsent(r.sampler(), k -> new ArrayList<>()).add(r);
        }
        return g;
    }

    /** @return a Markdown table: median regret at 50 and at the last trial, references, sampler time */
    static String summary(List<HpoBenchRun> runs, int trials, Map<HpoBenchmarkFunction, double[]> reference) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| function | sampler | seeds | median regret @50 | median regret @%d | "
                + "Optuna TPE @100 | Optuna random @100 | ratio to Optuna TPE | sampler ms/trial |%n", trials));
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        group(runs).forEach((fn, bySampler) -> bySampler.forEach((sampler, rs) -> {
            double[] atEnd = rs.stream().mapToDouble(r -> r.regretAt(trials - 1)).toArray();
            double[] at50 = trials >= 50 ? rs.stream().mapToDouble(r -> r.regretAt(49)).toArray() : null;
            double ms = rs.stream().mapToDouble(HpoBenchRun::samplerMsPerTrial).average().orElse(Double.NaN);
            double[] ref = reference.get(fn);
            double medEnd = median(atEnd);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %.4g | %s | %s | %s | %.3f |%n", fn.cliName(), sampler,
                    rs.size(), at50 == null ? "" : fmt(median(at50)), medEnd, ref == null ? "" : fmt(ref[0]), ref == null ? "" : fmt(ref[1]),
                    ref == null || trials != 100 ? "" : String.format(Locale.ROOT, "%.2f", medEnd / ref[0]), ms));
        }));
        return sb.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * Measures the time a sampler spends proposing values, as CPU time of the calling thread (wall-clock time
     * on a shared, loaded machine would mostly measure the other processes).
     */
    static final class TimedSampler implements Sampler {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        private final Sampler delegate;
        private long nanos;

        static long now() {
            return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }

        TimedSampler(Sampler delegate) {
            this.delegate = delegate;
        }

        synchronized long nanos() {
            return nanos;
        }

        private synchronized void add(long t0) {
            nanos += now() - t0;
        }

        @Override
        public Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
            long t0 = now();
            try {
                return delegate.relativeSearchSpace(study, trial);
            } finally {
                add(t0);
            }
        }

        @Override
        public Map<String, Double> sampleRelative(Study study, FrozenTrial trial, Map<String, Distribution> space,
                RandomGenerator rng) {
            long t0 = now();
            try {
                return delegate.sampleRelative(study, trial, space, rng);
            } finally {
                add(t0);
            }
        }

        @Override
        public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
                RandomGenerator rng) {
            long t0 = now();
            try {
                return delegate.sampleIndependent(study, trial, name, distribution, rng);
            } finally {
                add(t0);
            }
        }

        @Override
        public void afterTrial(Study study, FrozenTrial trial) {
            delegate.afterTrial(study, trial);
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
