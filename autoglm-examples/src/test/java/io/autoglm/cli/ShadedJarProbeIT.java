package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shaded {@code autoglm.jar} (built in the package phase) as a user does, {@code java -jar autoglm.jar}: the
 * isolation probe's child JVM must find its classes in that jar, and a file the validator refuses is one line with
 * exit code 3.
 */
class ShadedJarProbeIT {
    @TempDir
    Path cache;

    record Run(int exit, String out, String err) {
    }

    Run cli(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("autoglm.cli.jar", "target/autoglm.jar"));
        assertThat(jar).as("the shaded CLI jar (package phase)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dautoglm.cache.dir="
                + cache, "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("finished").isTrue();
        return new Run(p.exitValue(), out.join(), err.join());
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void isolationProbe_fromTheShadedJar_probesInAChildThenGenerates() throws Exception {
        Run r = cli("generate", "--model", TestModels.stories260K().toString(), "--prompt", "Once upon a time", "--max-tokens",
                "8", "--threads", "1", "--isolation-probe", "unseen-files", "--verbose");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("there was a little girl");
        assertThat(r.err()).contains("isolation probe: stories260K.gguf loaded and decoded in a child JVM");
        try (var v = Files.list(cache.resolve("probe").resolve("verdicts"))) {
            assertThat(v.toList()).singleElement().asString()
                    .contains("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d");
        }
        Run again = cli("generate", "--model", TestModels.stories260K().toString(), "--prompt", "Once upon a time",
                "--max-tokens", "8", "--threads", "1", "--isolation-probe", "unseen-files", "--verbose");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("is healthy (cached in").doesNotContain("loaded and decoded in a child JVM");
    }
}
