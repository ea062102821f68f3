package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench}: loads a model once, warms it up, and measures serving at each concurrency of
 * {@code --parallel} (the model is built with {@code parallel} = the largest): each rep starts that many
 * streaming requests at once, every one with its own prompt of {@code --prompt-tokens} tokens (after a
 * {@code --prefix-tokens} prefix that all requests share, when given) and {@code --max-tokens} generated
 * tokens (end-of-generation ignored). Reported per concurrency: aggregate generated tok/s (median and range
 * over reps), prompt tok/s, time to first token and inter-token gap (p50/p99, as the caller sees them) and
 * the prompt tokens reused from the prefix cache. Progress (warm-up and timed reps) goes to stderr as for the other long
 * commands ({@link Progress}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure generation speed at several concurrencies (one load, warm-up, then timed reps).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--parallel", paramLabel = "N[,N...]", defaultValue = "1",
            description = "concurrent requests per rep, comma-separated, each 1..64 (default 1); the model decodes the largest together")
    String parallel;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "32", description = "prompt tokens of each request (default 32)")
    int promptTokens;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128", description = "tokens each request generates (default 128)")
    int maxTokens;

    @Option(names = "--prefix-tokens", paramLabel = "N", defaultValue = "0",
            description = "a prefix of N tokens shared by all requests, before their own prompt tokens (default 0)")
    int prefixTokens;

    @Option(names = "--reps", paramLabel = "N", defaultValue = "5", description = "timed reps per concurrency (default 5)")
    int reps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "untimed reps first, per concurrency (default 2)")
    int warmup;

    /** Words of the synthetic prompt text (any text would do; the tokens matter, not the sense). */
    private static final String[] WORDS = {"the", "a", "little", "cat", "dog", "bird", "tree", "house", "river", "sun", "moon",
        "girl", "boy", "mother", "friend", "king", "garden", "ball", "book", "road", "saw", "found", "wanted", "played", "ran",
        "walked", "looked", "liked", "said", "was", "had", "big", "small", "red", "green", "happy", "old", "new", "and", "but",
        "then", "with", "in", "on", "under", "near", "every", "day", "night", "morning"};

    @Override
    public Integer call() throws Exception {
        int[] levels = validate();
        int top = Arrays.stream(levels).max().orElseThrow();
        if (modelOptions.ctx != null && modelOptions.ctx > 0 && prefixTokens + promptTokens + maxTokens > modelOptions.ctx) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefix-tokens + --prompt-tokens + --max-tokens ("
                    + (prefixTokens + promptTokens + maxTokens) + ") must fit --ctx " + modelOptions.ctx);
        }
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        var builder = modelOptions.builder(null).parallel(top).embeddings(false);
        if (modelOptions.ctx == null) {
            builder.contextSize((prefixTokens + promptTokens + maxTokens + 1 + 31) / 32 * 32);
        }
        try (LanguageModel model = builder.build()) {
            double loadMillis = (System.nanoTime() - t0) / 1e6;
            int context = model.info().contextSize();
            if (prefixTokens + promptTokens + maxTokens > context) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--prefix-tokens + --prompt-tokens + --max-tokens ("
                        + (prefixTokens + promptTokens + maxTokens) + ") must fit the context of " + context + " tokens (--ctx)");
            }
            Prompts prompts = new Prompts(model, prefixTokens, promptTokens);
            ExecutorService pool = Executors.newFixedThreadPool(top);
            List<Level> results = new ArrayList<>();
            try (Progress progress = Progress.start(spec.commandLine().getErr(), "bench", (long) levels.length * (warmup + reps),
                    Progress.Unit.of("reps"))) {
                for (int level : levels) {
                    for (int w = 0; w < warmup; w++) {
                        rep(model, pool, prompts, level);
                        progress.stepBy(1);
                    }
                    List<Rep> timed = new ArrayList<>();
                    for (int r = 0; r < reps; r++) {
                        timed.add(rep(model, pool, prompts, level));
                        progress.stepBy(1);
                    }
                    results.add(new Level(level, timed));
                }
            } finally {
                pool.shutdownNow();
            }
            if (modelOptions.json) {
                printJson(out, model, loadMillis, results);
            } else {
                printTable(out, model, loadMillis, results);
            }
        }
        return 0;
    }

    /** @return the concurrency levels; throws a usage error naming the flag for anything out of range */
    private int[] validate() {
        CommandLine cl = spec.commandLine();
        int[] levels;
        try {
            levels = Arrays.stream(parallel.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--parallel must be a comma-separated list of integers such as 1,8, was '"
                    + parallel + "'");
        }
        for (int n : levels) {
            if (n < 1 || n > 64) {
                throw new CommandLine.ParameterException(cl, "--parallel values must be in 1..64, was " + n);
            }
        }
        if (levels.length == 0) {
            throw new CommandLine.ParameterException(cl, "--parallel needs at least one value");
        }
        positive(cl, "--prompt-tokens", promptTokens, 1);
        positive(cl, "--max-tokens", maxTokens, 1);
        positive(cl, "--prefix-tokens", prefixTokens, 0);
        positive(cl, "--reps", reps, 1);
        positive(cl, "--warmup", warmup, 0);
        return levels;
    }

    private static void positive(CommandLine cl, String flag, int v, int min) {
        if (v < min) {
            throw new CommandLine.ParameterException(cl, flag + " must be >= " + min + ", was " + v);
        }
    }

    // ---------------------------------------------------------------------------------------- prompts

    /**
     * Distinct prompts of {@code prefix + own} tokens: BOS (when the model adds one), the shared prefix (the start
     * of a synthetic text), then a window of that text that no earlier request started at.
     */
    private static final class Prompts {
        private final int[] head;
        private final int[] text;
        private final int own;
        private final int base;
        private int next;

        Prompts(LanguageModel model, int prefix, int promptTokens) {
            int[] bos = model.tokenize("", true, false);
            Random random = new Random(42);
            StringBuilder sb = new StringBuilder();
            int[] t = new int[0];
            // enough text for the prefix plus thousands of distinct windows of the prompt length
            while (t.length < prefix + promptTokens + 4096) {
                for (int i = 0; i < 2000; i++) {
                    sb.append(i % 12 == 11 ? ". " : " ").append(WORDS[random.nextInt(WORDS.length)]);
                }
                t = model.tokenize(sb.toString(), false, false);
            }
            this.text = t;
            int prefixBody = Math.max(0, prefix - bos.length);
            this.head = new int[prefix > 0 ? bos.length + prefixBody : bos.length];
            System.arraycopy(bos, 0, head, 0, bos.length);
            System.arraycopy(t, 0, head, bos.length, head.length - bos.length);
            this.own = prefix + promptTokens - head.length;
            this.base = prefixBody;
        }

        /** @return the next request's prompt */
        int[] next() {
            int[] p = Arrays.copyOf(head, head.length + own);
            int start = base + (next++ % (text.length - base - own));
            System.arraycopy(text, start, p, head.length, own);
            return p;
        }
    }

    // ------------------------------------------------------------------------------------------- reps

    /** One request of a rep: times are nanoTime values of the caller's thread. */
    private record Request(long start, long[] arrivals, Completion completion) {
    }

    private record Rep(List<Request> requests, long start) {
    }

    private record Level(int parallel, List<Rep> reps) {
    }

    private Rep rep(LanguageModel model, ExecutorService pool, Prompts prompts, int n) throws Exception {
        CyclicBarrier go = new CyclicBarrier(n);
        List<Future<Request>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            CompletionRequest r = CompletionRequest.builder().promptTokens(prompts.next()).maxTokens(maxTokens).ignoreEos(true).build();
            futures.add(pool.submit(() -> {
                go.await();
                long[] at = new long[maxTokens];
                int[] count = {0};
                long t = System.nanoTime();
                Completion c = model.complete(r, chunk -> {
                    if (chunk.token() >= 0 && count[0] < at.length) {
                        at[count[0]++] = System.nanoTime();
                    }
                    return true;
                });
                return new Request(t, Arrays.copyOf(at, count[0]), c);
            }));
        }
        List<Request> done = new ArrayList<>();
        for (Future<Request> f : futures) {
            try {
                done.add(f.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return new Rep(done, start);
    }

    // ---------------------------------------------------------------------------------------- metrics

    /** The numbers of one concurrency level. */
    private record Summary(double[] generated, double[] prompt, double[] ttft, double[] gaps, double cachedPerRequest,
            long cachedTotal) {
    }

    private static Summary summarize(Level level) {
        int n = level.reps().size();
        double[] generated = new double[n];
        double[] prompt = new double[n];
        List<Double> ttft = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        long cached = 0;
        int requests = 0;
        for (int r = 0; r < n; r++) {
            Rep rep = level.reps().get(r);
            long firstStart = Long.MAX_VALUE;
            long firstToken = Long.MAX_VALUE;
            long lastFirstToken = 0;
            long lastToken = 0;
            long after = 0;
            long evaluated = 0;
            for (Request q : rep.requests()) {
                long[] at = q.arrivals();
                firstStart = Math.min(firstStart, q.start());
                firstToken = Math.min(firstToken, at[0]);
                lastFirstToken = Math.max(lastFirstToken, at[0]);
                lastToken = Math.max(lastToken, at[at.length - 1]);
                after += at.length - 1;
                evaluated += q.completion().usage().evaluatedPromptTokens();
                cached += q.completion().usage().cachedPromptTokens();
                requests++;
                ttft.add((at[0] - q.start()) / 1e6);
                for (int k = 1; k < at.length; k++) {
                    gaps.add((at[k] - at[k - 1]) / 1e6);
                }
            }
            // generated: the tokens after each request's first, from the first first token to the last token
            generated[r] = lastToken > firstToken ? after * 1e9 / (lastToken - firstToken) : 0;
            // prompt: evaluated prompt tokens, from the start of the rep to the last request's first token
            prompt[r] = lastFirstToken > firstStart ? evaluated * 1e9 / (lastFirstToken - firstStart) : 0;
        }
        return new Summary(generated, prompt, ttft.stream().mapToDouble(Double::doubleValue).toArray(),
                gaps.stream().mapToDouble(Double::doubleValue).toArray(), requests == 0 ? 0 : (double) cached / requests, cached);
    }


    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    // ----------------------------------------------------------------------------------------- output

    private void printTable(PrintWriter out, LanguageModel model, double loadMillis, List<Level> results) {
        out.printf(Locale.ROOT, "%s | %s backend | %s | %s threads | prompt %d tokens%s, %d generated (end-of-generation ignored) "
                        + "| %d reps after %d warm-up | load %.0f ms%n", modelOptions.model, model.info().backend(),
                model.info().nativeLibrary(), modelOptions.threads == null ? "default" : modelOptions.threads, promptTokens,
                prefixTokens > 0 ? " after a shared " + prefixTokens + "-token prefix" : "", maxTokens, reps, warmup, loadMillis);
        out.println("| parallel | generated tok/s median (min-max) | prompt tok/s median | time to first token ms p50 / p99 "
                + "| inter-token gap ms p50 / p99 | cached prompt tokens per request |");
        out.println("|---:|---|---:|---|---|---:|");
        for (Level l : results) {
            Summary s = summarize(l);
            out.printf(Locale.ROOT, "| %d | %,.1f (%,.1f-%,.1f) | %,.1f | %.1f / %.1f | %.2f / %.2f | %.1f |%n", l.parallel(),
                    Stats.median(s.generated()), min(s.generated()), max(s.generated()), Stats.median(s.prompt()),
                    Stats.percentile(s.ttft(), 50), Stats.percentile(s.ttft(), 99),
                    Stats.percentile(s.gaps(), 50), Stats.percentile(s.gaps(), 99),
                    s.cachedPerRequest());
        }
        out.flush();
    }

    private void printJson(PrintWriter out, LanguageModel model, double loadMillis, List<Level> results) {
        ObjectNode o = Json.object();
        o.put("model", modelOptions.model);
        o.put("backend", model.info().backend());
        o.put("native_library", model.info().nativeLibrary());
        if (modelOptions.threads != null) {
            o.put("threads", modelOptions.threads);
        } else {
            o.putNull("threads");
        }
        o.put("context_size", model.info().contextSize());
        o.put("prompt_tokens", promptTokens);
        o.put("prefix_tokens", prefixTokens);
        o.put("max_tokens", maxTokens);
        o.put("reps", reps);
        o.put("warmup", warmup);
        o.put("load_ms", Json.round(loadMillis));
        ArrayNode arr = o.putArray("results");
        for (Level l : results) {
            Summary s = summarize(l);
            ObjectNode r = arr.addObject();
            r.put("parallel", l.parallel());
            stats(r.putObject("generated_tokens_per_second"), s.generated());
            stats(r.putObject("prompt_tokens_per_second"), s.prompt());
            ObjectNode ttft = r.putObject("time_to_first_token_ms");
            ttft.put("p50", Json.round(Stats.percentile(s.ttft(), 50)));
            ttft.put("p99", Json.round(Stats.percentile(s.ttft(), 99)));
            ObjectNode gap = r.putObject("inter_token_gap_ms");
            gap.put("p50", Json.round(Stats.percentile(s.gaps(), 50)));
            gap.put("p99", Json.round(Stats.percentile(s.gaps(), 99)));
            r.put("cached_prompt_tokens", s.cachedTotal());
            ArrayNode requests = r.putArray("requests");
            for (int k = 0; k < l.reps().size(); k++) {
                for (Request q : l.reps().get(k).requests()) {
                    ObjectNode x = requests.addObject();
                    x.put("rep", k + 1);
                    x.put("prompt_tokens", q.completion().usage().promptTokens());
                    x.put("cached_prompt_tokens", q.completion().usage().cachedPromptTokens());
                    x.put("finish_reason", q.completion().finishReason().name().toLowerCase(Locale.ROOT));
                    ArrayNode ids = x.putArray("tokens");
                    for (int t : q.completion().tokens()) {
                        ids.add(t);
                    }
                }
            }
        }
        Json.print(out, o);
    }

    private static void stats(ObjectNode o, double[] v) {
        o.put("median", Json.round(Stats.median(v)));
        o.put("min", Json.round(min(v)));
        o.put("max", Json.round(max(v)));
    }
}
