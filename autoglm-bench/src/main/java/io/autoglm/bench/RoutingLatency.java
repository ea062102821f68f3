package io.autoglm.bench;

import io.autoglm.routing.ModelProfile;
import io.autoglm.routing.TaskExample;
import io.autoglm.routing.TaskExamples;
import io.autoglm.routing.TaskRouter;
import io.autoglm.routing.minilm.MiniLmEmbeddings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Routing overhead: the time of {@link TaskRouter#route(String)} (embedding the request with all-MiniLM-L6-v2, int8 by default, the
 * nearest default examples, the profile score) over the labelled evaluation prompts, one thread, after a warm-up.
 * Prints p50/p90/p99/max of the wall-clock time and of the calling thread's CPU time in milliseconds, and the
 * machine's load average. With one ONNX Runtime thread (the default) the whole route runs on the calling thread, so
 * its CPU time is the routing's cost without the waits a loaded machine adds.
 *
 * <pre>{@code
 * java -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.RoutingLatency \
 *      autoglm-routing-minilm/src/test/resources/routing-eval.tsv [ROUNDS=5] [ONNX_THREADS=1] [INT8|FP32]
 * }</pre>
 */
public final class RoutingLatency {
    private RoutingLatency() {
    }

    /** @param args the evaluation TSV, optional number of rounds over it */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "autoglm-routing-minilm/src/test/resources/routing-eval.tsv");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        MiniLmEmbeddings.Variant variant = MiniLmEmbeddings.Variant.valueOf(args.length > 3 ? args[3] : "INT8");
        if (rounds < 1) {
            throw new IllegalArgumentException("ROUNDS must be >= 1, was " + rounds);
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<String> prompts = TaskExamples.load(file).stream().map(TaskExample::text).toList();
        TaskRouter router = TaskRouter.builder(MiniLmEmbeddings.create(variant, threads))
                .model(ModelProfile.builder("small-chat").quality(0.5).latencyMillis(15).memoryBytes(1L << 30).build())
                .model(ModelProfile.builder("coder").tasks("code", "math").quality(0.8).latencyMillis(40).memoryBytes(5L << 30).build())
                .model(ModelProfile.builder("translator").tasks("translation").quality(0.7).latencyMillis(25).memoryBytes(2L << 30).build())
                .build();
        for (int i = 0; i < 2; i++) {
            prompts.forEach(router::route);
        }
        long[] nanos = new long[prompts.size() * rounds];
        long[] cpu = new long[nanos.length];
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            for (String p : prompts) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                router.route(p);
                nanos[n] = System.nanoTime() - t0;
                cpu[n++] = mx.getCurrentThreadCpuTime() - c0;
            }
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf(Locale.ROOT, "routing overhead with all-MiniLM-L6-v2 %s over %d routes (%d prompts x %d rounds, "
                + "1 caller thread, %d ONNX thread(s), %d cores, load %.1f)%n", variant, n, prompts.size(), rounds, threads,
                Runtime.getRuntime().availableProcessors(), load);
        System.out.printf(Locale.ROOT, "  wall:       p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99), nanos[n - 1] / 1e6);
        System.out.printf(Locale.ROOT, "  thread CPU: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(cpu, 0.50), ms(cpu, 0.90), ms(cpu, 0.99), cpu[n - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
