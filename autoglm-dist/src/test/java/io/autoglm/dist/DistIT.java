package io.autoglm.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the runtime image as a machine without a JDK would: the tarball that {@code ./mvnw -Pdist package} made,
 * unpacked elsewhere, started with an environment that holds only {@code PATH} (a folder with a link to
 * {@code bash}, the one tool the launcher needs: no {@code java} on it), {@code HOME} and the model folders, and no
 * {@code JAVA_HOME}.
 */
class DistIT {
    private static final String STORY = ", there was a little girl named Lily. She loved to play outside in the park. "
            + "One day, she saw a big, red ball. She wanted to play with it,";

    @TempDir
    static Path tmp;

    static Path image;
    static Path pathDir;

    /** Reads the processes' output; not the common pool, which has one thread on two cores (serve's would hold it). */
    static final ExecutorService READERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());

    record Run(int exit, String out, String err) {
    }

    /** Unpacks the tarball (the folder beside it is not used: the tarball must be enough) and makes the PATH. */
    @BeforeAll
    static void unpack() throws Exception {
        Path dir = Path.of(System.getProperty("autoglm.dist.dir", "target"));
        String version = System.getProperty("autoglm.dist.version", "");
        List<Path> tarballs;
        try (Stream<Path> s = Files.list(dir)) {
            tarballs = s.filter(p -> p.getFileName().toString().startsWith("autoglm-" + version + "-"))
                    .filter(p -> p.getFileName().toString().endsWith(".tar.gz")).toList();
        }
        assertThat(tarballs).as("the image's tarball in " + dir).hasSize(1);
        Path tarball = tarballs.getFirst();
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).inheritIO()
                .start();
        assertThat(tar.waitFor()).as("tar -xzf " + tarball).isZero();
        String name = tarball.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        image = unpacked.resolve(name);
        assertThat(image.resolve("bin/autoglm")).isExecutable();

        pathDir = Files.createDirectories(tmp.resolve("path"));
        Path bash = Stream.of("/bin/bash", "/usr/bin/bash").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("bash not found"));
        Files.createSymbolicLink(pathDir.resolve("bash"), bash);
        Files.createDirectories(tmp.resolve("home"));
    }

    /** Runs a command of the image with the bare environment (plus {@code extra}). */
    static Run run(Map<String, String> extra, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        bareEnvironment(pb, extra);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), READERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), READERS);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    static void bareEnvironment(ProcessBuilder pb, Map<String, String> extra) {
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", pathDir.toString());
        env.put("HOME", tmp.resolve("home").toString());
        env.put("AUTOGLM_CACHE_DIR", tmp.resolve("cache").toString());
        env.put("AUTOGLM_MODELS", TestModels.dir().toString());
        env.putAll(extra);
    }

    static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String autoglm() {
        return image.resolve("bin/autoglm").toString();
    }

    @Test
    void theEnvironment_hasNoJava() throws Exception {
        Run r = run(Map.of(), pathDir.resolve("bash").toString(), "-c",
                "command -v java || echo none; echo ${JAVA_HOME-unset}");
        assertThat(r.out()).isEqualTo("none\nunset\n");
    }

    @Test
    void generate_byCatalogName_onTheImagesOwnRuntime() throws Exception {
        TestModels.stories260K();
        Run r = run(Map.of(), autoglm(), "generate", "--model", "stories260k", "--offline", "--prompt",
                "Once upon a time", "--max-tokens", "48");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(STORY + System.lineSeparator());

        // the JVM that ran is the image's, started from the AOT cache the image's runtime recorded
        Path classLog = tmp.resolve("class-load.log");
        Run shown = run(Map.of("AUTOGLM_JAVA_OPTS", "-XshowSettings:properties -Xlog:class+load=info:file=" + classLog),
                autoglm(), "generate", "--model", "stories260k", "--offline", "--prompt", "Once upon a time",
                "--max-tokens", "4");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.err()).contains("java.home = " + image.resolve("runtime"));
        assertThat(Files.readAllLines(classLog)).anyMatch(
                l -> l.contains("] io.autoglm.cli.GenerateCommand source: shared objects file"));
    }

    @Test
    void quantizeOnLoad_usesTheVectorApiOfTheImage() throws Exception {
        Run r = run(Map.of(), autoglm(), "generate", "--model", TestModels.stories260K().toString(), "--prompt", "Once",
                "--max-tokens", "2", "--ctx", "64", "--quantize", "int8", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"precision\":\"Q8_0");
    }

    /** Only the modules the jar needs, and what a download over TLS needs (EC and JSSE are in java.base). */
    @Test
    void runtime_isLean_andHasTls() throws Exception {
        String javaBin = image.resolve("runtime/bin/java").toString();
        Run modules = run(Map.of(), javaBin, "--list-modules");
        assertThat(modules.exit()).as(modules.err()).isZero();
        List<String> names = modules.out().lines().map(l -> l.replaceFirst("@.*", "")).toList();
        assertThat(names).contains("java.base", "java.net.http", "jdk.incubator.vector", "jdk.unsupported", "java.sql")
                .doesNotContain("jdk.compiler", "jdk.jshell", "jdk.jlink", "jdk.javadoc", "jdk.jdeps")
                .hasSizeLessThan(25);
        assertThat(image.resolve("runtime/bin/javac")).doesNotExist();

        Run security = run(Map.of(), javaBin, "-XshowSettings:security:providers", "-version");
        assertThat(security.exit()).as(security.err()).isZero();
        assertThat(security.err()).contains("Provider name: SunEC", "Provider name: SunJSSE");
        // the jar holds this platform's native libraries only
        try (ZipFile jar = new ZipFile(image.resolve("lib/autoglm.jar").toFile())) {
            List<String> natives = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.matches(".*\\.(so|dll|dylib|jnilib)$")).toList();
            assertThat(natives).isNotEmpty()
                    .allMatch(n -> n.matches("(?i).*/linux/(x86_64|amd64|aarch64|arm64)/[^/]+"));
            assertThat(natives).anyMatch(n -> n.startsWith("de/kherud/llama/Linux/"));
        }
    }

    @Test
    void serve_answersHealthAndModels_andStopsOnSigterm() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(autoglm(), "serve", "--model", "stories=" + TestModels.stories260K(),
                "--port", "0", "--parallel", "1", "--ctx", "256");
        bareEnvironment(pb, Map.of());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), READERS);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        READERS.execute(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        try {
            String line;
            String url = null;
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (url == null
                    && (line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
                seen.add(line);
                Matcher m = Pattern.compile("autoglm: serving stories at (http://\\S+)/v1 ").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            if (url == null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("no serving line; stdout " + seen + ", stderr:\n" + err.join());
            }

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> health = send(http, HttpRequest.newBuilder(URI.create(url + "/health")));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");
            HttpResponse<String> models = send(http, HttpRequest.newBuilder(URI.create(url + "/v1/models")));
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"id\":\"stories\"");
            HttpResponse<String> completion = send(http, HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\":"
                            + "\"stories\",\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0}")));
            assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
            assertThat(completion.body()).contains(", there was a little girl");

            // the Docker HEALTHCHECK, with the same bare environment
            String port = url.substring(url.lastIndexOf(':') + 1);
            String check = image.resolve("bin/autoglm-healthcheck").toString();
            assertThat(run(Map.of(), check, port).exit()).isZero();

            p.destroy(); // SIGTERM, as docker stop sends
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();
            assertThat(run(Map.of(), check, port).exit()).as("the health check once the server is gone").isEqualTo(1);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Arrays.stream(err.join().split("\n"))).noneMatch(l -> l.contains("Exception"));
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
