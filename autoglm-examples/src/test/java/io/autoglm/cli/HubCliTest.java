package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.hub.DownloadProgress;
import io.autoglm.testing.ChildJvm;
import io.autoglm.testing.FakeHub;
import io.autoglm.testing.fixtures.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command ({@code generate --model stories260k}) and {@code pull}/{@code models}/{@code rm}, run as
 * a fresh process with a controlled environment: the cache in a temporary folder, {@code AUTOGLM_MODELS} set or not,
 * and {@link FakeHub} standing in for huggingface.co ({@code HF_ENDPOINT}). No test touches the internet.
 */
class HubCliTest {
    static final String STORIES_PATH = "ggml-org/models-moved";
    static final String STORIES_REVISION = "499bc8821c6b12b4e53c5bffcb21ec206f212d81";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A clean environment: the cache in {@code tmp/cache}, no search path, no hub settings from the developer. */
    Map<String, String> env() throws Exception {
        Path cacheRoot = Files.createDirectories(tmp.resolve("cache"));
        // share the already extracted native library instead of extracting it again for every child
        Path nativeDir = io.autoglm.internal.BundledLibrary.cacheDir().resolve("native");
        if (Files.isDirectory(nativeDir) && !Files.exists(cacheRoot.resolve("native"))) {
            try {
                Files.createSymbolicLink(cacheRoot.resolve("native"), nativeDir);
            } catch (UnsupportedOperationException | java.io.IOException e) {
                // extract again: slower, same result
            }
        }
        Map<String, String> env = new HashMap<>();
        env.put("AUTOGLM_CACHE_DIR", cacheRoot.toString());
        for (String k : List.of("AUTOGLM_MODELS", "AUTOGLM_CATALOG", "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE", "JAVA_TOOL_OPTIONS")) {
            env.put(k, null);
        }
        return env;
    }

    static ChildJvm.Result cli(Map<String, String> env, String... args) {
        return ChildJvm.run(env, AutoGlmCli.class, args);
    }

    static String[] readme(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("generate", "--model", "stories260k", "--prompt", "Once upon a time",
                "--max-tokens", "16"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void readmeCommand_findsStories260kOnAutoglmModels_andUsesItInPlace() throws Exception {
        Map<String, String> env = env();
        env.put("AUTOGLM_MODELS", TestModels.dir().toString());
        ChildJvm.Result r = cli(env, readme());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(", there was a little girl named Lily");
        assertThat(tmp.resolve("cache/models/blobs")).doesNotExist(); // nothing was copied or downloaded
    }

    @Test
    void readmeCommand_withoutNetworkOrFile_printsOneLineSayingWhatToDo() throws Exception {
        Map<String, String> env = env();
        env.put("HF_HUB_OFFLINE", "1");
        ChildJvm.Result r = cli(env, readme());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines()).hasSize(1).first().asString()
                .isEqualTo("autoglm: stories260k is not in the model cache (" + tmp.resolve("cache/models")
                        + ") and AUTOGLM_MODELS is not set, and downloads are off (HF_HUB_OFFLINE=1): run 'autoglm pull stories260k' "
                        + "with network access, or set AUTOGLM_MODELS to a folder holding stories260K.gguf");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void readmeCommand_downloadsFromTheHub_thenModelsListsIt_andRmRemovesIt() throws Exception {
        byte[] stories = Files.readAllBytes(TestModels.stories260K());
        try (FakeHub hub = new FakeHub()) {
            hub.file(STORIES_PATH, STORIES_REVISION, "tinyllamas/stories260K.gguf", stories);
            Map<String, String> env = env();
            env.put("HF_ENDPOINT", hub.endpoint().toString());

            ChildJvm.Result offline = cli(env, readme("--offline"));
            assertThat(offline.exit()).isEqualTo(3);
            assertThat(offline.err()).contains("downloads are off (offline mode)");
            assertThat(hub.seen).isEmpty();

            ChildJvm.Result r = cli(env, readme());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith(", there was a little girl named Lily");
            // not a terminal: plain progress lines on stderr, the last one for the verified file
            assertThat(r.err().strip().lines()).last().asString().isEqualTo("autoglm: pulled stories260K.gguf 1.2 MB, verified");
            assertThat(hub.requests("HEAD", "/" + STORIES_PATH + "/resolve/" + STORIES_REVISION + "/tinyllamas/stories260K.gguf")).hasSize(1);

            ChildJvm.Result again = cli(env, readme());
            assertThat(again.out()).isEqualTo(r.out());
            assertThat(again.err()).isEmpty(); // from the cache: no progress
            assertThat(hub.requests("GET", "/cdn/")).hasSize(1);

            ChildJvm.Result models = cli(env, "models", "--json");
            assertThat(models.exit()).as(models.err()).isZero();
            JsonNode list = JSON.readTree(models.out());
            JsonConventions.assertSnakeCase(list);
            assertThat(models.out().strip().lines()).as("compact").hasSize(1);
            assertThat(list).hasSize(1);
            JsonNode m = list.get(0);
            assertThat(m.get("reference").asText()).isEqualTo("hf://" + STORIES_PATH + "/tinyllamas/stories260K.gguf@" + STORIES_REVISION);
            assertThat(m.get("names").get(0).asText()).isEqualTo("stories260k");
            assertThat(m.get("size_bytes").asLong()).isEqualTo(stories.length);
            assertThat(m.at("/files/0/sha256").asText()).isEqualTo(FakeHub.sha256(stories));
            assertThat(m.at("/files/0/verified_by").asText()).isEqualTo("catalog");
            assertThat(m.get("last_used").asText()).isNotBlank();
            assertThat(Path.of(m.get("path").asText())).hasSameBinaryContentAs(TestModels.stories260K());

            ChildJvm.Result table = cli(env, "models");
            assertThat(table.out()).contains("stories260k").contains("1.2 MB").contains("1 model, 1.2 MB in ");

            ChildJvm.Result rm = cli(env, "rm", "stories260k");
            assertThat(rm.exit()).as(rm.err()).isZero();
            assertThat(rm.out().strip()).isEqualTo("removed stories260k (1.2 MB)");
            ChildJvm.Result rmAgain = cli(env, "rm", "stories260k");
            assertThat(rmAgain.exit()).isEqualTo(3);
            assertThat(rmAgain.err().strip()).isEqualTo("autoglm: stories260k is not in the model cache (" + tmp.resolve("cache/models")
                    + "); autoglm models lists what is");
            assertThat(cli(env, "models").out()).startsWith("no models in ");
        }
    }

    @Test
    void pull_json_reportsTheFile_andInspectTakesAReferenceToo() throws Exception {
        byte[] stories = Files.readAllBytes(TestModels.stories260K());
        try (FakeHub hub = new FakeHub()) {
            hub.file("someone/tiny", "main", "s.gguf", stories);
            Map<String, String> env = env();
            env.put("HF_ENDPOINT", hub.endpoint().toString());
            ChildJvm.Result r = cli(env, "pull", "hf://someone/tiny/s.gguf", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            JsonConventions.assertSnakeCase(o);
            assertThat(r.out().strip().lines()).as("compact").hasSize(1);
            assertThat(o.get("source").asText()).isEqualTo("downloaded");
            assertThat(o.get("size_bytes").asLong()).isEqualTo(stories.length);
            assertThat(o.at("/files/0/sha256").asText()).isEqualTo(FakeHub.sha256(stories));
            assertThat(Path.of(o.get("path").asText())).hasSameBinaryContentAs(TestModels.stories260K());

            ChildJvm.Result cached = cli(env, "pull", "hf://someone/tiny/s.gguf");
            assertThat(cached.out()).startsWith("already in the cache: hf://someone/tiny/s.gguf (1.2 MB, sha256 ");

            ChildJvm.Result inspect = cli(env, "inspect", "--model", "hf://someone/tiny/s.gguf", "--offline", "--json");
            assertThat(inspect.exit()).as(inspect.err()).isZero();
            assertThat(JSON.readTree(inspect.out()).get("tensor_count").asInt()).isEqualTo(48);

            ChildJvm.Result missing = cli(env, "pull", "hf://someone/tiny/nope.gguf");
            assertThat(missing.exit()).isEqualTo(3);
            assertThat(missing.err().strip()).isEqualTo("autoglm: no file nope.gguf in someone/tiny at revision main for "
                    + "hf://someone/tiny/nope.gguf: check the file name");
        }
    }

    @Test
    void theJdkProxyProperties_carryDownloads() throws Exception {
        byte[] stories = Files.readAllBytes(TestModels.stories260K());
        try (FakeHub proxy = new FakeHub()) { // the fake hub also answers requests sent to it as a proxy
            proxy.file("someone/tiny", "main", "s.gguf", stories);
            Map<String, String> env = env();
            env.put("HF_ENDPOINT", "http://hub.invalid"); // a name that resolves nowhere: only the proxy can reach it
            env.put("JAVA_TOOL_OPTIONS", "-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=" + proxy.port());
            ChildJvm.Result r = cli(env, "pull", "hf://someone/tiny/s.gguf", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(Path.of(JSON.readTree(r.out()).get("path").asText())).hasSameBinaryContentAs(TestModels.stories260K());
            assertThat(proxy.requests("HEAD", "/someone/tiny/resolve/main/s.gguf")).singleElement()
                    .satisfies(s -> assertThat(s.proxied()).isTrue()).satisfies(s -> assertThat(s.host()).isEqualTo("hub.invalid"));
        }
    }

    @Test
    void pullHelp_documentsTheReferencesAndTheEnvironment() {
        AutoGlmCliTest.Run r = run("pull", "--help");
        assertThat(r.exit()).isZero();
        for (String s : List.of("stories260k", "hf://owner/repo/path/file.gguf[@revision]", "#sha256=", "AUTOGLM_CACHE_DIR",
                "AUTOGLM_MODELS", "AUTOGLM_CATALOG", "HF_TOKEN", "HF_ENDPOINT", "{endpoint}/{owner}/{repo}/resolve/{revision}/{path}",
                "HF_HUB_OFFLINE=1", "-Dhttps.proxyHost", "resume")) {
            assertThat(r.out()).as(s).contains(s);
        }
        assertThat(run("generate", "--help").out()).contains("--model=REF").contains("a catalog name").contains("--offline");
    }

    @Test
    void modelsCatalog_json_listsTheBuiltInNames() throws Exception {
        AutoGlmCliTest.Run r = run("models", "--catalog", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode a = JSON.readTree(r.out());
        JsonConventions.assertSnakeCase(a);
        assertThat(r.out().strip().lines()).as("compact").hasSize(1);
        JsonNode stories = null;
        for (JsonNode e : a) {
            if (e.get("name").asText().equals("stories260k")) {
                stories = e;
            }
        }
        assertThat(stories).isNotNull();
        assertThat(stories.get("size_bytes").asLong()).isEqualTo(Files.size(TestModels.stories260K()));
        assertThat(stories.at("/sha256/0").asText()).isEqualTo(FakeHub.sha256(Files.readAllBytes(TestModels.stories260K())));
        assertThat(r.out()).contains("\"name\":\"glm-4-9b-chat:q4_k_m\"").contains("\"name\":\"qwen2.5-0.5b-instruct:q4_k_m\"");
    }

    @Test
    void pullProgress_isTheCliProgress_plainLinesWithRateAndTimeLeft_andOneLinePerVerifiedFile() {
        StringWriter plain = new StringWriter();
        PullProgress p = new PullProgress(new PrintWriter(plain), Progress.Mode.PLAIN, Duration.ofHours(1), Duration.ZERO);
        p.onProgress(new DownloadProgress("r", "m.gguf", 1, 1, 1_000_000, 4_000_000, 2_000_000, false));
        p.onProgress(new DownloadProgress("r", "m.gguf", 1, 1, 2_000_000, 4_000_000, 2_000_000, false));
        p.onProgress(new DownloadProgress("r", "m.gguf", 1, 1, 4_000_000, 4_000_000, 0, true));
        p.onProgress(new DownloadProgress("r", "a-00002-of-00002.gguf", 2, 2, 500, 1000, 0, false));
        p.onProgress(new DownloadProgress("r", "a-00002-of-00002.gguf", 2, 2, 1000, 1000, 0, true));
        List<String> lines = plain.toString().lines().toList();
        assertThat(lines).as(plain.toString()).contains("autoglm: pulled m.gguf 4.0 MB, verified",
                "autoglm: pulled a-00002-of-00002.gguf (2/2) 1.0 kB, verified");
        List<String> bars = lines.stream().filter(l -> !l.startsWith("autoglm: ")).toList();
        assertThat(bars).as(plain.toString()).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("pull ")
                .containsPattern("\\d+/\\d+ kB \\(\\d+:\\d\\d:\\d\\d / (\\d+:\\d\\d:\\d\\d|\\?)\\) [0-9.?]+ ?kB/s"));
        assertThat(bars).anySatisfy(l -> assertThat(l).startsWith("pull m.gguf 100%").contains("4000/4000 kB"));
        assertThat(bars).anySatisfy(l -> assertThat(l).startsWith("pull a-00002-of-00002.gguf (2/2) 100%").contains("1/1 kB"));
        assertThat(plain.toString()).doesNotContain("\r").doesNotContain("\u001b");

        StringWriter off = new StringWriter();
        PullProgress o = new PullProgress(new PrintWriter(off), Progress.Mode.OFF, Duration.ofSeconds(5), Duration.ZERO);
        o.onProgress(new DownloadProgress("r", "m.gguf", 1, 1, 4_000_000, 4_000_000, 0, true));
        assertThat(off.toString()).isEmpty();
    }

    @Test
    void sizes_arePowersOf1000() {
        assertThat(PullProgress.size(999)).isEqualTo("999 B");
        assertThat(PullProgress.size(1_234_567)).isEqualTo("1.2 MB");
        assertThat(PullProgress.size(5_600_000_000L)).isEqualTo("5.6 GB");
    }
}
