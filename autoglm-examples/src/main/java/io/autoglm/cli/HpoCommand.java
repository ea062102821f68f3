package io.autoglm.cli;

import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.GridSampler;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Sampler;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.TpeSampler;
import io.autoglm.automl.storage.InMemoryStorage;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.Storages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autoglm hpo}: hyperparameter-search tools. */
@Command(name = "hpo", mixinStandardHelpOptions = true, description = "Hyperparameter search tools.",
        subcommands = {HpoCommand.Bench.class})
public final class HpoCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand; see autoglm hpo --help");
    }

    /** Optuna 3.1.0 TPE / random reference: median regret over 10 seeds after 100 trials (issue 4). */
    static final Map<HpoBenchmarkFunction, double[]> OPTUNA_REFERENCE = Map.of(
            HpoBenchmarkFunction.BRANIN, new double[] {0.0163, 0.198},
            HpoBenchmarkFunction.HARTMANN6, new double[] {0.2768, 1.29},
            HpoBenchmarkFunction.ROSENBROCK5, new double[] {120.2, 3110},
            HpoBenchmarkFunction.STYBLINSKI_TANG8, new double[] {77.0, 121},
            HpoBenchmarkFunction.ACKLEY5, new double[] {7.93, 17.1});

    /** Sampler names of {@code hpo bench --sampler}, in the order of its help. */
    static final List<String> SAMPLERS = List.of("tpe", "tpe-univariate", "tpe-multivariate-scott", "gp", "random", "grid");

    /** Told after every finished benchmark run, for progress display. */
    @FunctionalInterface
    interface RunListener {
        /**
         * @param run the finished run
         * @param done runs finished so far, this one included
         * @param total runs of the whole benchmark
         */
        void runFinished(HpoBenchRun run, int done, int total);
    }

    /** {@code autoglm hpo bench}: samplers on the standard benchmark functions. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Run samplers on benchmark functions: a summary table (or --json), optionally the "
                    + "best-so-far per trial as CSV and a convergence plot.")
    static final class Bench implements Runnable {
        @Option(names = "--function", split = ",", defaultValue = "branin",
                description = "branin, hartmann6, rosenbrock5, styblinski_tang8, ackley5 or all (comma-separated).")
        List<String> functions;

        @Option(names = "--sampler", split = ",", defaultValue = "tpe",
                description = "tpe (multivariate, the default TPE), tpe-univariate (Optuna's default TPE), "
                        + "tpe-multivariate-scott, gp, random or grid (comma-separated).")
        List<String> samplers;

        @Option(names = "--trials", defaultValue = "100", description = "Trials per run, >= 1 (default ${DEFAULT-VALUE}).")
        int trials;

        @Option(names = "--seeds", defaultValue = "10", description = "Seeds per function and sampler, >= 1 (default ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default ${DEFAULT-VALUE}).")
        long firstSeed;

        @Option(names = "--csv", description = "Write function,sampler,seed,trial,best_so_far,elapsed_seconds here.")
        Path csv;

        @Option(names = "--storage", defaultValue = "memory",
                description = "Where studies live: memory (default), sqlite:/path/file.db, jdbc:sqlite:... or "
                        + "jdbc:postgresql://host:port/db (each run is a new study named bench-FUNCTION-SAMPLER-SEED-...).")
        String storageUrl;

        @Option(names = "--plot", description = "Write a convergence plot (PNG) here.")
        Path plot;

        @Option(names = "--json", description = "Print the summary and the runs as one compact JSON object "
                + "(snake_case; per-run lines go to stderr).")
        boolean json;

        @Option(names = "--verbose", description = "Print stack traces on errors.")
        boolean verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** Replaces the per-run line (for a progress display); null: print one line per run. */
        RunListener listener;

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }

        @Override
        public void run() {
            if (trials < 1) {
                throw usage("--trials must be >= 1, was " + trials);
            }
            if (seeds < 1) {
                throw usage("--seeds must be >= 1, was " + seeds);
            }
            List<HpoBenchmarkFunction> fns = new ArrayList<>();
            for (String f : functions) {
                if (f.trim().equalsIgnoreCase("all")) {
                    fns.addAll(List.of(HpoBenchmarkFunction.values()));
                } else {
                    try {
                        fns.add(HpoBenchmarkFunction.parse(f));
                    } catch (IllegalArgumentException e) {
                        throw usage("--function: " + e.getMessage());
                    }
                }
            }
            List<String> names = samplers.stream().map(x -> x.trim().toLowerCase(Locale.ROOT)).toList();
            for (String s : names) {
                if (!SAMPLERS.contains(s)) {
                    throw usage("--sampler: unknown sampler '" + s + "'; expected one of " + String.join(", ", SAMPLERS));
                }
            }
            Storage storage = openStorage(storageUrl);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter lines = json ? spec.commandLine().getErr() : out;
            Progress progress = Progress.start(spec.commandLine().getErr(), "hpo bench",
                    (long) fns.size() * names.size() * seeds, Progress.Unit.of("runs"));
            RunListener onRun = listener != null ? listener : (run, done, total) -> {
                progress.println(lines, String.format(Locale.ROOT, "[%d/%d] %-16s %-22s seed %3d  regret %.6g  sampler %.3f ms/trial",
                        done, total, run.function().cliName(), run.sampler(), run.seed(),
                        run.regretAt(run.bestSoFar().length - 1), run.samplerMsPerTrial()));
                progress.stepTo(done);
            };
            List<HpoBenchRun> runs;
            try (progress; Writer w = csv == null ? Writer.nullWriter() : Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                w.write("function,sampler,seed,trial,best_so_far,elapsed_seconds\n");
                runs = runAll(storage, fns, names, (run, done, total) -> {
                    try {
                        for (int t = 0; t < run.bestSoFar().length; t++) {
                            w.write(String.format(Locale.ROOT, "%s,%s,%d,%d,%.10g,%.6f%n", run.function().cliName(), run.sampler(),
                                    run.seed(), t, run.bestSoFar()[t], run.elapsed()[t]));
                        }
                        w.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
                    }
                    onRun.runFinished(run, done, total);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
            } finally {
                storage.close();
            }
            if (plot != null) {
                HpoConvergencePlot.write(runs, plot);
            }
            if (json) {
                com.fasterxml.jackson.databind.node.ObjectNode root = HpoBenchRun.summaryJson(runs, trials, firstSeed,
                        OPTUNA_REFERENCE);
                if (csv != null) {
                    root.put("csv", csv.toString());
                }
                if (plot != null) {
                    root.put("plot", plot.toString());
                }
                Json.print(out, root);
                return;
            }
            out.println();
            out.print(HpoBenchRun.summary(runs, trials, OPTUNA_REFERENCE));
            if (plot != null) {
                out.println("plot written to " + plot);
            }
            out.flush();
        }

        /**
         * Runs every function x sampler x seed, in that order, telling {@code listener} after each run.
         *
         * @return the runs
         */
        List<HpoBenchRun> runAll(Storage storage, List<HpoBenchmarkFunction> fns, List<String> samplerNames,
                RunListener listener) {
            int total = fns.size() * samplerNames.size() * seeds;
            List<HpoBenchRun> runs = new ArrayList<>(total);
            for (HpoBenchmarkFunction fn : fns) {
                for (String sampler : samplerNames) {
                    for (int i = 0; i < seeds; i++) {
                        HpoBenchRun run = runOne(storage, fn, sampler, firstSeed + i);
                        runs.add(run);
                        listener.runFinished(run, runs.size(), total);
                    }
                }
            }
            return runs;
        }

        private Storage openStorage(String url) {
            if (url == null || url.equals("memory") || url.equals("memory:")) {
                return new InMemoryStorage();
            }
            try {
                return Storages.open(url);
            } catch (IllegalArgumentException e) {
                throw usage("--storage: " + e.getMessage());
            } catch (AutoMLException e) {
                throw new IllegalStateException("--storage " + url.replaceAll("(?i)(password=)[^&]*", "$1***") + ": "
                        + e.getMessage(), e);
            }
        }

        static Sampler makeSampler(String name, HpoBenchmarkFunction fn, int trials, long seed) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "tpe" -> Samplers.tpe().seed(seed).build();
                case "tpe-univariate" -> Samplers.tpe().multivariate(false).seed(seed).build();
                case "tpe-multivariate-scott" -> Samplers.tpe().multivariateBandwidth(TpeSampler.MultivariateBandwidth.SCOTT)
                        .seed(seed).build();
                case "gp" -> Samplers.gp().seed(seed).build();
                case "random" -> Samplers.random().seed(seed).build();
                case "grid" -> {
                    int per = Math.max(2, (int) Math.floor(Math.pow(trials, 1.0 / fn.dimension()) + 1e-9));
                    GridSampler.Builder grid = Samplers.grid().seed(seed);
                    for (int j = 0; j < fn.dimension(); j++) {
                        List<Double> vals = new ArrayList<>();
                        for (int k = 0; k < per; k++) {
                            vals.add(fn.low[j] + (fn.high[j] - fn.low[j]) * (k + 0.5) / per);
                        }
                        grid.param("x" + j, vals);
                    }
                    yield grid.build();
                }
                default -> throw new IllegalArgumentException("unknown sampler '" + name + "'; expected one of "
                        + String.join(", ", SAMPLERS));
            };
        }

        private HpoBenchRun runOne(Storage storage, HpoBenchmarkFunction fn, String samplerName, long seed) {
            HpoBenchRun.TimedSampler sampler = new HpoBenchRun.TimedSampler(makeSampler(samplerName, fn, trials, seed));
            String name = "bench-" + fn.cliName() + "-" + samplerName + "-" + seed + "-" + System.nanoTime();
            Study study = Study.builder().name(name).storage(storage).sampler(sampler).pruner(Pruners.none().build())
                    .build();
            double[] best = new double[trials];
            double[] elapsed = new double[trials];
            double[] cur = {Double.POSITIVE_INFINITY};
            long t0 = System.nanoTime();
            study.optimize(t -> {
                double[] x = new double[fn.dimension()];
                for (int j = 0; j < x.length; j++) {
                    x[j] = t.suggestFloat("x" + j, fn.low[j], fn.high[j]);
                }
                return fn.value(x);
            }, trials);
            // best-so-far in trial order, from the stored trials
            List<FrozenTrial> done = study.trials();
            java.time.Instant start = done.get(0).started().orElseThrow();
            for (FrozenTrial t : done) {
                if (t.number() >= trials) {
                    break;
                }
                if (!t.values().isEmpty()) {
                    cur[0] = Math.min(cur[0], t.value());
                }
                best[t.number()] = cur[0];
                elapsed[t.number()] = t.finished().map(f -> java.time.Duration.between(start, f).toNanos() / 1e9)
                        .orElse(Double.NaN);
            }
            double total = (System.nanoTime() - t0) / 1e9;
            return new HpoBenchRun(fn, samplerName, seed, best, elapsed, sampler.nanos() / 1e6 / trials,
                    sampler.msPerTrial(Math.max(0, trials - 10), trials), total);
        }
    }
}
