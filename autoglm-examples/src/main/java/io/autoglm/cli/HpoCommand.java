package io.autoglm.cli;

import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.GpSampler;
import io.autoglm.automl.search.GridSampler;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.RandomSampler;
import io.autoglm.automl.search.Sampler;
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
import java.util.LinkedHashMap;
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

    /** {@code autoglm hpo bench}: samplers on the standard benchmark functions. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Run samplers on benchmark functions and write best-so-far per trial as CSV.")
    static final class Bench implements Runnable {
        @Option(names = "--function", split = ",", defaultValue = "branin",
                description = "branin, hartmann6, rosenbrock5, styblinski_tang8, ackley5 or all (comma-separated).")
        List<String> functions;

        @Option(names = "--sampler", split = ",", defaultValue = "tpe",
                description = "tpe, tpe-multivariate, tpe-multivariate-scott, gp, random or grid (comma-separated).")
        List<String> samplers;

        @Option(names = "--trials", defaultValue = "100", description = "Trials per run (default ${DEFAULT-VALUE}).")
        int trials;

        @Option(names = "--seeds", defaultValue = "10", description = "Seeds per function and sampler (default ${DEFAULT-VALUE}).")
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

        @Option(names = "--verbose", description = "Print stack traces on errors.")
        boolean verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (trials < 1) {
                throw new IllegalArgumentException("--trials must be >= 1, was " + trials);
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, was " + seeds);
            }
            List<HpoBenchmarkFunction> fns = new ArrayList<>();
            for (String f : functions) {
                if (f.trim().equalsIgnoreCase("all")) {
                    fns.addAll(List.of(HpoBenchmarkFunction.values()));
                } else {
                    fns.add(HpoBenchmarkFunction.parse(f));
                }
            }
            for (String s : samplers) {
                makeSampler(s.trim(), HpoBenchmarkFunction.BRANIN, trials);
            }
            PrintWriter out = spec.commandLine().getOut();
            Storage storage = openStorage(storageUrl);
            List<HpoBenchRun> runs = new ArrayList<>();
            try (Writer w = csv == null ? Writer.nullWriter() : Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                w.write("function,sampler,seed,trial,best_so_far,elapsed_seconds\n");
                for (HpoBenchmarkFunction fn : fns) {
                    for (String s : samplers) {
                        String sampler = s.trim().toLowerCase(Locale.ROOT);
                        for (int i = 0; i < seeds; i++) {
                            long seed = firstSeed + i;
                            HpoBenchRun run = runOne(storage, fn, sampler, seed);
                            runs.add(run);
                            for (int t = 0; t < run.bestSoFar().length; t++) {
                                w.write(String.format(Locale.ROOT, "%s,%s,%d,%d,%.10g,%.6f%n", fn.cliName(), sampler, seed, t,
                                        run.bestSoFar()[t], run.elapsed()[t]));
                            }
                            w.flush();
                            out.printf(Locale.ROOT, "%-16s %-16s seed %3d  regret %.6g  sampler %.3f ms/trial%n", fn.cliName(),
                                    sampler, seed, run.bestSoFar()[run.bestSoFar().length - 1] - fn.minimum,
                                    run.samplerMsPerTrial());
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
            } finally {
                storage.close();
            }
            out.println();
            out.print(HpoBenchRun.summary(runs, trials, OPTUNA_REFERENCE));
            out.flush();
            if (plot != null) {
                HpoConvergencePlot.write(runs, plot);
                out.println("plot written to " + plot);
            }
        }

        private static Storage openStorage(String url) {
            if (url == null || url.equals("memory") || url.equals("memory:")) {
                return new InMemoryStorage();
            }
            return Storages.open(url);
        }

        static Sampler makeSampler(String name, HpoBenchmarkFunction fn, int trials) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "tpe" -> TpeSampler.builder().build();
                case "tpe-multivariate" -> TpeSampler.builder().multivariate(true).build();
                case "tpe-multivariate-scott" -> TpeSampler.builder().multivariate(true)
                        .multivariateBandwidth(TpeSampler.MultivariateBandwidth.SCOTT).build();
                case "gp" -> GpSampler.builder().build();
                case "random" -> new RandomSampler();
                case "grid" -> {
                    int per = Math.max(2, (int) Math.floor(Math.pow(trials, 1.0 / fn.dimension()) + 1e-9));
                    Map<String, List<Double>> grid = new LinkedHashMap<>();
                    for (int j = 0; j < fn.dimension(); j++) {
                        List<Double> vals = new ArrayList<>();
                        for (int k = 0; k < per; k++) {
                            vals.add(fn.low[j] + (fn.high[j] - fn.low[j]) * (k + 0.5) / per);
                        }
                        grid.put("x" + j, vals);
                    }
                    yield new GridSampler(grid);
                }
                default -> throw new IllegalArgumentException("unknown sampler '" + name
                        + "'; expected tpe, tpe-multivariate, tpe-multivariate-scott, gp, random or grid");
            };
        }

        private HpoBenchRun runOne(Storage storage, HpoBenchmarkFunction fn, String samplerName, long seed) {
            HpoBenchRun.TimedSampler sampler = new HpoBenchRun.TimedSampler(makeSampler(samplerName, fn, trials));
            String name = "bench-" + fn.cliName() + "-" + samplerName + "-" + seed + "-" + System.nanoTime();
            Study study = Study.builder().name(name).storage(storage).sampler(sampler).pruner(Pruners.none()).seed(seed)
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
