package io.autoglm.bench;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rounds of concurrent sampled generations on one model, reporting wall time and the CPU time of the
 * engine's decode thread per round: the CPU figure stays meaningful on a loaded machine, where wall time
 * measures the host's scheduler. Shows what the prefix cache leaves behind costs later rounds.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.EngineRounds \
 *     --model ../shared/models/stories260K.gguf --parallel 8 --requests 8 --context 1024 --max-tokens 400 \
 *     --rounds 4 [--no-prefix-cache] [--temperature 0.8] [--threads 1]
 * }</pre>
 */
public final class EngineRounds {
    private EngineRounds() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Path model = null;
        int parallel = 8;
        int requests = 8;
        int context = 1024;
        int maxTokens = 400;
        int rounds = 4;
        int threads = 1;
        float temperature = 0.8f;
        boolean prefixCache = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--context" -> context = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--temperature" -> temperature = Float.parseFloat(args[++i]);
                case "--no-prefix-cache" -> prefixCache = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--model, --parallel, --requests, "
                        + "--context, --max-tokens, --rounds, --threads, --temperature, --no-prefix-cache)");
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model is required");
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (LanguageModel m = AutoGLM.builder().model(model).threads(threads).contextSize(context).parallel(parallel)
                .prefixCache(prefixCache).embeddings(false).build();
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            long engineBefore = engineCpu(mx);
            long callsBefore = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                List<Future<Completion>> fs = new ArrayList<>();
                for (int k = 0; k < requests; k++) {
                    CompletionRequest req = CompletionRequest.builder().prompt("Once upon a time, a little girl " + k)
                            .maxTokens(maxTokens).ignoreEos(true).sampling(SamplingParams.builder().temperature(temperature)
                                    .topK(0).topP(1f).minP(0f).seed(1000 + k).build()).build();
                    fs.add(callers.submit(() -> m.complete(req)));
                }
                int tokens = 0;
                for (Future<Completion> f : fs) {
                    tokens += f.get().usage().completionTokens();
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                long engine = engineCpu(mx);
                long calls = m.stats().decodeCalls();
                System.out.printf(Locale.ROOT, "round %d: %d tokens, wall %.2f s (%.0f tok/s), engine thread CPU %.2f s (%.0f tok/s of "
                        + "CPU), %d decode calls, %d cells cached%n", r, tokens, wall, tokens / wall, (engine - engineBefore) / 1e9,
                        tokens / ((engine - engineBefore) / 1e9), calls - callsBefore, m.stats().prefixCacheCells());
                engineBefore = engine;
                callsBefore = calls;
            }
        }
    }

    private static long engineCpu(ThreadMXBean mx) {
        long sum = 0;
        for (ThreadInfo t : mx.dumpAllThreads(false, false)) {
            if (t.getThreadName().startsWith("autoglm-engine")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }
}
