package io.autoglm.tune;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.Quantization;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.Trial;
import io.autoglm.automl.search.TrialPrunedException;
import io.autoglm.automl.search.TrialState;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.Storages;
import io.autoglm.memory.PrecisionPlanner;
import io.autoglm.quant.QualityEvaluator;
import io.autoglm.quant.QualityReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches the serving settings of one model for a memory budget and writes the best as a deploy config.
 *
 * <pre>{@code
 * TuneResult r = DeploymentTuner.builder()
 *         .model(Path.of("models/model-f16.gguf"), "hf://owner/repo/model-f16.gguf")
 *         .memoryBudget(2L << 30)
 *         .objective(TuneObjective.THROUGHPUT)
 *         .maxKld(0.05)
 *         .trials(30)
 *         .storage("sqlite:autoglm.tune.db")
 *         .build()
 *         .tune();
 * r.config().write(Path.of("autoglm.yaml"));
 * }</pre>
 *
 * <p>Each trial: the TPE sampler of {@code autoglm-automl} proposes a {@link Candidate} from the {@link TuneSpace};
 * its memory is estimated ({@link MemoryEstimate}) and a candidate over the budget is pruned without being loaded; a
 * quantized preset is produced once (into the {@link PrecisionPlanner} cache, where {@code quantize: PRESET} finds it
 * at deploy time) and its mean KL divergence against the unquantized model is measured once with
 * {@link QualityEvaluator} on the text sample (a preset over {@code maxKld} is pruned); then the model is loaded with
 * the candidate's settings and measured with the {@link EngineBenchmark}. The first trial of a new study is the
 * library's defaults, so the result always says how much the tune gained over them, measured in the same run.
 *
 * <p>Trials live in the storage (a SQLite file by default): running the same tune again resumes it. Trials that an
 * interrupted run left running are marked failed and their settings run again first. One tune per study at a time.
 */
public final class DeploymentTuner {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentTuner.class);
    private static final String SAMPLE = "sample.txt";

    /** Told about the tune's progress, on the tuning thread. */
    public interface Listener {
        /**
         * @param trial the trial just finished
         * @param done trials finished in the study so far
         * @param total trials the tune aims at
         */
        void trialFinished(TrialRecord trial, int done, int total);

        /** @param message a one-off step (resuming, quantizing, measuring quality) */
        default void status(String message) {
        }
    }

    private final Path model;
    private final String reference;
    private final String name;
    private final Path text;
    private final long memoryBudget;
    private final TuneObjective objective;
    private final double maxKld;
    private final int trials;
    private final String storageUrl;
    private final Path nativeLibrary;
    private final int concurrency;
    private final int genTokens;
    private final int wordsPerPrompt;
    private final long seed;
    private final TuneSpace space;
    private final int kldContext;
    private final int kldWindows;
    private final Path cacheDir;
    private final Listener listener;

    private DeploymentTuner(Builder b) {
        model = b.model;
        reference = b.reference;
        name = b.name != null ? b.name : defaultName(b.reference);
        text = b.text;
        memoryBudget = b.memoryBudget;
        objective = b.objective;
        maxKld = b.maxKld;
        trials = b.trials;
        storageUrl = b.storageUrl;
        nativeLibrary = b.nativeLibrary;
        concurrency = b.concurrency;
        genTokens = b.genTokens;
        wordsPerPrompt = b.wordsPerPrompt;
        seed = b.seed;
        space = b.space;
        kldContext = b.kldContext;
        kldWindows = b.kldWindows;
        cacheDir = b.cacheDir;
        listener = b.listener;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the model name derived from a reference: its file name without {@code .gguf}, or the catalog name */
    static String defaultName(String reference) {
        String r = reference.strip();
        int at = r.lastIndexOf('@');
        if (r.startsWith("hf://") && at > 0) {
            r = r.substring(0, at);
        }
        int slash = Math.max(r.lastIndexOf('/'), r.lastIndexOf('\\'));
        String n = slash >= 0 ? r.substring(slash + 1) : r;
        if (n.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            n = n.substring(0, n.length() - 5);
        }
        n = n.replace(':', '-').replaceAll("[^A-Za-z0-9._-]", "-");
        return n.isEmpty() ? "model" : n;
    }

    /**
     * Runs (or resumes) the tune until the study has {@code trials} finished trials.
     *
     * @return the result; its config is not written (see {@link DeployConfig#write})
     * @throws IllegalStateException when no trial completed (all over the budget, over the KL limit or failed), naming
     *     why
     * @throws io.autoglm.ModelLoadException when the model or the native library cannot be loaded
     */
    public TuneResult tune() {
        String lib = AutoGLM.describeNativeLibrary(nativeLibrary);
        boolean current = lib.contains("llama.cpp current");
        TuneSpace sp = current ? space : space.withoutFlashAttention();
        Path sample = text;
        boolean tempSample = false;
        try {
            if (sample == null) {
                sample = Files.createTempFile("autoglm-tune-", ".txt");
                tempSample = true;
                try (InputStream in = DeploymentTuner.class.getResourceAsStream(SAMPLE)) {
                    Files.write(sample, Objects.requireNonNull(in, SAMPLE).readAllBytes());
                }
            }
            String textSample = Files.readString(sample, StandardCharsets.UTF_8);
            EngineBenchmark bench = EngineBenchmark.fromText(textSample, concurrency, wordsPerPrompt, genTokens);
            return run(sp, bench, sample);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the text sample " + sample + ": " + e.getMessage(), e);
        } finally {
            if (tempSample) {
                try {
                    Files.deleteIfExists(sample);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", sample, e.toString());
                }
            }
        }
    }

    private String studyName(TuneSpace sp) {
        String identity = model.toAbsolutePath().normalize() + "|" + size(model) + "|" + objective + "|" + memoryBudget + "|"
                + maxKld + "|" + concurrency + "|" + genTokens + "|" + wordsPerPrompt + "|" + (text == null ? "" : text.toAbsolutePath())
                + "|" + kldContext + "|" + kldWindows + "|" + sp.describe();
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "tune-" + name + "-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private TuneResult run(TuneSpace sp, EngineBenchmark bench, Path sample) {
        String studyName = studyName(sp);
        PrecisionPlanner planner = cacheDir != null ? PrecisionPlanner.create(cacheDir) : PrecisionPlanner.create();
        Map<Quantization, Double> klCache = new HashMap<>();
        int cores = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        try (Storage storage = Storages.open(storageUrl);
                Study study = Study.builder().name(studyName).storage(storage).loadIfExists(true)
                        .direction(objective == TuneObjective.THROUGHPUT ? StudyDirection.MAXIMIZE : StudyDirection.MINIMIZE)
                        .sampler(Samplers.tpe().seed(seed).nStartupTrials(Math.max(3, Math.min(10, trials / 3))).build())
                        .pruner(Pruners.none().build()).build()) {
            // one tune per study at a time: whatever is still RUNNING was left by an interrupted run
            List<FrozenTrial> stale = storage.failStaleTrials(study.studyId(), Duration.ZERO);
            for (FrozenTrial f : stale) {
                if (!f.params().isEmpty()) {
                    study.enqueueTrial(f.params());
                }
            }
            List<FrozenTrial> existing = study.trials();
            for (FrozenTrial t : existing) {
                Object kl = t.userAttrs().get("kl_mean");
                Object q = t.params().get("quantize");
                if (kl instanceof Number n && q instanceof String s) {
                    klCache.put(parsePreset(s), n.doubleValue());
                }
            }
            int before = finished(existing);
            if (existing.isEmpty()) {
                study.enqueueTrial(sp.defaultParams());
            } else {
                listener.status("resuming study " + studyName + ": " + before + " of " + trials + " trials done"
                        + (stale.isEmpty() ? "" : ", " + stale.size() + " interrupted trial(s) queued again"));
            }
            Candidate defaults = sp.defaults();
            int done = before;
            while (done < trials && !Thread.currentThread().isInterrupted()) {
                int[] number = {-1};
                study.optimize(t -> {
                    number[0] = t.number();
                    return evaluate(t, sp, defaults, bench, sample, planner, klCache, cores);
                }, 1);
                done = finished(study.trials());
                if (number[0] >= 0) {
                    FrozenTrial f = study.trials().stream().filter(t -> t.number() == number[0]).findFirst().orElseThrow();
                    listener.trialFinished(record(f), done, trials);
                }
            }
            // queued trials (an interrupted one queued again, not run because the goal was reached) are not shown
            List<TrialRecord> all = study.trials().stream().filter(t -> t.state() != TrialState.WAITING)
                    .map(DeploymentTuner::record).toList();
            TrialRecord best = null;
            for (TrialRecord r : all) {
                if (r.value(objective).isPresent() && (best == null || better(r, best))) {
                    best = r;
                }
            }
            if (best == null) {
                throw new IllegalStateException("no trial of " + all.size() + " completed: " + reasons(all)
                        + "; raise --memory-budget or --max-kld, or narrow the search space");
            }
            return new TuneResult(studyName, objective, all, before, stale.size(), best,
                    new DeployConfig(name, reference, best.candidate()));
        }
    }

    private boolean better(TrialRecord a, TrialRecord b) {
        double va = a.value(objective).orElseThrow();
        double vb = b.value(objective).orElseThrow();
        return objective == TuneObjective.THROUGHPUT ? va > vb : va < vb;
    }

    private static String reasons(List<TrialRecord> all) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (TrialRecord r : all) {
            String why = r.note().startsWith("over budget") ? "over the memory budget"
                    : r.note().startsWith("KL ") ? "over the KL limit"
                    : r.note().isEmpty() ? r.state() : r.state() + " (" + r.note() + ")";
            counts.merge(why, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(v + " " + k));
        return String.join(", ", parts);
    }

    /** @return trials that count towards the goal: complete, pruned, and failed ones other than interrupted ones */
    private static int finished(List<FrozenTrial> trials) {
        int n = 0;
        for (FrozenTrial t : trials) {
            if (t.state() == TrialState.COMPLETE || t.state() == TrialState.PRUNED
                    || t.state() == TrialState.FAIL && !String.valueOf(t.systemAttrs().get("fail_reason")).contains("presumed dead")) {
                n++;
            }
        }
        return n;
    }

    private double evaluate(Trial t, TuneSpace sp, Candidate defaults, EngineBenchmark bench, Path sample,
            PrecisionPlanner planner, Map<Quantization, Double> klCache, int cores) {
        Candidate c = sp.suggest(t);
        if (c.equals(defaults)) {
            t.setUserAttr("baseline", true);
        }
        MemoryEstimate m = MemoryEstimate.of(model, c);
        t.setUserAttr("memory_bytes", m.totalBytes());
        if (m.totalBytes() > memoryBudget) {
            String note = String.format(Locale.ROOT, "over budget: %.0f MiB > %.0f MiB", MemoryEstimate.mib(m.totalBytes()),
                    MemoryEstimate.mib(memoryBudget));
            t.setUserAttr("note", note);
            throw new TrialPrunedException(note);
        }
        Path file = model;
        if (c.quantization() != Quantization.NONE) {
            if (!klCache.containsKey(c.quantization())) {
                listener.status("quantizing to " + c.quantizeName() + " and measuring its KL divergence");
            }
            file = planner.resolve(model, c.quantization(), c.context(), Long.MAX_VALUE, cores).file();
        }
        double kl = klCache.computeIfAbsent(c.quantization(), q -> q == Quantization.NONE ? 0.0 : kl(sample, planner, q, cores));
        t.setUserAttr("kl_mean", kl);
        if (kl > maxKld) {
            String note = String.format(Locale.ROOT, "KL %.4g > max %.4g", kl, maxKld);
            t.setUserAttr("note", note);
            throw new TrialPrunedException(note);
        }
        AutoGLM.Builder b = AutoGLM.builder().model(file).threads(c.threads()).contextSize(c.context()).batchSize(c.batch())
                .ubatchSize(c.ubatch()).parallel(c.parallel()).embeddings(false)
                .flashAttention(Boolean.TRUE.equals(c.flashAttention()));
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        EngineBenchmark.Result r;
        try (LanguageModel lm = b.build()) {
            r = bench.run(lm);
        }
        t.setUserAttr("tokens_per_second", r.tokensPerSecond());
        t.setUserAttr("p50_ms", r.p50Millis());
        LOG.debug("trial {}: {} -> {} tok/s, p50 {} ms", t.number(), c, r.tokensPerSecond(), r.p50Millis());
        return objective == TuneObjective.THROUGHPUT ? r.tokensPerSecond() : r.p50Millis();
    }

    private double kl(Path sample, PrecisionPlanner planner, Quantization q, int cores) {
        Path file = planner.resolve(model, q, kldContext, Long.MAX_VALUE, cores).file();
        QualityReport rep = QualityEvaluator.builder().base(model).text(sample).contextSize(kldContext).maxWindows(kldWindows)
                .threads(cores).build().evaluateAll(List.of(file)).get(0);
        LOG.info("{}: mean KL {} over {} tokens", q, rep.meanKl(), rep.scoredTokens());
        return rep.meanKl();
    }

    static Quantization parsePreset(String s) {
        return s.equals("none") ? Quantization.NONE : Quantization.parse(s);
    }

    static TrialRecord record(FrozenTrial f) {
        Map<String, Object> p = f.params();
        Map<String, Object> a = f.userAttrs();
        Candidate c = null;
        if (p.get("quantize") instanceof String q && p.get("threads") instanceof Number th && p.get("batch") instanceof Number ba
                && p.get("ubatch") instanceof Number ub && p.get("parallel") instanceof Number pa
                && p.get("context") instanceof Number cx) {
            Object fa = p.get("flash-attention");
            c = new Candidate(parsePreset(q), th.intValue(), ba.intValue(), Math.min(ub.intValue(), ba.intValue()),
                    pa.intValue(), cx.intValue(), fa instanceof Boolean bo ? bo : null);
        }
        String note = a.get("note") instanceof String s ? s : "";
        if (f.state() == TrialState.FAIL && note.isEmpty()) {
            note = String.valueOf(f.systemAttrs().getOrDefault("fail_reason", "failed"));
        }
        return new TrialRecord(f.number(), f.state().name(), c, num(a.get("memory_bytes"), -1).longValue(),
                num(a.get("kl_mean"), Double.NaN).doubleValue(), num(a.get("tokens_per_second"), Double.NaN).doubleValue(),
                num(a.get("p50_ms"), Double.NaN).doubleValue(), Boolean.TRUE.equals(a.get("baseline")), note);
    }

    private static Number num(Object o, Number otherwise) {
        return o instanceof Number n ? n : otherwise;
    }

    /** Options of a tune; setters validate at once. */
    public static final class Builder {
        private Path model;
        private String reference;
        private String name;
        private Path text;
        private long memoryBudget = -1;
        private TuneObjective objective = TuneObjective.THROUGHPUT;
        private double maxKld = 0.05;
        private int trials = 30;
        private String storageUrl;
        private Path nativeLibrary;
        private int concurrency = 8;
        private int genTokens = 64;
        private int wordsPerPrompt = 24;
        private long seed = 42;
        private TuneSpace space = TuneSpace.builder().build();
        private int kldContext = 128;
        private int kldWindows = 4;
        private Path cacheDir;
        private Listener listener = (t, done, total) -> { };

        private Builder() {
        }

        /**
         * @param file the GGUF file to tune (as stored: the unquantized source of the presets)
         * @param reference how the deploy config names it (a path, catalog name, hf:// or https:// reference)
         * @return this
         */
        public Builder model(Path file, String reference) {
            model = Objects.requireNonNull(file, "model");
            this.reference = Objects.requireNonNull(reference, "reference");
            return this;
        }

        /** @param v the model's name in the deploy config (default: derived from the reference) @return this */
        public Builder name(String v) {
            Objects.requireNonNull(v, "name");
            if (v.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            name = v;
            return this;
        }

        /** @param v UTF-8 text for the KL measurement and the benchmark prompts (default: a bundled sample) @return this */
        public Builder text(Path v) {
            text = Objects.requireNonNull(v, "text");
            return this;
        }

        /** @param bytes memory the deployed model may use, &gt; 0 (required) @return this */
        public Builder memoryBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryBudget must be > 0 bytes, was " + bytes);
            }
            memoryBudget = bytes;
            return this;
        }

        /** @param v what to optimize (default throughput) @return this */
        public Builder objective(TuneObjective v) {
            objective = Objects.requireNonNull(v, "objective");
            return this;
        }

        /** @param v largest mean KL divergence a preset may have, &gt;= 0 (default 0.05) @return this */
        public Builder maxKld(double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("maxKld must be >= 0 and finite, was " + v);
            }
            maxKld = v;
            return this;
        }

        private static int inRange(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + v);
            }
            return v;
        }

        /** @param v trials the study should have finished, 1..10000 (default 30) @return this */
        public Builder trials(int v) {
            trials = inRange("trials", v, 1, 10_000);
            return this;
        }

        /**
         * @param url where trials live: {@code sqlite:/path/file.db} (resumable), {@code jdbc:postgresql://...} or
         *     {@code memory:} (required)
         * @return this
         */
        public Builder storage(String url) {
            storageUrl = Objects.requireNonNull(url, "storage");
            return this;
        }

        /** @param v llama.cpp build to run on (default: the configured one); flash attention is searched on the current generation @return this */
        public Builder nativeLibrary(Path v) {
            nativeLibrary = Objects.requireNonNull(v, "nativeLibrary");
            return this;
        }

        /** @param v concurrent requests of the benchmark, 1..256 (default 8) @return this */
        public Builder concurrency(int v) {
            concurrency = inRange("concurrency", v, 1, 256);
            return this;
        }

        /** @param v tokens each benchmark request generates, 1..4096 (default 64) @return this */
        public Builder genTokens(int v) {
            genTokens = inRange("genTokens", v, 1, 4096);
            return this;
        }

        /** @param v words of each benchmark prompt, 1..4096 (default 24) @return this */
        public Builder wordsPerPrompt(int v) {
            wordsPerPrompt = inRange("wordsPerPrompt", v, 1, 4096);
            return this;
        }

        /** @param v the sampler's seed (default 42) @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v the values to search (default {@code TuneSpace.builder().build()}) @return this */
        public Builder space(TuneSpace v) {
            space = Objects.requireNonNull(v, "space");
            return this;
        }

        /** @param v tokens per window of the KL measurement, 16..65536 (default 128) @return this */
        public Builder kldContext(int v) {
            kldContext = inRange("kldContext", v, 16, 65536);
            return this;
        }

        /** @param v windows of the KL measurement, &gt;= 1 (default 4) @return this */
        public Builder kldWindows(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("kldWindows must be >= 1, was " + v);
            }
            kldWindows = v;
            return this;
        }

        /** @param v folder of the quantized copies (default: the {@link PrecisionPlanner} cache) @return this */
        public Builder cacheDir(Path v) {
            cacheDir = Objects.requireNonNull(v, "cacheDir");
            return this;
        }

        /** @param v told after each trial @return this */
        public Builder listener(Listener v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /**
         * @return the tuner
         * @throws IllegalStateException when the model, the memory budget or the storage is missing
         */
        public DeploymentTuner build() {
            if (model == null || memoryBudget <= 0 || storageUrl == null) {
                throw new IllegalStateException("model, memoryBudget and storage are required (model=" + model
                        + ", memoryBudget=" + memoryBudget + ", storage=" + storageUrl + ")");
            }
            return new DeploymentTuner(this);
        }
    }
}
