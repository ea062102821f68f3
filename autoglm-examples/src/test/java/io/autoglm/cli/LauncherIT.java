package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/autoglm} on the shaded jar (package phase) as a user does: nothing on stderr for the commands that
 * do not quantize (no incubator-module warning, no log lines), the Vector API only where the quantizer runs, and the
 * jar's AOT cache used when it matches the jar (and silently not otherwise).
 */
class LauncherIT {
    private static final String STORY = ", there was a little girl named Lily. She loved to play outside in the park. "
            + "One day, she saw a big, red ball. She wanted to play with it,";

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("autoglm.cli.jar", "target/autoglm.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded CLI jar (package phase)").isRegularFile();
        return jar;
    }

    static Run launcher(Map<String, String> env, String... args) throws Exception {
        Path launcher = TestModels.projectRoot().resolve("bin").resolve("autoglm");
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AUTOGLM_JAR", jar().toString());
        pb.environment().remove("AUTOGLM_JAVA_OPTS");
        pb.environment().remove("AUTOGLM_AOT");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/autoglm " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String[] generate() {
        return new String[] {"generate", "--model", TestModels.stories260K().toString(), "--prompt", "Once upon a time",
            "--max-tokens", "48"};
    }

    @Test
    void generate_printsTheStoryAndNothingOnStderr() throws Exception {
        Run r = launcher(Map.of(), generate());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(STORY + System.lineSeparator());
        Run inspect = launcher(Map.of(), "inspect", "--native-library");
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        assertThat(inspect.err()).isEmpty();
        assertThat(inspect.out()).startsWith("native_library");
    }

    @Test
    void vectorApi_onlyWhereTheQuantizerRuns() throws Exception {
        Path out = tmp.resolve("q8.gguf");
        Run q = launcher(Map.of(), "quantize", TestModels.stories260K().toString(), out.toString(), "--type", "Q8_0");
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(out).isRegularFile();
        assertThat(q.err()).contains("Using incubator modules: jdk.incubator.vector");
        Run g = launcher(Map.of(), "generate", "--model", TestModels.stories260K().toString(), "--prompt", "Once",
                "--max-tokens", "2", "--ctx", "64", "--quantize", "int8", "--json");
        assertThat(g.exit()).as(g.err()).isZero();
        assertThat(g.out()).contains("\"precision\":\"Q8_0");
    }

    /** The build's training run wrote target/autoglm.aot; the launcher starts from it, and AUTOGLM_AOT=0 without it. */
    @Test
    void aotCache_isUsedWhenItMatchesTheJar_andSilentlyIgnoredOtherwise() throws Exception {
        Path aot = Path.of(jar().toString().replaceFirst("\\.jar$", ".aot"));
        assertThat(aot).as("the AOT cache the package phase writes beside the jar").isRegularFile();
        assertThat(Files.getLastModifiedTime(aot)).isGreaterThan(Files.getLastModifiedTime(jar()));

        Path withCache = tmp.resolve("with.log");
        Run r = launcher(Map.of("AUTOGLM_JAVA_OPTS", "-Xlog:class+load=info:file=" + withCache), generate());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(STORY + System.lineSeparator());
        assertThat(loadedFrom(withCache, "io.autoglm.cli.GenerateCommand")).isEqualTo("shared objects file");

        Path without = tmp.resolve("without.log");
        Run off = launcher(Map.of("AUTOGLM_AOT", "0", "AUTOGLM_JAVA_OPTS", "-Xlog:class+load=info:file=" + without),
                generate());
        assertThat(off.out()).isEqualTo(r.out());
        assertThat(loadedFrom(without, "io.autoglm.cli.GenerateCommand")).startsWith("file:");

        // an identical copy of the jar elsewhere (same name, size and time) may use the cache beside it (the JVM
        // relocates the class path), but a jar with another modification time is not the jar the cache was made
        // from: the JVM refuses the cache, quietly, and the command runs as usual
        Path same = Files.createDirectories(tmp.resolve("same"));
        Files.copy(jar(), same.resolve("autoglm.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(aot, same.resolve("autoglm.aot"));
        Path sameLog = tmp.resolve("same.log");
        Run relocated = launcher(Map.of("AUTOGLM_JAR", same.resolve("autoglm.jar").toString(), "AUTOGLM_JAVA_OPTS",
                "-Xlog:class+load=info:file=" + sameLog), generate());
        assertThat(relocated.err()).isEmpty();
        assertThat(relocated.out()).isEqualTo(r.out());
        assertThat(loadedFrom(sameLog, "io.autoglm.cli.GenerateCommand")).isEqualTo("shared objects file");

        Path copy = Files.copy(jar(), tmp.resolve("autoglm.jar"));
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(jar()).toMillis() - 60_000));
        Files.copy(aot, tmp.resolve("autoglm.aot"));
        Path moved = tmp.resolve("moved.log");
        Run elsewhere = launcher(Map.of("AUTOGLM_JAR", copy.toString(), "AUTOGLM_JAVA_OPTS",
                "-Xlog:class+load=info:file=" + moved), generate());
        assertThat(elsewhere.exit()).as(elsewhere.err()).isZero();
        assertThat(elsewhere.err()).isEmpty();
        assertThat(elsewhere.out()).isEqualTo(r.out());
        assertThat(loadedFrom(moved, "io.autoglm.cli.GenerateCommand")).startsWith("file:");
    }

    /** @return the "source: ..." of a class in a -Xlog:class+load file */
    static String loadedFrom(Path log, String className) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("] " + className + " source: ")).findFirst()
                .map(l -> l.substring(l.indexOf(" source: ") + " source: ".length())).orElse("(not loaded)");
    }
}
