package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.Quantization;
import io.autoglm.memory.MemoryProbe;
import io.autoglm.tune.Candidate;
import io.autoglm.tune.DeploymentTuner;
import io.autoglm.tune.TrialRecord;
import io.autoglm.tune.TuneObjective;
import io.autoglm.tune.TuneReport;
import io.autoglm.tune.TuneResult;
import io.autoglm.tune.TuneSpace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm tune --model REF --memory-budget 2G --objective throughput --max-kld 0.05 --trials 30 --out
 * autoglm.yaml}: searches the serving settings with TPE, measuring each with a real benchmark, and writes the best as
 * a deploy config (see {@link DeploymentTuner}).
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search quantization preset, threads, batch/ubatch, parallel sequences, context and (current llama.cpp) "
                + "flash attention for a memory budget and a KL-divergence limit, measuring each trial with a concurrent "
                + "generation benchmark; write the best as a deploy config. Trials are kept in --storage: the same command "
                + "resumes an interrupted tune.")
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "REF", description = "the model: " + ModelOptions.REF_HELP)
    String model;

    @Option(names = "--offline", description = "never download: use the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "memory the deployed model may use (weights + KV cache + compute), e.g. 512M or 2G (default: available memory)")
    String memoryBudget;

    @Option(names = "--objective", paramLabel = "throughput|latency", defaultValue = "throughput",
            description = "maximize generated tokens/s, or minimize the p50 request latency (default ${DEFAULT-VALUE})")
    String objective;

    @Option(names = "--max-kld", paramLabel = "X", defaultValue = "0.05",
            description = "largest mean KL divergence of a preset against the unquantized model (default ${DEFAULT-VALUE})")
    double maxKld;

    @Option(names = "--trials", paramLabel = "N", defaultValue = "30",
            description = "trials the study should have finished; the first is the library's defaults (default ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "autoglm.yaml",
            description = "the deploy config to write (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "the model's name in the config (default: from the reference)")
    String name;

    @Option(names = "--storage", paramLabel = "URL",
            description = "where trials live: sqlite:/path/file.db, jdbc:postgresql://host:port/db or memory: "
                    + "(default: sqlite: beside --out, OUT.tune.db)")
    String storage;

    @Option(names = "--text", paramLabel = "FILE",
            description = "UTF-8 text for the KL measurement and the benchmark prompts (default: a bundled sample)")
    Path text;

    @Option(names = "--native-library", paramLabel = "PATH",
            description = "llama.cpp build to run on; flash attention is searched when it is of the current generation")
    Path nativeLibrary;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
            description = "concurrent requests of the benchmark (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--gen-tokens", paramLabel = "N", defaultValue = "64",
            description = "tokens each benchmark request generates (default ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--presets", paramLabel = "LIST", split = ",",
            description = "presets to try, e.g. none,Q8_0,Q4_K_M (default: none,Q8_0,Q6_K,Q5_K_M,Q4_K_M,Q4_0)")
    List<String> presets;

    @Option(names = "--max-threads", paramLabel = "N", description = "largest thread count to try (default: cores, at most 8)")
    Integer maxThreads;

    @Option(names = "--batches", paramLabel = "LIST", split = ",", description = "batch sizes (default 64,128,256,512,1024)")
    List<Integer> batches;

    @Option(names = "--ubatches", paramLabel = "LIST", split = ",", description = "micro-batch sizes (default 32,64,128,256,512)")
    List<Integer> ubatches;

    @Option(names = "--parallels", paramLabel = "LIST", split = ",", description = "parallel sequence counts (default 1,2,4,8,16)")
    List<Integer> parallels;

    @Option(names = "--contexts", paramLabel = "LIST", split = ",", description = "context sizes (default 512,1024,2048,4096)")
    List<Integer> contexts;

    @Option(names = "--kld-windows", paramLabel = "N", defaultValue = "4",
            description = "128-token windows of the KL measurement (default ${DEFAULT-VALUE})")
    int kldWindows;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "the sampler's seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print one JSON object (per-trial lines go to stderr)")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        TuneObjective obj;
        try {
            obj = TuneObjective.parse(objective);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--objective must be throughput or latency, was '" + objective + "'", e);
        }
        long budget = memoryBudget != null ? ModelOptions.parseSize(memoryBudget) : MemoryProbe.available().bytes();
        TuneSpace.Builder sb = TuneSpace.builder();
        if (presets != null) {
            sb.presets(presets.stream().map(TuneCommand::preset).toList());
        }
        if (maxThreads != null) {
            sb.maxThreads(maxThreads);
        }
        if (batches != null) {
            sb.batches(batches);
        }
        if (ubatches != null) {
            sb.ubatches(ubatches);
        }
        if (parallels != null) {
            sb.parallels(parallels);
        }
        if (contexts != null) {
            sb.contexts(contexts);
        }
        TuneSpace space = sb.build();
        if (space.presets().stream().anyMatch(q -> q != Quantization.NONE)) {
            QuantizeCommand.requireVectorApi("tune (with presets other than none)");
        }
        String url = storage != null ? storage : "sqlite:" + defaultStorage(out);
        DeploymentTuner.Builder b = DeploymentTuner.builder().memoryBudget(budget).objective(obj).maxKld(maxKld).trials(trials)
                .concurrency(concurrency).genTokens(genTokens).kldWindows(kldWindows).seed(seed).space(space).storage(url);
        if (name != null) {
            b.name(name);
        }
        if (text != null) {
            b.text(text);
        }
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        b.model(ModelOptions.resolve(model, offline, err), model);
        PrintWriter lines = json ? err : stdout;
        TuneResult r;
        try (Progress progress = Progress.start(err, "tune", trials, Progress.Unit.of("trials"))) {
            b.listener(new DeploymentTuner.Listener() {
                @Override
                public void trialFinished(TrialRecord t, int done, int total) {
                    progress.println(lines, line(t, done, total));
                    progress.stepTo(done);
                }

                @Override
                public void status(String message) {
                    progress.println(err, message);
                }
            });
            r = b.build().tune();
        }
        r.config().write(out);
        if (json) {
            Json.print(stdout, toJson(r, url));
            return 0;
        }
        stdout.println();
        stdout.print(TuneReport.table(r));
        stdout.println();
        stdout.print(TuneReport.plot(r, 12));
        stdout.println();
        TrialRecord best = r.best();
        stdout.printf(Locale.ROOT, "best: trial %d, %s: %.1f tok/s, p50 %.0f ms, KL %.4f, est. %.0f MiB%n", best.number(),
                best.candidate(), best.tokensPerSecond(), best.p50Millis(), best.klMean(), best.memoryBytes() / 1048576.0);
        r.baseline().ifPresentOrElse(base -> stdout.printf(Locale.ROOT,
                "defaults (trial %d, %s): %.1f tok/s, p50 %.0f ms; the best is %.2fx %s%n", base.number(), base.candidate(),
                base.tokensPerSecond(), base.p50Millis(), r.gainOverBaseline().orElseThrow(),
                obj == TuneObjective.THROUGHPUT ? "the throughput" : "faster (p50)"),
                () -> stdout.println("defaults: not measured (over the budget, or failed)"));
        stdout.println("wrote " + out);
        stdout.println("study " + r.studyName() + " in " + redact(url) + " (the same command resumes it; a larger --trials extends it)");
        stdout.flush();
        return 0;
    }

    private static String line(TrialRecord t, int done, int total) {
        Candidate c = t.candidate();
        String what = c == null ? "" : c.toString();
        String result = t.complete() ? String.format(Locale.ROOT, "%.1f tok/s, p50 %.0f ms", t.tokensPerSecond(), t.p50Millis())
                : t.state().toLowerCase(Locale.ROOT) + (t.note().isEmpty() ? "" : ": " + t.note());
        return String.format(Locale.ROOT, "[%d/%d] trial %d%s %s -> %s", done, total, t.number(), t.baseline() ? " (defaults)" : "",
                what, result);
    }

    static Path defaultStorage(Path out) {
        Path abs = out.toAbsolutePath();
        String file = abs.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        return abs.resolveSibling(stem + ".tune.db");
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static Quantization preset(String v) {
        String s = v.trim();
        if (s.equalsIgnoreCase("none")) {
            return Quantization.NONE;
        }
        try {
            Quantization q = Quantization.parse(s);
            if (q != Quantization.AUTO) {
                return q;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the flag's name
        }
        throw new IllegalArgumentException("--presets must list none or presets (" + String.join(", ", QuantizeCommand.presetNames())
                + "), was '" + v + "'");
    }

    private static ObjectNode trialJson(TrialRecord t) {
        ObjectNode o = Json.object();
        o.put("number", t.number());
        o.put("state", t.state());
        if (t.candidate() != null) {
            o.set("params", Json.MAPPER.valueToTree(t.candidate().params()));
        }
        o.put("baseline", t.baseline());
        if (t.memoryBytes() >= 0) {
            o.put("memory_bytes", t.memoryBytes());
        }
        putFinite(o, "kl_mean", t.klMean());
        putFinite(o, "tokens_per_second", t.tokensPerSecond());
        putFinite(o, "p50_ms", t.p50Millis());
        if (!t.note().isEmpty()) {
            o.put("note", t.note());
        }
        return o;
    }

    private static void putFinite(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, Json.round(v));
        }
    }

    private ObjectNode toJson(TuneResult r, String url) {
        ObjectNode o = Json.object();
        o.put("study", r.studyName());
        o.put("storage", redact(url));
        o.put("objective", r.objective().cliName());
        o.put("out", out.toString());
        o.put("trials_before", r.trialsBefore());
        o.put("retried", r.retried());
        o.set("best", trialJson(r.best()));
        r.baseline().ifPresentOrElse(base -> o.set("baseline", trialJson(base)), () -> o.putNull("baseline"));
        r.gainOverBaseline().ifPresentOrElse(g -> o.put("gain_over_baseline", Json.round(g)), () -> o.putNull("gain_over_baseline"));
        ArrayNode a = o.putArray("trials");
        r.trials().forEach(t -> a.add(trialJson(t)));
        return o;
    }
}
