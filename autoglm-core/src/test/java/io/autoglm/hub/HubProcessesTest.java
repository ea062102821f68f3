package io.autoglm.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.FakeHub;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads across processes: a killed download resumes; two processes pulling one file download it once. */
class HubProcessesTest {
    @TempDir
    Path tmp;
    FakeHub server;
    byte[] bytes;
    String sha;

    @BeforeEach
    void start() throws IOException {
        server = new FakeHub();
        bytes = new byte[400_000];
        new Random(11).nextBytes(bytes);
        sha = Hashes.hex(Hashes.sha256().digest(bytes));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Process child(String reference) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dautoglm.root=" + TestModels.projectRoot(),
                "-cp", System.getProperty("java.class.path"), HubChild.class.getName(), tmp.resolve("cache").toString(),
                server.endpoint().toString(), reference).redirectErrorStream(true).start();
    }

    static String output(Process p) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void aKilledDownload_isResumedByTheNextProcess() throws Exception {
        server.file("org/m", "main", "m.gguf", bytes).throttle(100_000);
        Process p = child("hf://org/m/m.gguf");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.cdnBodyBytes.get() < 150_000 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path partial = tmp.resolve("cache/partial/" + sha + ".part");
        assertThat(partial).exists();
        long kept = Files.size(partial);
        assertThat(kept).isBetween(100_000L, (long) bytes.length - 1);

        server.file("org/m", "main", "m.gguf", bytes); // full speed now
        ResolvedModel r = ModelHub.builder(Map.of()).cacheDir(tmp.resolve("cache")).endpoint(server.endpoint())
                .proxy(HttpClient.Builder.NO_PROXY).build().resolve("hf://org/m/m.gguf");
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(server.requests("GET", "/cdn/")).last().extracting(FakeHub.Seen::range).isEqualTo("bytes=" + kept + "-");
        assertThat(partial).doesNotExist();
    }

    @Test
    void twoProcessesPullingOneFile_downloadItOnce_andAgree() throws Exception {
        server.file("org/m", "main", "m.gguf", bytes).throttle(50_000);
        Process a = child("hf://org/m/m.gguf");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.cdnBodyBytes.get() < 30_000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Process b = child("hf://org/m/m.gguf"); // starts while a is mid-file: it must wait for a's lock
        String outA = output(a);
        String outB = output(b);
        assertThat(a.exitValue()).as(outA).isZero();
        assertThat(b.exitValue()).as(outB).isZero();
        Path expected = tmp.resolve("cache/files/hf/org/m/main/m.gguf");
        assertThat(List.of(outA, outB)).allSatisfy(o -> assertThat(o).endsWith(" " + expected));
        assertThat(outA).startsWith("DOWNLOADED ");
        assertThat(outB).startsWith("CACHE ");
        assertThat(Files.readAllBytes(expected)).isEqualTo(bytes);
        assertThat(server.requests("GET", "/cdn/")).hasSize(1);
        assertThat(server.cdnBodyBytes.get()).isEqualTo(bytes.length);
        // b asked the hub while a was still downloading: it waited on the lock rather than finding a finished file
        assertThat(server.requests("HEAD", "/org/m/")).hasSize(2).last()
                .satisfies(s -> assertThat(s.nanos()).isLessThan(server.lastBodyDone.get()));
    }
}
