package io.autoglm.bench;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.backend.ffm.FfmBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decode speed of the FFM backend (and, with {@code --jni}, the JNI backend in the same JVM) against the same greedy loop in C ({@code native/greedy_loop.c},
 * the native floor), side by side in one run: for each thread count, rounds alternate between one C
 * process (median of its reps) and the in-process FFM backend (median of as many generations; C first in even
 * rounds, FFM first in odd ones), after a JIT warm-up; besides the ratio of the medians, the median and quartiles
 * of the per-round ratios are reported, which are less sensitive to the machine's slow drifts. Both prefill "Once upon a time", then sample greedily and decode one token
 * at a time, ignoring end-of-generation, for a fixed token count; tokens/s counts the generated
 * tokens over the time from the end of prefill to the last sample. The generated ids are checked
 * to be identical.
 *
 * <p>With {@code --inproc native/build/libgreedy_inproc.so} the C loop runs inside this JVM instead, on the FFM
 * backend's own context and decode thread ({@link InProcess}).
 *
 * <p>Run (from the project root, after {@code make -C native}):
 * <pre>{@code
 * ./mvnw -q -pl autoglm-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.DecodeComparison \
 *      --model ../shared/models/stories260K.gguf --native native/build/greedy_loop --tokens 128 --rounds 5 --threads 1,2
 * }</pre>
 */
public final class DecodeComparison {
    private DecodeComparison() {
    }

    /**
     * @param args {@code --model PATH --native PATH [--native-library DIR] [--jni] --tokens N --rounds R --reps K --warmup W --threads 1,2
     *     [--settle MS] [--cpu N]} (a pause after each C process, default 0; for 1-thread runs, the CPU that both the
     *     FFM decode thread and the C process are pinned to, so both run on the same CPU of a machine whose CPUs differ
     *     in speed);
     *     with {@code --native-library} (a current llama.cpp folder) use {@code native/build/greedy_loop_current} as {@code --native}
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Throwable {
        Path model = Path.of("../shared/models/stories260K.gguf");
        Path nativeLoop = Path.of("native/build/greedy_loop");
        int tokens = 128;
        int rounds = 5;
        int reps = 5;
        int warmup = 30;
        long settleMillis = 0;
        int cpu = -1;
        int[] threadCounts = {1, 2};
        Path nativeLibrary = null;
        Path inproc = null;
        boolean jni = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--native" -> nativeLoop = Path.of(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--native-library" -> nativeLibrary = Path.of(args[++i]);
                case "--jni" -> jni = true;
                case "--settle" -> settleMillis = Long.parseLong(args[++i]);
                case "--cpu" -> cpu = Integer.parseInt(args[++i]);
                case "--inproc" -> inproc = Path.of(args[++i]);
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --model --native --native-library --inproc --jni --tokens --rounds --reps --warmup --threads --settle --cpu");
            }
        }
        if (inproc != null) {
            InProcess.run(model, inproc, nativeLibrary, tokens, rounds, reps, warmup, threadCounts, cpu);
            return;
        }
        if (!Files.isRegularFile(model) || !Files.isExecutable(nativeLoop)) {
            throw new IllegalArgumentException("need --model " + model + " and --native " + nativeLoop
                    + " (build it with: make -C native)");
        }
        System.out.printf(Locale.ROOT, "Decode: FFM vs C | model %s | library %s | %d tokens | %d rounds x %d reps | load average %s%n",
                model.getFileName(), FfmBackend.describeLibrary(nativeLibrary), tokens, rounds, reps, loadAverage());
        boolean withJni = jni && nativeLibrary == null;   // the JNI binding only has the bundled b4916
        System.out.println("| threads | C tok/s median (min-max) | FFM tok/s median (min-max) | FFM/C | round ratio median (quartiles) "
                + "| C ms/token | FFM ms/token" + (withJni ? " | JNI tok/s median (min-max) | JNI/C | FFM/JNI" : "") + " | same ids |");
        System.out.println("|---:|---|---|---:|---|---:|---:" + (withJni ? "|---|---:|---:" : "") + "|:-:|");
        for (int threads : threadCounts) {
            try (LanguageModel m = open(model, Backend.FFM, threads, nativeLibrary);
                    LanguageModel j = withJni ? open(model, Backend.JNI, threads, null) : null) {
                int[] prompt = m.tokenize("Once upon a time", true, false);
                int pin = threads == 1 ? cpu : -1;
                if (pin >= 0) {
                    Affinity.pinDecodeThread(m, pin);
                }
                for (int w = 0; w < warmup; w++) {
                    generate(m, prompt, tokens, null);
                    if (j != null) {
                        generate(j, prompt, tokens, null);
                    }
                }
                double[] jn = new double[rounds];
                double[] c = new double[rounds];
                double[] f = new double[rounds];
                boolean sameIds = true;
                for (int r = 0; r < rounds; r++) {
                    double[] g = new double[reps];
                    List<Integer> ids = new ArrayList<>();
                    NativeRun nr = r % 2 == 0 ? runNative(nativeLoop, model, threads, tokens, reps, settleMillis, pin) : null;
                    for (int k = 0; k < reps; k++) {
                        ids.clear();
                        g[k] = generate(m, prompt, tokens, ids);
                    }
                    if (nr == null) { // odd rounds: FFM first, then C
                        nr = runNative(nativeLoop, model, threads, tokens, reps, settleMillis, pin);
                    }
                    c[r] = nr.median;
                    f[r] = median(g);
                    sameIds &= ids.equals(nr.ids);
                    if (j != null) {
                        for (int k = 0; k < reps; k++) {
                            ids.clear();
                            g[k] = generate(j, prompt, tokens, ids);
                        }
                        jn[r] = median(g);
                        sameIds &= ids.equals(nr.ids);
                    }
                }
                double cm = median(c);
                double fm = median(f);
                String jniCols = "";
                if (j != null) {
                    double jm = median(jn);
                    jniCols = String.format(Locale.ROOT, " | %,.0f (%,.0f-%,.0f) | %.3f | %.3f", jm, min(jn), max(jn), jm / cm, fm / jm);
                }
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = f[r] / c[r];
                }
                double[] q = quartiles(ratios);
                System.out.printf(Locale.ROOT, "| %d | %,.0f (%,.0f-%,.0f) | %,.0f (%,.0f-%,.0f) | %.3f | %.3f (%.3f-%.3f) | %.4f | %.4f%s | %s |%n",
                        threads, cm, min(c), max(c), fm, min(f), max(f), fm / cm, q[1], q[0], q[2], 1000 / cm, 1000 / fm, jniCols,
                        sameIds ? "yes" : "NO");
                if (pin >= 0) {
                    // the pooled decode thread may serve the next model, whose threadpool workers would inherit the mask
                    Affinity.pinDecodeThread(m, -1);
                }
            }
        }
    }

    /** One sequence, no prefix cache: the single-request path the C loop is compared with. */
    static LanguageModel open(Path model, Backend backend, int threads, Path nativeLibrary) {
        AutoGLM.Builder b = AutoGLM.builder().model(model).backend(backend).threads(threads).contextSize(512).batchSize(512)
                .parallel(1).prefixCache(false).embeddings(false);
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        return b.build();
    }

    /** @return decode tok/s of one greedy generation (the tokens after the first over the time after the first) */
    static double generate(LanguageModel m, int[] prompt, int tokens, List<Integer> ids) {
        Completion c = m.complete(CompletionRequest.builder().promptTokens(prompt).maxTokens(tokens).ignoreEos(true).build());
        if (ids != null) {
            for (int t : c.tokens()) {
                ids.add(t);
            }
        }
        return c.timings().decodeTokensPerSecond();
    }

    private record NativeRun(double median, List<Integer> ids) {
    }

    private static NativeRun runNative(Path exe, Path model, int threads, int tokens, int reps, long settleMillis, int cpu)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (cpu >= 0) {
            cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
        }
        cmd.addAll(List.of(exe.toString(), model.toString(), Integer.toString(threads), Integer.toString(tokens),
                Integer.toString(reps)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(exe + " failed: " + out);
        }
        Thread.sleep(settleMillis); // let the machine absorb the process exit (freeing its memory) before timing more
        double median = Double.NaN;
        List<Integer> ids = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("median_tok_s=")) {
                median = Double.parseDouble(line.substring("median_tok_s=".length()).trim());
            } else if (line.startsWith("ids=")) {
                for (String s : line.substring(4).trim().split(",")) {
                    ids.add(Integer.parseInt(s));
                }
            }
        }
        return new NativeRun(median, ids);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Lower quartile, median, upper quartile (linear interpolation). */
    static double[] quartiles(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return new double[] {at(s, 0.25), at(s, 0.5), at(s, 0.75)};
    }

    private static double at(double[] sorted, double p) {
        double x = p * (sorted.length - 1);
        int lo = (int) Math.floor(x);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
    }

    static double median(double[] v) {
        return quartiles(v)[1];
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
