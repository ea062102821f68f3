package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.CliFuzz;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.GgufMutants;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-safety fuzz run kept in CI: seeded samples of structure-aware GGUF mutants ({@link GgufMutants}: every
 * one still valid GGUF) of both shipped models and a synthetic {@code qwen2}, each run through the real
 * {@code autoglm generate} in a child JVM. Target: no abort, no hang, every outcome a clean run or a clean refusal
 * (exit 3, one line). The seed and size are {@code -Dautoglm.fuzz.seed} and {@code -Dautoglm.fuzz.cases} (cases per
 * model); the larger run is {@code io.autoglm.bench.ModelFuzz} in autoglm-bench, results in docs/model-safety.md.
 */
class ModelFuzzTest {
    static final long SEED = Long.getLong("autoglm.fuzz.seed", 20261203L);
    static final int PER_MODEL = Integer.getInteger("autoglm.fuzz.cases", 100);

    @TempDir
    static Path dir;
    static Map<String, Path> sources = new LinkedHashMap<>();

    @BeforeAll
    static void models() throws Exception {
        sources.put("stories260K", TestModels.stories260K());
        sources.put("llama-2-tiny-random", TestModels.tinyRandom());
        sources.put("synthetic-qwen2", SyntheticModels.qwen2(TestModels.stories260K()).embd(64).layers(2).heads(4).headsKv(2)
                .ff(128).seed(9).write(dir.resolve("synthetic-qwen2.gguf")));
    }

    static List<GgufMutants.Mutation> sample(String model, int n, long seed) {
        return GgufMutants.sample(GgufMutants.all(sources.get(model)), n, seed);
    }

    static CliFuzz.Settings settings(CliFuzz.Mode mode, List<String> extraCli, int timeout) {
        List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path")));
        if (mode == CliFuzz.Mode.PROCESS) {
            jvm.add(AutoGlmCli.class.getName());
        }
        List<String> cli = new ArrayList<>(CliFuzz.GENERATE);
        cli.addAll(extraCli);
        String java = ProcessHandle.current().info().command().orElse("java");
        return new CliFuzz.Settings(mode, java, jvm, cli, 2, timeout, dir);
    }

    static void assertClean(String what, List<CliFuzz.Result> rs) {
        Map<CliFuzz.Outcome, Integer> c = CliFuzz.counts(rs);
        System.out.println("model fuzz (" + what + ", seed " + SEED + "): " + rs.size() + " cases " + c + ", "
                + CliFuzz.retried(rs) + " retried alone after a time-out");
        assertThat(CliFuzz.describeFailures(rs)).as("aborts, hangs or noisy refusals").isEmpty();
        // a harness that only ever refuses (or only ever runs) tests nothing
        assertThat(c.get(CliFuzz.Outcome.RAN)).as("mutants that still run").isPositive();
        assertThat(c.get(CliFuzz.Outcome.REFUSED)).as("mutants refused cleanly").isPositive();
    }

    @Test
    void mutantsOfThreeModels_neverAbortOrHang_throughTheCliInWorkerJvms() {
        List<GgufMutants.Mutation> cases = new ArrayList<>();
        for (String m : sources.keySet()) {
            cases.addAll(sample(m, PER_MODEL, SEED));
        }
        assertClean("b4916, ffm", CliFuzz.run(cases, sources, settings(CliFuzz.Mode.WORKER, List.of(), 30), null));
    }

    @Test
    void mutants_onTheJniBackend_neverAbortOrHang() {
        List<GgufMutants.Mutation> cases = new ArrayList<>(sample("stories260K", PER_MODEL / 4, SEED + 1));
        cases.addAll(sample("synthetic-qwen2", PER_MODEL / 4, SEED + 1));
        assertClean("b4916, jni", CliFuzz.run(cases, sources, settings(CliFuzz.Mode.WORKER, List.of("--backend", "jni"), 30),
                null));
    }

    @Test
    void mutants_onTheCurrentLlamaCpp_neverAbortOrHang() {
        Path lib = CurrentLlama.folder();
        List<GgufMutants.Mutation> cases = new ArrayList<>(sample("stories260K", PER_MODEL / 4, SEED + 2));
        cases.addAll(sample("synthetic-qwen2", PER_MODEL / 4, SEED + 2));
        assertClean("current, ffm", CliFuzz.run(cases, sources, settings(CliFuzz.Mode.WORKER,
                List.of("--native-library", lib.toString()), 30), null));
    }

    @Test
    void mutants_inOneProcessEach_exitWith0Or3AndOneLine() {
        // the exact contract of the command: exit code and the whole stderr of a fresh JVM per case
        List<GgufMutants.Mutation> cases = new ArrayList<>(sample("stories260K", 8, SEED + 3));
        cases.addAll(sample("llama-2-tiny-random", 4, SEED + 3));
        assertClean("b4916, one process per case", CliFuzz.run(cases, sources, settings(CliFuzz.Mode.PROCESS, List.of(), 60),
                null));
    }
}
