package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.Sampler;
import io.autoglm.automl.search.Study;
import java.util.ArrayList;
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
 * @param samplerMsPerTrial CPU time spent inside the sampler per trial (mean over all trials)
 * @param samplerMsLast10 CPU time inside the sampler per trial over the last {@code min(10, trials)} trials
 * @param totalSeconds wall time of the run
 */
record HpoBenchRun(HpoBenchmarkFunction function, String sampler, long seed, double[] bestSoFar, double[] elapsed,
        double samplerMsPerTrial, double samplerMsLast10, double totalSeconds) {

    double regretAt(int trial) {
        return bestSoFar[trial] - function.minimum;
    }

    /** Groups runs by function and sampler, keeping order of first appearance. */
    static Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> group(List<HpoBenchRun> runs) {
        Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> g = new LinkedHashMap<>();
        for (HpoBenchRun r : runs) {
            g.computeIfAbsent(r.function(), k -> new LinkedHashMap<>()).computeIfAbsent(r.sampler(), k -> new ArrayList<>()).add(r);
        }
        return g;
    }

    /** Trials after which the Optuna reference numbers were taken. */
    static final int REFERENCE_TRIALS = 100;

    /**
     * One line of the summary: medians over the seeds of one function and sampler.
     *
     * @param function the function
     * @param sampler the sampler name
     * @param seeds number of runs
     * @param trials trials per run
     * @param medianAtEnd median regret after the last trial
     * @param medianAt50 median regret after 50 trials, when the runs are longer than 50 trials (else NaN)
     * @param medianAtReference median regret after {@link #REFERENCE_TRIALS}, when the runs are that long (else NaN)
     * @param optunaTpe Optuna's TPE median regret after {@link #REFERENCE_TRIALS} (NaN when the runs are shorter)
     * @param optunaRandom Optuna's random-sampling median regret after {@link #REFERENCE_TRIALS} (NaN likewise)
     * @param samplerMsMean mean CPU milliseconds in the sampler per trial
     * @param samplerMsLast mean CPU milliseconds in the sampler per trial over the last {@code min(10, trials)} trials
     */
    record SummaryRow(HpoBenchmarkFunction function, String sampler, int seeds, int trials, double medianAtEnd,
            double medianAt50, double medianAtReference, double optunaTpe, double optunaRandom, double samplerMsMean,
            double samplerMsLast) {

        /** @return our median over Optuna's TPE median at the reference budget (NaN when not comparable) */
        double ratioToOptunaTpe() {
            return medianAtReference / optunaTpe;
        }

        boolean hasReference() {
            return !Double.isNaN(optunaTpe);
        }
    }

    /**
     * Medians per function and sampler. Reference numbers are attached only when the runs reached
     * {@link #REFERENCE_TRIALS}, and then compared at exactly that budget: a shorter run is never set beside
     * them.
     */
    static List<SummaryRow> summarize(List<HpoBenchRun> runs, int trials, Map<HpoBenchmarkFunction, double[]> reference) {
        List<SummaryRow> rows = new ArrayList<>();
        group(runs).forEach((fn, bySampler) -> bySampler.forEach((sampler, rs) -> {
            double atEnd = Stats.median(rs.stream().mapToDouble(r -> r.regretAt(trials - 1)).toArray());
            double at50 = trials > 50 ? Stats.median(rs.stream().mapToDouble(r -> r.regretAt(49)).toArray()) : Double.NaN;
            double[] ref = reference.get(fn);
            boolean comparable = ref != null && trials >= REFERENCE_TRIALS;
            double atRef = comparable ? Stats.median(rs.stream().mapToDouble(r -> r.regretAt(REFERENCE_TRIALS - 1)).toArray())
                    : Double.NaN;
            double ms = rs.stream().mapToDouble(HpoBenchRun::samplerMsPerTrial).average().orElse(Double.NaN);
            double msLast = rs.stream().mapToDouble(HpoBenchRun::samplerMsLast10).average().orElse(Double.NaN);
            rows.add(new SummaryRow(fn, sampler, rs.size(), trials, atEnd, at50, atRef, comparable ? ref[0] : Double.NaN,
                    comparable ? ref[1] : Double.NaN, ms, msLast));
        }));
        return rows;
    }

    /**
     * @return a Markdown table with one column per distinct budget (50 when the runs are longer, the runs' own
     *     length, and {@link #REFERENCE_TRIALS} beside the Optuna numbers when the runs reach it), every cell
     *     filled; below it a note when the runs are too short for the reference
     */
    static String summary(List<HpoBenchRun> runs, int trials, Map<HpoBenchmarkFunction, double[]> reference) {
        List<SummaryRow> rows = summarize(runs, trials, reference);
        boolean withRef = !rows.isEmpty() && rows.stream().allMatch(SummaryRow::hasReference);
        int last = Math.min(10, trials);
        List<String> head = new ArrayList<>(List.of("function", "sampler", "seeds"));
        if (trials > 50) {
            head.add("median regret @50");
        }
        head.add("median regret @" + trials);
        if (withRef && trials > REFERENCE_TRIALS) {
            head.add("median regret @" + REFERENCE_TRIALS);
        }
        if (withRef) {
            head.addAll(List.of("Optuna 3.1 TPE @" + REFERENCE_TRIALS, "Optuna 3.1 random @" + REFERENCE_TRIALS,
                    "ratio to Optuna TPE @" + REFERENCE_TRIALS));
        }
        head.addAll(List.of("sampler CPU ms/trial (mean)", "sampler CPU ms/trial (last " + last + ")"));
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", head)).append(" |\n|");
        for (int i = 0; i < head.size(); i++) {
            sb.append(i < 2 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (SummaryRow r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.function().cliName(), r.sampler(), Integer.toString(r.seeds())));
            if (trials > 50) {
                cells.add(fmt(r.medianAt50()));
            }
            cells.add(fmt(r.medianAtEnd()));
            if (withRef && trials > REFERENCE_TRIALS) {
                cells.add(fmt(r.medianAtReference()));
            }
            if (withRef) {
                cells.addAll(List.of(fmt(r.optunaTpe()), fmt(r.optunaRandom()),
                        String.format(Locale.ROOT, "%.3g", r.ratioToOptunaTpe())));
            }
            cells.add(String.format(Locale.ROOT, "%.3f", r.samplerMsMean()));
            cells.add(String.format(Locale.ROOT, "%.3f", r.samplerMsLast()));
            sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        if (!withRef) {
            sb.append(String.format(Locale.ROOT, "%nThe Optuna 3.1 reference numbers are medians after %d trials; these runs "
                    + "have %d, so they are not compared (use --trials %d or more).%n", REFERENCE_TRIALS, trials,
                    REFERENCE_TRIALS));
        }
        return sb.toString();
    }

    /**
     * @return the summary and the runs as one compact JSON object with snake_case fields (see docs/benchmarks.md)
     */
    static ObjectNode summaryJson(List<HpoBenchRun> runs, int trials, long firstSeed,
            Map<HpoBenchmarkFunction, double[]> reference) {
        ObjectNode root = Json.object();
        root.put("trials", trials);
        root.put("first_seed", firstSeed);
        root.put("reference_trials", REFERENCE_TRIALS);
        ArrayNode summary = root.putArray("summary");
        for (SummaryRow r : summarize(runs, trials, reference)) {
            ObjectNode n = summary.addObject();
            n.put("function", r.function().cliName());
            n.put("sampler", r.sampler());
            n.put("seeds", r.seeds());
            n.put("median_regret", r.medianAtEnd());
            if (!Double.isNaN(r.medianAt50())) {
                n.put("median_regret_at_50", r.medianAt50());
            }
            if (r.hasReference()) {
                n.put("median_regret_at_reference", r.medianAtReference());
                n.put("optuna_tpe_regret", r.optunaTpe());
                n.put("optuna_random_regret", r.optunaRandom());
                n.put("ratio_to_optuna_tpe", r.ratioToOptunaTpe());
            }
            n.put("sampler_cpu_ms_per_trial", r.samplerMsMean());
            n.put("sampler_cpu_ms_per_trial_last_10", r.samplerMsLast());
        }
        ArrayNode arr = root.putArray("runs");
        for (HpoBenchRun r : runs) {
            ObjectNode n = arr.addObject();
            n.put("function", r.function().cliName());
            n.put("sampler", r.sampler());
            n.put("seed", r.seed());
            n.put("final_regret", r.regretAt(r.bestSoFar().length - 1));
            n.put("sampler_cpu_ms_per_trial", r.samplerMsPerTrial());
            n.put("seconds", r.totalSeconds());
        }
        return root;
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
        private final Map<Integer, Long> perTrial = new java.util.HashMap<>();

        static long now() {
            return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }

        TimedSampler(Sampler delegate) {
            this.delegate = delegate;
        }

        synchronized long nanos() {
            return nanos;
        }

        private synchronized void add(long t0, FrozenTrial trial) {
            long d = now() - t0;
            nanos += d;
            perTrial.merge(trial.number(), d, Long::sum);
        }

        /** @return mean CPU milliseconds per trial over trial numbers in [from, to) */
        synchronized double msPerTrial(int from, int to) {
            long sum = 0;
            for (int i = from; i < to; i++) {
                sum += perTrial.getOrDefault(i, 0L);
            }
            return sum / 1e6 / Math.max(1, to - from);
        }

        @Override
        public long seed() {
            return delegate.seed();
        }

        @Override
        public Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
            long t0 = now();
            try {
                return delegate.relativeSearchSpace(study, trial);
            } finally {
                add(t0, trial);
            }
        }

        @Override
        public Map<String, Double> sampleRelative(Study study, FrozenTrial trial, Map<String, Distribution> space,
                RandomGenerator rng) {
            long t0 = now();
            try {
                return delegate.sampleRelative(study, trial, space, rng);
            } finally {
                add(t0, trial);
            }
        }

        @Override
        public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
                RandomGenerator rng) {
            long t0 = now();
            try {
                return delegate.sampleIndependent(study, trial, name, distribution, rng);
            } finally {
                add(t0, trial);
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
