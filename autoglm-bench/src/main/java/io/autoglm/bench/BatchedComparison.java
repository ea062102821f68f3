package io.autoglm.bench;

import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.TokenStream;
import io.autoglm.backend.ffm.FfmBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Continuous batching against its native floor ({@code native/batched_loop.c}), side by side in one run,
 * plus the engine's own latency targets (issue 10). Sections, each printed as a markdown table:
 *
 * <ul>
 *   <li>{@code throughput}: for each model and each N of {@code --parallel}, rounds alternate between one C
 *       process ({@code batched_loop --mode both}: N prompts prefilled in one batch, then one {@code llama_decode}
 *       per step for all N; and the same N requests one after another) and the engine in this JVM (N concurrent
 *       {@code complete()} calls on one {@code LanguageModel} built with {@code parallel(N)}, and the same N
 *       requests one after another on it). Aggregate decode tok/s = N × (tokens − 1) / decode time, as
 *       {@link io.autoglm.Timings} defines it; for the engine the decode time runs from the first request's
 *       first token to the last request's last token, so a request admitted a step late counts against it. The
 *       table gives the medians, each side's speedup of N over one-after-another, the ratio FFM/C of the batched
 *       rates (median and quartiles of the per-round ratios) and the ratio of the speedups, and whether the
 *       greedy ids are the C loop's. Same settings on both sides: {@code contextSize} {@code --ctx} per
 *       sequence, KV cache N × ctx cells, {@code n_seq_max} N, n_batch = n_ubatch = 512, F16 K/V; the engine
 *       with {@code prefixCache(false)} (with {@code --cache on} the default prefix cache, {@code both} for
 *       both columns). Besides wall time, both sides' CPU time is compared (all generated tokens over the
 *       process CPU time of the whole run, prefill included; the JVM's covers all its threads but the JIT
 *       compilers): with 1 thread it is the work each side does, much less disturbed than wall time when other
 *       programs load the machine.</li>
 *   <li>{@code steps}: per decode step, for each N and greedy/sampled ({@code --sampling}, {@code --temp}): engine
 *       tok/s, C tok/s and their ratio, the C step's wall time and the part in {@code llama_decode} and sampling,
 *       the engine's step time and its overhead over the C loop's {@code llama_decode} time, decode calls per step,
 *       CPU time per step on both sides (see {@link #steps()}).</li>
 *   <li>{@code occupancy}: the C loop's batched rate when {@code --occupy} cells (default 0,1024,4096) are held by
 *       an idle sequence, as the engine's cached prefixes hold them: llama.cpp attends over every cell up to the
 *       highest one in use, so resident cached prefixes slow every step.</li>
 *   <li>{@code prefix-floor}: the C loop's shared-prefix experiment ({@code --mode prefix}: a
 *       {@code --floor-prefix-tokens} prefix decoded once and shared with {@code seq_cp} by 4 sequences, vs
 *       each prefilling it).</li>
 *   <li>{@code ttft}: time to first token ({@code Timings.promptMillis}) of a request whose first
 *       {@code --prefix-tokens} prompt tokens are cached (the same prefix was sent just before with another
 *       ending) vs the same request cold (a fresh window of the text each rep). Target ≤ 0.1×.</li>
 *   <li>{@code chat}: a 4-turn chat (chatml); per turn the prompt, cached and evaluated tokens from
 *       {@code Usage}; the 4th turn must evaluate only what is new since the 3rd turn's prompt and reply.</li>
 *   <li>{@code stall}: {@code --streams} streams generate; when each has 16 tokens, a {@code --stall-prompt}-token
 *       prompt arrives. Per stream: its median inter-token gap before the arrival, its largest gap after it
 *       (caller-side arrival times), and the ratio. Target ≤ 3×. Also the largest gap over the median of all the
 *       stream's gaps: on a unified KV cache every row attends over all cells in use, so once the long prompt is in
 *       the cache the streams' own decode steps cost more (on an attention-bound model like stories260K, several
 *       times more) whatever the chunking.</li>
 * </ul>
 *
 * <p>The single-sequence comparison ({@code parallel(1)} vs {@code greedy_loop}) is {@link DecodeComparison}.
 * {@code autoglm-bench/run-batching-bench.sh} runs everything with the documented settings.
 *
 * <p>Run (from the project root, after {@code make -C native}):
 * <pre>{@code
 * ./mvnw -q -pl autoglm-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.BatchedComparison \
 *      --model ../shared/models/stories260K.gguf --native native/build/batched_loop --threads 2 --parallel 8 \
 *      --tokens 32 --rounds 5 --reps 3 --warmup 3 --sections throughput,occupancy,prefix-floor,ttft,chat,stall
 * }</pre>
 */
public final class BatchedComparison {
    /** The prompts of the throughput section; sequence i gets prompt i % 16 (batched_common.h has the same list). */
    static final List<String> PROMPTS = List.of(
            "Once upon a time", "The little dog", "Lily wanted to", "One day, a boy named Tom",
            "The sun was shining", "There was a big red ball", "Mom said to", "The cat and the bird",
            "In the park,", "Sam had a toy car", "The old tree", "A little girl found",
            "It was a rainy day", "The fish swam", "Ben and Mia", "The king was sad");

    private static final Set<String> SECTIONS = Set.of("throughput", "steps", "occupancy", "prefix-floor", "ttft", "chat", "stall");

    private final List<Path> models = new ArrayList<>();
    private Path nativeLoop = Path.of("native/build/batched_loop");
    private Path nativeLibrary;
    private Path text = Path.of("../shared/models/text/war-and-peace-book-one.txt");
    private int threads = 2;
    private int[] parallels = {8};
    private int tokens = 32;
    private int rounds = 5;
    private int reps = 3;
    private int warmup = 3;
    private int ctx = 512;
    private String cache = "off";
    private int prefixTokens = 1000;
    private int floorPrefixTokens = 400;
    private int stallPrompt = 2000;
    private int streams = 7;
    private int[] occupy = {0, 1024, 4096};
    private float temperature = 0.8f;
    private List<String> sampling = List.of("greedy", "sampled");
    private Set<String> sections = new LinkedHashSet<>(List.of("throughput"));

    private BatchedComparison() {
    }

    /**
     * @param args {@code --model PATH} (repeatable) {@code [--native PATH] [--native-library DIR] [--threads 2]
     *     [--parallel 8,16] [--tokens 32] [--rounds 5] [--reps 3] [--warmup 3] [--ctx 512] [--cache off|on|both]
     *     [--sections throughput,occupancy,prefix-floor,ttft,chat,stall] [--text PATH] [--prefix-tokens 1000]
     *     [--floor-prefix-tokens 400] [--stall-prompt 2000] [--streams 7] [--occupy 0,1024,4096] [--temp 0.8]
     *     [--sampling greedy,sampled]}; with {@code --native-library} (a current
     *     llama.cpp folder) use {@code native/build/batched_loop_current} as {@code --native}
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        BatchedComparison b = new BatchedComparison();
        b.parse(args);
        b.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--model" -> models.add(Path.of(v));
                case "--native" -> nativeLoop = Path.of(v);
                case "--native-library" -> nativeLibrary = Path.of(v);
                case "--text" -> text = Path.of(v);
                case "--threads" -> threads = positive(a, v);
                case "--parallel" -> parallels = Arrays.stream(v.split(",")).mapToInt(s -> positive(a, s.trim())).toArray();
                case "--tokens" -> tokens = positive(a, v);
                case "--rounds" -> rounds = positive(a, v);
                case "--reps" -> reps = positive(a, v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--ctx" -> ctx = positive(a, v);
                case "--cache" -> cache = v;
                case "--prefix-tokens" -> prefixTokens = positive(a, v);
                case "--floor-prefix-tokens" -> floorPrefixTokens = positive(a, v);
                case "--stall-prompt" -> stallPrompt = positive(a, v);
                case "--streams" -> streams = positive(a, v);
                case "--occupy" -> occupy = Arrays.stream(v.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
                case "--sections" -> sections = new LinkedHashSet<>(Arrays.asList(v.split(",")));
                case "--temp" -> temperature = Float.parseFloat(v);
                case "--sampling" -> sampling = Arrays.asList(v.split(","));
                default -> throw new IllegalArgumentException("unknown argument " + a + "; use --model --native --native-library "
                        + "--threads --parallel --tokens --rounds --reps --warmup --ctx --cache --sections --text --prefix-tokens "
                        + "--floor-prefix-tokens --stall-prompt --streams --occupy --temp --sampling");
            }
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("need at least one --model");
        }
        for (String s : sections) {
            if (!SECTIONS.contains(s)) {
                throw new IllegalArgumentException("--sections: unknown section " + s + "; use " + SECTIONS);
            }
        }
        for (String s : sampling) {
            if (!Set.of("greedy", "sampled").contains(s)) {
                throw new IllegalArgumentException("--sampling must list greedy and/or sampled, was " + String.join(",", sampling));
            }
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--temp must be > 0, was " + temperature);
        }
        if (!Set.of("off", "on", "both").contains(cache)) {
            throw new IllegalArgumentException("--cache must be off, on or both, was " + cache);
        }
        for (Path m : models) {
            if (!Files.isRegularFile(m)) {
                throw new IllegalArgumentException("--model " + m + " is not a file");
            }
        }
        boolean needsC = sections.contains("throughput") || sections.contains("steps") || sections.contains("prefix-floor") || sections.contains("occupancy");
        if (needsC && !Files.isExecutable(nativeLoop)) {
            throw new IllegalArgumentException("--native " + nativeLoop + " is not executable (build it with: make -C native)");
        }
    }

    private static int positive(String flag, String v) {
        int n = Integer.parseInt(v);
        if (n < 1) {
            throw new IllegalArgumentException(flag + " must be >= 1, was " + n);
        }
        return n;
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "Continuous batching: FFM engine vs C | library %s | %d threads | load average %s%n%n",
                FfmBackend.describeLibrary(nativeLibrary), threads, DecodeComparison.loadAverage());
        for (String s : sections) {
            switch (s) {
                case "throughput" -> throughput();
                case "steps" -> steps();
                case "occupancy" -> occupancy();
                case "prefix-floor" -> prefixFloor();
                case "ttft" -> ttft();
                case "chat" -> chat();
                case "stall" -> stall();
                default -> throw new AssertionError(s);
            }
            System.out.printf(Locale.ROOT, "(load average %s)%n%n", DecodeComparison.loadAverage());
        }
    }

    private LanguageModel open(Path model, int parallel, int contextSize, boolean prefixCache) {
        AutoGLM.Builder b = AutoGLM.builder().model(model).threads(threads).contextSize(contextSize).batchSize(512).ubatchSize(512)
                .parallel(parallel).prefixCache(prefixCache).embeddings(false);
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        return b.build();
    }

    // ------------------------------------------------------------------------------------ throughput

    private void throughput() throws Exception {
        List<Boolean> caches = switch (cache) {
            case "on" -> List.of(true);
            case "both" -> List.of(false, true);
            default -> List.of(false);
        };
        System.out.printf(Locale.ROOT, "### Aggregate decode tok/s: N concurrent requests vs one after another (%d tokens each, "
                + "%d rounds x %d reps, context %d per sequence)%n%n", tokens, rounds, reps, ctx);
        System.out.println("| model | N | prefix cache | C batched | C one by one | C speedup | FFM batched | FFM one by one "
                + "| FFM speedup | FFM/C batched: ratio of medians | round ratios median (quartiles) | speedup FFM/C "
                + "| FFM late start ms | ids FFM = C (batched, one by one) | cells of cached prefixes "
                + "| CPU tok/s batched C / FFM | FFM/C by CPU time: batched, one by one |");
        System.out.println("|---|---:|:-:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|:-:|---:|---|---|");
        Path promptsFile = Files.createTempFile("autoglm-bench-prompts", ".txt");
        Files.writeString(promptsFile, String.join("\n", PROMPTS) + "\n");
        try {
            for (Path model : models) {
                for (int n : parallels) {
                    for (boolean c : caches) {
                        throughputRow(model, n, c, promptsFile);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(promptsFile);
        }
        System.out.println();
    }

    private void throughputRow(Path model, int n, boolean prefixCache, Path promptsFile) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (LanguageModel m = open(model, n, ctx, prefixCache)) {
            List<CompletionRequest> requests = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] p = m.tokenize(PROMPTS.get(i % PROMPTS.size()), true, false);
                requests.add(CompletionRequest.builder().promptTokens(p).maxTokens(tokens).ignoreEos(true).build());
            }
            for (int w = 0; w < warmup; w++) {
                batched(m, requests, pool);
                oneByOne(m, requests);
            }
            double[] cb = new double[rounds];
            double[] cs = new double[rounds];
            double[] fb = new double[rounds];
            double[] fs = new double[rounds];
            double[] late = new double[rounds];
            double[] ccb = new double[rounds];
            double[] ccs = new double[rounds];
            double[] fcb = new double[rounds];
            double[] fcs = new double[rounds];
            int sameBatched = 0;
            int sameOne = 0;
            for (int r = 0; r < rounds; r++) {
                NativeThroughput c = r % 2 == 0 ? runNativeThroughput(model, n, promptsFile) : null;
                double[] b = new double[reps];
                double[] s = new double[reps];
                double[] l = new double[reps];
                double[] bc = new double[reps];
                double[] sc = new double[reps];
                Batched lastB = null;
                OneByOne lastS = null;
                for (int k = 0; k < reps; k++) {
                    if ((k + r) % 2 == 0) {
                        lastB = batched(m, requests, pool);
                        lastS = oneByOne(m, requests);
                    } else {
                        lastS = oneByOne(m, requests);
                        lastB = batched(m, requests, pool);
                    }
                    b[k] = lastB.aggregate;
                    s[k] = lastS.aggregate;
                    l[k] = lastB.lateStartMillis;
                    bc[k] = lastB.cpuRate;
                    sc[k] = lastS.cpuRate;
                }
                if (c == null) {
                    c = runNativeThroughput(model, n, promptsFile);
                }
                cb[r] = c.batched;
                cs[r] = c.sequential;
                fb[r] = DecodeComparison.median(b);
                fs[r] = DecodeComparison.median(s);
                late[r] = DecodeComparison.median(l);
                ccb[r] = c.batchedCpu;
                ccs[r] = c.sequentialCpu;
                fcb[r] = DecodeComparison.median(bc);
                fcs[r] = DecodeComparison.median(sc);
                if (r == rounds - 1) {
                    sameBatched = same(lastB.ids, c.batchedIds);
                    sameOne = same(lastS.ids, c.sequentialIds);
                }
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = fb[r] / cb[r];
            }
            double[] q = DecodeComparison.quartiles(ratios);
            double cbm = DecodeComparison.median(cb);
            double csm = DecodeComparison.median(cs);
            double fbm = DecodeComparison.median(fb);
            double fsm = DecodeComparison.median(fs);
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.1f | %,.1f | %.2fx | %,.1f | %,.1f | %.2fx | %.3f | %.3f (%.3f-%.3f) | %.3f "
                            + "| %.1f | %d/%d, %d/%d | %d | %,.0f / %,.0f | %.3f, %.3f |%n",
                    model.getFileName(), n, prefixCache ? "on" : "off", cbm, csm, cbm / csm, fbm, fsm, fbm / fsm, fbm / cbm, q[1], q[0], q[2],
                    (fbm / fsm) / (cbm / csm), DecodeComparison.median(late), sameBatched, n, sameOne, n, m.stats().prefixCacheCells(),
                    DecodeComparison.median(ccb), DecodeComparison.median(fcb), DecodeComparison.median(fcb) / DecodeComparison.median(ccb),
                    DecodeComparison.median(fcs) / DecodeComparison.median(ccs));
        } finally {
            pool.shutdownNow();
        }
    }

    private static int same(List<int[]> a, List<int[]> b) {
        int same = 0;
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            same += Arrays.equals(a.get(i), b.get(i)) ? 1 : 0;
        }
        return same;
    }

    /**
     * @param aggregate generated tokens after each request's first, over the time from the earliest first token to
     *     the latest last token (tok/s)
     * @param lateStartMillis how much later the last request's first token came than the first one's
     * @param ids each request's tokens
     * @param cpuRate all generated tokens over the process CPU time of the whole call (prefill included)
     */
    private record Batched(double aggregate, double lateStartMillis, List<int[]> ids, double cpuRate) {
    }

    /** N concurrent complete() calls released together. */
    private static Batched batched(LanguageModel m, List<CompletionRequest> requests, ExecutorService pool) throws Exception {
        int n = requests.size();
        CyclicBarrier start = new CyclicBarrier(n);
        List<Future<double[]>> timings = new ArrayList<>();
        long cpu0 = processCpuNanos();
        Completion[] out = new Completion[n]; // each slot written by one task, read after its Future.get
        for (int i = 0; i < n; i++) {
            int index = i;
            timings.add(pool.submit(() -> {
                start.await();
                long t0 = System.nanoTime();
                Completion c = m.complete(requests.get(index));
                out[index] = c;
                double first = t0 / 1e6 + c.timings().queueMillis() + c.timings().promptMillis();
                return new double[] {first, first + c.timings().decodeMillis(), c.timings().decodeTokens()};
            }));
        }
        double minFirst = Double.MAX_VALUE;
        double maxFirst = 0;
        double maxEnd = 0;
        double decoded = 0;
        for (Future<double[]> f : timings) {
            double[] t = f.get();
            minFirst = Math.min(minFirst, t[0]);
            maxFirst = Math.max(maxFirst, t[0]);
            maxEnd = Math.max(maxEnd, t[1]);
            decoded += t[2];
        }
        long cpu = processCpuNanos() - cpu0;
        List<int[]> ids = new ArrayList<>();
        int generated = 0;
        for (Completion c : out) {
            ids.add(c.tokens());
            generated += c.tokens().length;
        }
        return new Batched(decoded * 1000 / (maxEnd - minFirst), maxFirst - minFirst, ids, generated * 1e9 / cpu);
    }

    private record OneByOne(double aggregate, List<int[]> ids, double cpuRate) {
    }

    /** The same requests one after another. */
    private static OneByOne oneByOne(LanguageModel m, List<CompletionRequest> requests) {
        double decoded = 0;
        double millis = 0;
        List<int[]> ids = new ArrayList<>();
        int generated = 0;
        long cpu0 = processCpuNanos();
        for (CompletionRequest r : requests) {
            Completion c = m.complete(r);
            decoded += c.timings().decodeTokens();
            millis += c.timings().decodeMillis();
            ids.add(c.tokens());
            generated += c.tokens().length;
        }
        return new OneByOne(decoded * 1000 / millis, ids, generated * 1e9 / (processCpuNanos() - cpu0));
    }

    /**
     * CPU time of this JVM's threads (the decode thread and the native workers it drives, callers, GC) except the JIT
     * compilers, whose work is a one-time warm-up cost: the sum of the threads' {@code /proc/self/task/T/schedstat}
     * (nanoseconds; the JDK's process CPU time counts in 10 ms ticks). Elsewhere the process CPU time.
     */
    static long processCpuNanos() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
        long sum = 0;
        for (java.io.File t : tasks) {
            try {
                if (Files.readString(t.toPath().resolve("comm")).contains("CompilerThre")) {
                    continue; // "C1 CompilerThre", "C2 CompilerThre" (names cut at 15 characters)
                }
                sum += Long.parseLong(Files.readString(t.toPath().resolve("schedstat")).split(" ")[0]);
            } catch (IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return sum;
    }

    private record NativeThroughput(double batched, double sequential, List<int[]> batchedIds, List<int[]> sequentialIds,
            double batchedCpu, double sequentialCpu) {
    }

    private NativeThroughput runNativeThroughput(Path model, int n, Path promptsFile) throws IOException, InterruptedException {
        List<String> out = runNative(model, Integer.toString(n), "--mode", "both", "--ctx", Integer.toString(ctx),
                "--prompts", promptsFile.toString());
        double b = Double.NaN;
        double s = Double.NaN;
        double bc = Double.NaN;
        double sc = Double.NaN;
        List<int[]> bi = new ArrayList<>();
        List<int[]> si = new ArrayList<>();
        for (String line : out) {
            if (line.startsWith("batched_median_tok_s=")) {
                b = Double.parseDouble(value(line));
            } else if (line.startsWith("sequential_median_tok_s=")) {
                s = Double.parseDouble(value(line));
            } else if (line.startsWith("batched_median_run_cpu_tok_s=")) {
                bc = Double.parseDouble(value(line));
            } else if (line.startsWith("sequential_median_run_cpu_tok_s=")) {
                sc = Double.parseDouble(value(line));
            } else if (line.startsWith("batched_ids[")) {
                bi.add(ids(value(line)));
            } else if (line.startsWith("sequential_ids[")) {
                si.add(ids(value(line)));
            }
        }
        if (Double.isNaN(b) || Double.isNaN(s)) {
            throw new IllegalStateException(nativeLoop + " printed no medians: " + String.join("\n", out));
        }
        return new NativeThroughput(b, s, bi, si, bc, sc);
    }

    private List<String> runNative(Path model, String sequences, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(nativeLoop.toString(), model.toString(), Integer.toString(threads), sequences,
                Integer.toString(tokens), Integer.toString(reps)));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (nativeLibrary != null) {
            pb.environment().put("AUTOGLM_NATIVE_LIBRARY", nativeLibrary.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out.lines().toList();
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1).trim();
    }

    private static int[] ids(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    // ----------------------------------------------------------------------------------------- steps

    /**
     * Where the engine stands against the C floor per decode step: for each model, N of {@code --parallel} and
     * sampling ({@code --sampling greedy,sampled}), rounds alternate between the C loop ({@code batched_loop --mode
     * batched}, with {@code --temp} for sampled) and the engine (N concurrent {@code complete()} calls, prefix cache
     * off). Sampled requests use {@link SamplingParams}' defaults at temperature {@code --temp}, request i seeded with
     * 42 + i, and the C loop builds the same chain with the same seeds, so both sides do the same work and, decoding
     * being batch-invariant on small models, produce the same ids.
     *
     * <p>Per step: the engine's wall time per decode step is its decode window (first request's first token to last
     * request's last token) over {@code tokens - 1} steps; the C loop's step time, and the part of it inside
     * {@code llama_decode} and in sampling, are timed around each call. The engine's per-step overhead is its step
     * time minus the C loop's {@code llama_decode} time of the same batch shape (same library, threads, context
     * settings, measured in the same round): everything the engine does around the native decode, sampling
     * included. CPU time per step (all tokens over the process CPU time of the whole run, divided by N) is printed
     * for both sides too, and their difference (the engine's overhead in CPU time): with one thread it is the work
     * done, little disturbed by other load on the machine.
     */
    private void steps() throws Exception {
        System.out.printf(Locale.ROOT, "### Per decode step: engine vs the C floor (%d tokens per sequence, %d rounds x %d reps, "
                + "context %d per sequence, prefix cache off, sampled = temperature %.2f, top-k 40, top-p 0.95, min-p 0.05)%n%n",
                tokens, rounds, reps, ctx, temperature);
        System.out.println("| model | N | sampling | C tok/s | FFM tok/s | FFM/C (round ratios: median, quartiles) | C step ms "
                + "| C llama_decode ms/step | C sampling ms/step | FFM step ms | FFM overhead ms/step (FFM step - C llama_decode) "
                + "| FFM decode calls/step | CPU ms/step C / FFM | FFM CPU overhead ms/step | FFM/C by CPU time | ids FFM = C |");
        System.out.println("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|:-:|");
        Path promptsFile = Files.createTempFile("autoglm-bench-prompts", ".txt");
        Files.writeString(promptsFile, String.join("\n", PROMPTS) + "\n");
        try {
            for (Path model : models) {
                for (int n : parallels) {
                    for (String s : sampling) {
                        stepsRow(model, n, s.equals("sampled"), promptsFile);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(promptsFile);
        }
        System.out.println();
    }

    private void stepsRow(Path model, int n, boolean sampled, Path promptsFile) throws Exception {
        if (tokens < 2) {
            throw new IllegalArgumentException("--tokens must be >= 2 for the steps section, was " + tokens);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (LanguageModel m = open(model, n, ctx, false)) {
            List<CompletionRequest> requests = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] p = m.tokenize(PROMPTS.get(i % PROMPTS.size()), true, false);
                SamplingParams sp = sampled ? SamplingParams.builder().temperature(temperature).seed(42 + i).build() : SamplingParams.greedy();
                requests.add(CompletionRequest.builder().promptTokens(p).maxTokens(tokens).ignoreEos(true).sampling(sp).build());
            }
            for (int w = 0; w < warmup; w++) {
                batched(m, requests, pool);
            }
            int steps = tokens - 1;
            double[] cRate = new double[rounds];
            double[] fRate = new double[rounds];
            double[] cStep = new double[rounds];
            double[] cDecode = new double[rounds];
            double[] cSample = new double[rounds];
            double[] fStep = new double[rounds];
            double[] fCalls = new double[rounds];
            double[] cCpu = new double[rounds];
            double[] fCpu = new double[rounds];
            int same = 0;
            for (int r = 0; r < rounds; r++) {
                NativeSteps c = r % 2 == 0 ? runNativeSteps(model, n, sampled, promptsFile) : null;
                double[] rate = new double[reps];
                double[] calls = new double[reps];
                double[] cpu = new double[reps];
                Batched last = null;
                for (int k = 0; k < reps; k++) {
                    long calls0 = m.stats().decodeCalls();
                    last = batched(m, requests, pool);
                    calls[k] = (double) (m.stats().decodeCalls() - calls0) / steps;
                    rate[k] = last.aggregate;
                    cpu[k] = n * 1000 / last.cpuRate;
                }
                if (c == null) {
                    c = runNativeSteps(model, n, sampled, promptsFile);
                }
                cRate[r] = c.rate;
                cStep[r] = c.stepMillis;
                cDecode[r] = c.decodeMillis;
                cSample[r] = c.sampleMillis;
                cCpu[r] = n * 1000 / c.runCpuRate;
                fRate[r] = DecodeComparison.median(rate);
                // the window holds tokens - 1 steps of every request (more when a request started late)
                fStep[r] = n * 1000.0 / fRate[r];
                fCalls[r] = DecodeComparison.median(calls);
                fCpu[r] = DecodeComparison.median(cpu);
                if (r == rounds - 1) {
                    same = same(last.ids, c.ids);
                }
            }
            double[] ratios = new double[rounds];
            double[] overhead = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = fRate[r] / cRate[r];
                overhead[r] = fStep[r] - cDecode[r];
            }
            double[] q = DecodeComparison.quartiles(ratios);
            double cpuC = DecodeComparison.median(cCpu);
            double cpuF = DecodeComparison.median(fCpu);
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.1f | %,.1f | %.3f (%.3f-%.3f) | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f "
                            + "| %.3f / %.3f | %.3f | %.3f | %d/%d |%n",
                    model.getFileName(), n, sampled ? "sampled" : "greedy", DecodeComparison.median(cRate), DecodeComparison.median(fRate),
                    q[1], q[0], q[2], DecodeComparison.median(cStep), DecodeComparison.median(cDecode), DecodeComparison.median(cSample),
                    DecodeComparison.median(fStep), DecodeComparison.median(overhead), DecodeComparison.median(fCalls), cpuC, cpuF,
                    cpuF - cpuC, cpuC / cpuF, same, n);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The C loop's batched run: medians over its reps. */
    private record NativeSteps(double rate, double stepMillis, double decodeMillis, double sampleMillis, double runCpuRate,
            List<int[]> ids) {
    }

    private NativeSteps runNativeSteps(Path model, int n, boolean sampled, Path promptsFile) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("--mode", "batched", "--ctx", Integer.toString(ctx), "--prompts",
                promptsFile.toString()));
        if (sampled) {
            options.addAll(List.of("--temp", Float.toString(temperature), "--seed", "42"));
        }
        List<String> out = runNative(model, Integer.toString(n), options.toArray(new String[0]));
        double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String[] keys = {"batched_median_tok_s=", "batched_median_step_ms=", "batched_median_step_decode_ms=",
            "batched_median_step_sample_ms=", "batched_median_run_cpu_tok_s="};
        List<int[]> ids = new ArrayList<>();
        for (String line : out) {
            for (int i = 0; i < keys.length; i++) {
                if (line.startsWith(keys[i])) {
                    v[i] = Double.parseDouble(value(line));
                }
            }
            if (line.startsWith("batched_ids[")) {
                ids.add(ids(value(line)));
            }
        }
        for (int i = 0; i < keys.length; i++) {
            if (Double.isNaN(v[i])) {
                throw new IllegalStateException(nativeLoop + " printed no " + keys[i] + " (built before the per-step timings? "
                        + "run make -C native): " + String.join("\n", out));
            }
        }
        return new NativeSteps(v[0], v[1], v[2], v[3], v[4], ids);
    }

    // ------------------------------------------------------------------------------------- occupancy

    /**
     * What resident cached prefixes cost every decode step, on the C floor: {@code batched_loop --occupy CELLS} fills
     * that many cells with an idle sequence before each run; llama.cpp attends over every cell up to the highest one
     * in use (masking the others), so the engine's prefix cache pays this for the cells it keeps.
     */
    private void occupancy() throws Exception {
        System.out.printf(Locale.ROOT, "### C floor: decode tok/s with cells held by an idle sequence (as cached prefixes), "
                + "%d tokens, %d reps%n%n", tokens, reps);
        StringBuilder head = new StringBuilder("| model | sequences |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (int o : occupy) {
            head.append(" ").append(o).append(" cells held |");
            rule.append("---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        Path promptsFile = Files.createTempFile("autoglm-bench-prompts", ".txt");
        Files.writeString(promptsFile, String.join("\n", PROMPTS) + "\n");
        try {
            for (Path model : models) {
                for (int n : parallels) {
                    StringBuilder row = new StringBuilder("| " + model.getFileName() + " | " + n + " |");
                    double base = Double.NaN;
                    for (int o : occupy) {
                        double rate = Double.NaN;
                        for (String line : runNative(model, Integer.toString(n), "--mode", "batched", "--ctx", Integer.toString(ctx),
                                "--occupy", Integer.toString(o), "--prompts", promptsFile.toString())) {
                            if (line.startsWith("batched_median_tok_s=")) {
                                rate = Double.parseDouble(value(line));
                            }
                        }
                        if (Double.isNaN(base)) {
                            base = rate;
                        }
                        row.append(String.format(Locale.ROOT, " %,.1f (%.2fx) |", rate, rate / base));
                    }
                    System.out.println(row);
                }
            }
        } finally {
            Files.deleteIfExists(promptsFile);
        }
        System.out.println();
    }

    // ---------------------------------------------------------------------------------- prefix floor

    private void prefixFloor() throws Exception {
        System.out.printf(Locale.ROOT, "### C floor: a %d-token prefix shared by seq_cp with 4 sequences vs each prefilling it "
                + "(%d reps, time to every sequence's first token)%n%n", floorPrefixTokens, reps);
        System.out.println("| model | shared (decoded once + seq_cp) s | separate s | shared/separate | same ids |");
        System.out.println("|---|---:|---:|---:|:-:|");
        for (Path model : models) {
            List<String> out = runNative(model, "4", "--mode", "prefix", "--ctx", Integer.toString(floorPrefixTokens + 112),
                    "--prefix-tokens", Integer.toString(floorPrefixTokens), "--prefix-file", text.toString());
            String shared = "?";
            String separate = "?";
            String ratio = "?";
            String same = "?";
            for (String line : out) {
                if (line.startsWith("prefix_shared_median_s=")) {
                    shared = value(line);
                } else if (line.startsWith("prefix_separate_median_s=")) {
                    separate = value(line);
                } else if (line.startsWith("prefix_ratio=")) {
                    ratio = value(line);
                } else if (line.startsWith("same_ids=")) {
                    same = value(line);
                }
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", model.getFileName(), shared, separate, ratio, same);
        }
        System.out.println();
    }

    // ----------------------------------------------------------------------------------------- ttft

    private int[] textTokens(LanguageModel m, int atLeast) throws IOException {
        String all = Files.readString(text);
        int chars = Math.min(all.length(), 16 * atLeast + 1024);
        int[] t = m.tokenize(all.substring(0, chars), false, false);
        while (t.length < atLeast && chars < all.length()) {
            chars = Math.min(all.length(), chars * 2);
            t = m.tokenize(all.substring(0, chars), false, false);
        }
        if (t.length < atLeast) {
            throw new IllegalArgumentException("--text " + text + " has only " + t.length + " tokens, need " + atLeast);
        }
        return t;
    }

    /** BOS (when the model adds one) + tokens[from, from + length - 1) + tail */
    private static int[] prompt(LanguageModel m, int[] textTokens, int from, int length, int[] tail) {
        int[] bos = m.tokenize("", true, false);
        int body = length - bos.length;
        int[] p = new int[length + tail.length];
        System.arraycopy(bos, 0, p, 0, bos.length);
        System.arraycopy(textTokens, from, p, bos.length, body);
        System.arraycopy(tail, 0, p, length, tail.length);
        return p;
    }

    private void ttft() throws Exception {
        System.out.printf(Locale.ROOT, "### Time to first token: %d prompt tokens cached vs cold (a %d + ~6-token prompt, "
                + "%d reps after %d warm-up)%n%n", prefixTokens, prefixTokens, reps * rounds, warmup);
        System.out.println("| model | cold ms (median) | cached ms (median) | cached/cold median (quartiles) | cached tokens "
                + "| cold prompt tok/s | target <= 0.1 |");
        System.out.println("|---|---:|---:|---|---:|---:|:-:|");
        int contextSize = (prefixTokens + 64 + 31) / 32 * 32;
        for (Path model : models) {
            try (LanguageModel m = open(model, 2, contextSize, true)) {
                int n = warmup + reps * rounds;
                int[] t = textTokens(m, n * prefixTokens);
                int[] tailA = m.tokenize(" Who is the hero?", false, false);
                int[] tailB = m.tokenize(" Where does it happen?", false, false);
                double[] cold = new double[reps * rounds];
                double[] warm = new double[reps * rounds];
                double[] ratio = new double[reps * rounds];
                double[] rate = new double[reps * rounds];
                int cached = Integer.MAX_VALUE;
                for (int k = 0; k < n; k++) {
                    int from = k * (prefixTokens - 1);
                    Completion c = m.complete(CompletionRequest.builder().promptTokens(prompt(m, t, from, prefixTokens, tailA))
                            .maxTokens(2).ignoreEos(true).build());
                    Completion w = m.complete(CompletionRequest.builder().promptTokens(prompt(m, t, from, prefixTokens, tailB))
                            .maxTokens(2).ignoreEos(true).build());
                    if (k >= warmup) {
                        int i = k - warmup;
                        cold[i] = c.timings().promptMillis();
                        warm[i] = w.timings().promptMillis();
                        ratio[i] = warm[i] / cold[i];
                        rate[i] = c.usage().evaluatedPromptTokens() * 1000.0 / cold[i];
                        cached = Math.min(cached, w.usage().cachedPromptTokens());
                    }
                }
                double[] q = DecodeComparison.quartiles(ratio);
                System.out.printf(Locale.ROOT, "| %s | %,.1f | %,.1f | %.3f (%.3f-%.3f) | %d | %,.0f | %s |%n", model.getFileName(),
                        DecodeComparison.median(cold), DecodeComparison.median(warm), q[1], q[0], q[2], cached,
                        DecodeComparison.median(rate), q[1] <= 0.1 ? "yes" : "NO");
            }
        }
        System.out.println();
    }

    // ----------------------------------------------------------------------------------------- chat

    private void chat() {
        System.out.println("### A 4-turn chat (chatml, 24-token replies): prompt tokens evaluated per turn");
        System.out.println();
        System.out.println("| model | turn | prompt tokens | cached | evaluated | new since the last turn's prompt + reply "
                + "| time to first token ms | only new tokens evaluated |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|:-:|");
        String[] turns = {"Tell me about a cat.", "What did the cat eat?", "Where did it sleep?", "How did the story end?"};
        for (Path model : models) {
            try (LanguageModel m = open(model, 2, 1024, true)) {
                List<ChatMessage> history = new ArrayList<>();
                history.add(ChatMessage.system("You tell short stories."));
                int[] held = new int[0];
                for (int t = 0; t < turns.length; t++) {
                    history.add(ChatMessage.user(turns[t]));
                    int[] prompt = m.tokenize(m.applyChatTemplate(history, "chatml", true));
                    ChatResponse r = m.chat(ChatRequest.builder().messages(history).chatTemplate("chatml").maxTokens(24).build());
                    int common = 0;
                    while (common < Math.min(prompt.length, held.length) && prompt[common] == held[common]) {
                        common++;
                    }
                    int reusable = t == 0 ? 0 : Math.min(common, prompt.length - 1);
                    int fresh = prompt.length - reusable;
                    boolean ok = r.usage().promptTokens() == prompt.length && r.usage().evaluatedPromptTokens() == fresh;
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.1f | %s |%n", model.getFileName(), t + 1,
                            r.usage().promptTokens(), r.usage().cachedPromptTokens(), r.usage().evaluatedPromptTokens(), fresh,
                            r.completion().timings().promptMillis(), t == 0 ? "-" : ok ? "yes" : "NO");
                    // a reply cut by maxTokens ends with a token that was sampled but never decoded
                    int[] reply = r.completion().tokens();
                    int decoded = r.finishReason() == FinishReason.LENGTH ? reply.length - 1 : reply.length;
                    held = Arrays.copyOf(prompt, prompt.length + decoded);
                    System.arraycopy(reply, 0, held, prompt.length, decoded);
                    history.add(ChatMessage.assistant(r.text()));
                }
            }
        }
        System.out.println();
    }

    // ---------------------------------------------------------------------------------------- stall

    private void stall() throws Exception {
        System.out.printf(Locale.ROOT, "### Chunked prefill: %d streams generate, a %d-token prompt arrives (%d reps; gaps timed "
                + "where the caller reads the tokens)%n%n", streams, stallPrompt, rounds);
        System.out.println("| model | rep | long prompt: time to first token ms | stream gap before ms (median of streams) "
                + "| during/before (median) | worst max gap / median before | target <= 3 | worst max gap / the stream's median |");
        System.out.println("|---|---:|---:|---:|---:|---:|:-:|---:|");
        int contextSize = (stallPrompt + 304 + 31) / 32 * 32;
        for (Path model : models) {
            ExecutorService pool = Executors.newFixedThreadPool(streams);
            try (LanguageModel m = open(model, streams + 1, contextSize, true)) {
                int[] t = textTokens(m, (warmup + rounds) * stallPrompt);
                for (int rep = 0; rep < warmup + rounds; rep++) {
                    StallRun s = stallOnce(m, pool, prompt(m, t, rep * (stallPrompt - 1), stallPrompt, new int[0]), contextSize);
                    if (rep >= warmup) {
                        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %.2f | %s | %.2f |%n", model.getFileName(),
                                rep - warmup + 1, s.longTtft, s.medianBefore, s.duringOverBefore, s.worst, s.worst <= 3 ? "yes" : "NO",
                                s.worstOverOwn);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        System.out.println();
    }

    private record StallRun(double longTtft, double medianBefore, double duringOverBefore, double worst, double worstOverOwn) {
    }

    private StallRun stallOnce(LanguageModel m, ExecutorService pool, int[] longPrompt, int contextSize) throws Exception {
        int before = 16;
        List<TokenStream> open = new ArrayList<>();
        List<long[]> arrivals = new ArrayList<>();
        List<Future<Integer>> readers = new ArrayList<>();
        java.util.concurrent.CountDownLatch warmed = new java.util.concurrent.CountDownLatch(streams);
        int maxTokens = contextSize - 32;
        for (int i = 0; i < streams; i++) {
            int[] p = m.tokenize(PROMPTS.get(i % PROMPTS.size()), true, false);
            TokenStream s = m.stream(CompletionRequest.builder().promptTokens(p).maxTokens(maxTokens).ignoreEos(true).build());
            long[] at = new long[maxTokens + 1];
            open.add(s);
            arrivals.add(at);
            readers.add(pool.submit(() -> {
                int n = 0;
                while (s.hasNext()) {
                    if (s.next().token() < 0) {
                        continue; // the closing text chunk
                    }
                    at[n++] = System.nanoTime();
                    if (n == before) {
                        warmed.countDown();
                    }
                }
                return n;
            }));
        }
        warmed.await();
        long arrival = System.nanoTime();
        Completion c = m.complete(CompletionRequest.builder().promptTokens(longPrompt).maxTokens(4).ignoreEos(true).build());
        long firstOfLong = arrival + (long) ((c.timings().queueMillis() + c.timings().promptMillis()) * 1e6);
        Thread.sleep(50); // a few more gaps after the prefill
        for (TokenStream s : open) {
            s.cancel();
        }
        double[] medians = new double[streams];
        double[] during = new double[streams];
        double worst = 0;
        double worstOverOwn = 0;
        for (int i = 0; i < streams; i++) {
            int n = readers.get(i).get();
            open.get(i).close();
            long[] at = arrivals.get(i);
            List<Double> gapsBefore = new ArrayList<>();
            List<Double> gapsDuring = new ArrayList<>();
            double[] all = new double[Math.max(0, n - 1)];
            double maxAfter = 0;
            for (int k = 1; k < n; k++) {
                double gap = (at[k] - at[k - 1]) / 1e6;
                all[k - 1] = gap;
                if (at[k] <= arrival) {
                    gapsBefore.add(gap);
                } else {
                    maxAfter = Math.max(maxAfter, gap);
                    if (at[k] <= firstOfLong) {
                        gapsDuring.add(gap);
                    }
                }
            }
            double med = DecodeComparison.median(gapsBefore.stream().mapToDouble(Double::doubleValue).toArray());
            medians[i] = med;
            during[i] = gapsDuring.isEmpty() ? Double.NaN
                    : DecodeComparison.median(gapsDuring.stream().mapToDouble(Double::doubleValue).toArray()) / med;
            worst = Math.max(worst, maxAfter / med);
            worstOverOwn = Math.max(worstOverOwn, maxAfter / DecodeComparison.median(all));
        }
        return new StallRun(c.timings().promptMillis(), DecodeComparison.median(medians), DecodeComparison.median(during), worst,
                worstOverOwn);
    }
}
