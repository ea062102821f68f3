package io.autoglm.bench;

import io.autoglm.testing.CliFuzz;
import io.autoglm.testing.GgufMutants;
import io.autoglm.testing.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The larger model-safety fuzz run: every structure-aware mutant ({@link GgufMutants}) of both shipped models and a
 * synthetic {@code qwen2} (or a seeded sample), each run through the shaded {@code autoglm.jar} CLI in a child JVM,
 * with counts per outcome and per mutation kind. The CI test {@code ModelFuzzTest} runs a few hundred of the same
 * cases; results are reported in {@code docs/model-safety.md}.
 *
 * <pre>{@code
 * ./mvnw -q -DskipTests package
 * java -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.ModelFuzz \
 *      --models ../shared/models --cli-jar autoglm-examples/target/autoglm.jar \
 *      [--cases N] [--seed S] [--mode worker|process] [--parallel 2] [--timeout 30] \
 *      [--native-library DIR] [--backend ffm|jni] [--failures failures.txt]
 * }</pre>
 *
 * {@code --mode process} starts one {@code java -jar autoglm.jar generate ...} per case and judges its exit code and
 * whole stderr; {@code worker} (default) runs cases in turn in long-lived child JVMs and replaces one when it dies.
 * Exit code 0 when no case aborted, hung or wrote more than one stderr line, 1 otherwise.
 */
public final class ModelFuzz {
    private ModelFuzz() {
    }

    /**
     * @param args see the class comment
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected argument " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage("every option takes a value");
        }
        Path models = Path.of(o.getOrDefault("models", "../shared/models"));
        Path cliJar = Path.of(o.getOrDefault("cli-jar", "autoglm-examples/target/autoglm.jar"));
        if (!Files.isRegularFile(cliJar)) {
            usage("CLI jar not found: " + cliJar + " (build it with ./mvnw -q -DskipTests package)");
        }
        int cases = Integer.parseInt(o.getOrDefault("cases", "0"));
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        CliFuzz.Mode mode = CliFuzz.Mode.valueOf(o.getOrDefault("mode", "worker").toUpperCase(Locale.ROOT));
        int parallel = Integer.parseInt(o.getOrDefault("parallel", "2"));
        int timeout = Integer.parseInt(o.getOrDefault("timeout", "30"));

        Path work = Files.createTempDirectory("autoglm-fuzz");
        Map<String, Path> sources = new LinkedHashMap<>();
        sources.put("stories260K", models.resolve("stories260K.gguf"));
        sources.put("llama-2-tiny-random", models.resolve("llama-2-tiny-random.gguf"));
        sources.put("synthetic-qwen2", SyntheticModels.qwen2(models.resolve("stories260K.gguf")).embd(64).layers(2).heads(4)
                .headsKv(2).ff(128).seed(9).write(work.resolve("synthetic-qwen2.gguf")));
        List<GgufMutants.Mutation> all = new ArrayList<>();
        for (Path p : sources.values()) {
            all.addAll(GgufMutants.all(p));
        }
        List<GgufMutants.Mutation> chosen = cases > 0 ? GgufMutants.sample(all, cases, seed) : all;
        System.out.printf(Locale.ROOT, "%d mutations in all %s; running %d (%s mode, %d at once, %d s limit)%n", all.size(),
                GgufMutants.countByKind(all), chosen.size(), mode.name().toLowerCase(Locale.ROOT), parallel, timeout);

        List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        if (mode == CliFuzz.Mode.PROCESS) {
            jvm.addAll(List.of("-jar", cliJar.toString()));
        } else {
            // the worker class comes from this jar (core's test classes are shaded into benchmarks.jar)
            jvm.addAll(List.of("-cp", cliJar + java.io.File.pathSeparator + System.getProperty("java.class.path")));
        }
        List<String> cli = new ArrayList<>(CliFuzz.GENERATE);
        if (o.containsKey("native-library")) {
            cli.addAll(List.of("--native-library", o.get("native-library")));
        }
        if (o.containsKey("backend")) {
            cli.addAll(List.of("--backend", o.get("backend")));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        List<CliFuzz.Result> rs = CliFuzz.run(chosen, sources, new CliFuzz.Settings(mode, java, jvm, cli, parallel, timeout,
                work), r -> {
                    int d = done.incrementAndGet();
                    if (d % 100 == 0 || r.outcome().isFailure()) {
                        System.out.printf(Locale.ROOT, "[%d/%d] %s%n", d, chosen.size(), r.outcome().isFailure() ? r : "");
                    }
                });
        double sec = (System.nanoTime() - t0) / 1e9;

        System.out.printf(Locale.ROOT, "%n%d cases in %.0f s: %s; %d retried alone after a time-out%n", rs.size(), sec,
                CliFuzz.counts(rs), CliFuzz.retried(rs));
        System.out.println("by model and kind (ran / refused / failures):");
        Map<String, int[]> byKind = new LinkedHashMap<>();
        for (CliFuzz.Result r : rs) {
            String id = r.mutation().id();
            String key = id.substring(0, id.indexOf('/')) + " " + r.mutation().kind();
            int[] c = byKind.computeIfAbsent(key, k -> new int[3]);
            c[r.outcome() == CliFuzz.Outcome.RAN ? 0 : r.outcome() == CliFuzz.Outcome.REFUSED ? 1 : 2]++;
        }
        byKind.forEach((k, c) -> System.out.printf(Locale.ROOT, "  %-28s %5d %5d %5d%n", k, c[0], c[1], c[2]));
        String failures = CliFuzz.describeFailures(rs);
        if (o.containsKey("failures")) {
            Files.writeString(Path.of(o.get("failures")), failures + "\n");
        }
        if (!failures.isEmpty()) {
            System.out.println("FAILURES:\n" + failures);
        }
        deleteTree(work);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static void usage(String why) {
        System.err.println("ModelFuzz: " + why);
        System.err.println("usage: ModelFuzz [--models DIR] [--cli-jar JAR] [--cases N] [--seed S] [--mode worker|process] "
                + "[--parallel N] [--timeout S] [--native-library DIR] [--backend ffm|jni] [--failures FILE]");
        System.exit(2);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
