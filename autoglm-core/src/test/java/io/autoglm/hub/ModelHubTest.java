package io.autoglm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.testing.FakeHub;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads against {@link FakeHub}, a local server that behaves like the Hugging Face hub (redirects to a CDN,
 * Range, ETag / X-Linked-Etag, 404, 401/403, cut connections, stalls, corrupted bytes). No test touches the internet.
 */
class ModelHubTest {
    static final String REPO = "org/models";

    @TempDir
    Path tmp;
    FakeHub server;
    byte[] bytes;

    @BeforeEach
    void start() throws IOException {
        server = new FakeHub();
        bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    ModelHub.Builder hub() {
        return ModelHub.builder(Map.of()).cacheDir(tmp.resolve("cache")).endpoint(server.endpoint())
                .proxy(HttpClient.Builder.NO_PROXY).retryBackoff(Duration.ofMillis(5)).readTimeout(Duration.ofSeconds(10));
    }

    /** @return the start of a {@code Range: bytes=N-} request */
    static long rangeStart(FakeHub.Seen s) {
        assertThat(s.range()).startsWith("bytes=").endsWith("-");
        return Long.parseLong(s.range().substring(6, s.range().length() - 1));
    }

    static String ref(String path) {
        return "hf://" + REPO + "/" + path + "@main";
    }

    Path cache() {
        return tmp.resolve("cache");
    }

    /** Every regular file under the cache folder, relative to it (for "nothing was left behind" checks). */
    List<String> cacheFiles(String sub) throws IOException {
        Path dir = cache().resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> cache().relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void hubFile_isFetchedThroughTheCdnRedirect_verified_storedByHash_andSecondResolveUsesTheCache() throws Exception {
        server.file(REPO, "main", "dir/m.gguf", bytes);
        List<DownloadProgress> progress = new ArrayList<>();
        ModelHub hub = hub().token("secret").listener(progress::add).build();

        ResolvedModel r = hub.resolve(ref("dir/m.gguf"));
        String sha = Hashes.hex(Hashes.sha256().digest(bytes));
        assertThat(r.source()).isEqualTo(ResolvedModel.Source.DOWNLOADED);
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(r.path()).isEqualTo(cache().resolve("files/hf/org/models/main/dir/m.gguf"));
        assertThat(Files.isSameFile(r.path(), cache().resolve("blobs/sha256-" + sha))).isTrue();
        assertThat(r.files().get(0).sha256()).isEqualTo(sha);
        // the token went to the hub, never to the CDN host
        assertThat(server.requests("HEAD", "/org/models/resolve/")).allMatch(s -> "Bearer secret".equals(s.authorization()));
        assertThat(server.requests("GET", "/cdn/")).hasSize(1).allMatch(s -> s.authorization() == null && s.host().equals("localhost"));
        assertThat(progress).last().satisfies(p -> {
            assertThat(p.done()).isTrue();
            assertThat(p.bytesDone()).isEqualTo(bytes.length);
            assertThat(p.totalBytes()).isEqualTo(bytes.length);
        });

        ResolvedModel again = hub.resolve(ref("dir/m.gguf"));
        assertThat(again.source()).isEqualTo(ResolvedModel.Source.CACHE);
        assertThat(again.path()).isEqualTo(r.path());
        assertThat(server.requests("GET", "/cdn/")).hasSize(1);
        CachedModel c = hub.cached().get(0);
        assertThat(c.reference()).isEqualTo(ref("dir/m.gguf"));
        assertThat(c.files().get(0).verifiedBy()).isEqualTo("hub");
        assertThat(c.commit()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(c.sizeBytes()).isEqualTo(bytes.length);
        assertThat(cacheFiles("partial")).allMatch(f -> f.endsWith(".lock"));
    }

    @Test
    void renamedRepository_isFollowedThroughItsRelativeRedirect() throws Exception {
        server.file("org/new-name", "main", "m.gguf", bytes);
        server.rename("org/old-name", "org/new-name");
        ResolvedModel r = hub().build().resolve("hf://org/old-name/m.gguf");
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(server.requests("HEAD", "/org/new-name/resolve/main/m.gguf")).hasSize(1);
    }

    @Test
    void connectionCutMidFile_isResumedWithRange() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).cutAfter(100_000, 1);
        ResolvedModel r = hub().build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        List<FakeHub.Seen> gets = server.requests("GET", "/cdn/");
        assertThat(gets).hasSize(2);
        assertThat(gets.get(0).range()).isNull();
        // the client resumes where its bytes end (the JDK may drop the last buffered bytes of a broken connection)
        long resumedAt = rangeStart(gets.get(1));
        assertThat(resumedAt).isBetween(1L, 100_000L);
        assertThat(server.cdnBodyBytes.get()).isEqualTo(100_000 + bytes.length - resumedAt);
    }

    @Test
    void droppedConnectionWithoutRetries_keepsThePartial_andTheNextRunResumesIt() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).cutAfter(120_000, 1);
        assertThatThrownBy(() -> hub().maxRetries(0).build().resolve(ref("m.gguf")))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cannot download m.gguf of " + ref("m.gguf"))
                .hasMessageContaining(" bytes are kept in " + cache().resolve("partial"))
                .hasMessageContaining("the next attempt resumes");
        assertThat(cacheFiles("blobs")).isEmpty();
        long kept = Files.size(cache().resolve("partial/" + Hashes.hex(Hashes.sha256().digest(bytes)) + ".part"));
        assertThat(kept).isBetween(1L, 120_000L);

        ResolvedModel r = hub().build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(rangeStart(server.requests("GET", "/cdn/").getLast())).isEqualTo(kept);
        assertThat(cacheFiles("partial")).allMatch(f -> f.endsWith(".lock"));
    }

    @Test
    void aServerThatIgnoresRange_sendsTheWholeFileAgain_andTheResultIsStillRight() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).cutAfter(100_000, 1).noRanges();
        ResolvedModel r = hub().build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(server.requests("GET", "/cdn/")).hasSize(2);
        assertThat(rangeStart(server.requests("GET", "/cdn/").getLast())).isBetween(1L, 100_000L);
        assertThat(server.cdnBodyBytes.get()).isEqualTo(100_000 + bytes.length); // the whole file again
    }

    @Test
    void aPartialOfAnOlderVersion_isDiscarded_notResumed() throws Exception {
        server.plain("p.gguf", bytes).cutAfter(150_000, 1);
        String url = server.endpoint() + "/plain/p.gguf";
        assertThatThrownBy(() -> hub().maxRetries(0).build().resolve(url)).hasMessageContaining(" bytes are kept");
        byte[] v2 = new byte[200_000];
        new Random(99).nextBytes(v2);
        server.plain("p.gguf", v2); // the file changed on the server (a new ETag)
        ResolvedModel r = hub().build().resolve(url);
        assertThat(Files.readAllBytes(r.path())).isEqualTo(v2);
        assertThat(server.requests("GET", "/plain/")).last().extracting(FakeHub.Seen::range).isNull();
    }

    @Test
    void aSmallFileKeptInGit_isCheckedAgainstItsGitBlobSha1() throws Exception {
        server.file(REPO, "main", "config.gguf", bytes).notLfs();
        ModelHub hub = hub().build();
        ResolvedModel r = hub.resolve(ref("config.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(hub.cached().get(0).files().get(0).verifiedBy()).isEqualTo("git-sha1");

        server.file(REPO, "main", "broken.gguf", bytes).notLfs().corrupt(2);
        assertThatThrownBy(() -> hub.resolve(ref("broken.gguf"))).isInstanceOf(DownloadException.class)
                .hasMessageContaining("Git SHA-1 differs from the hub's " + FakeHub.gitSha1(bytes));
    }

    @Test
    void stalledTransfer_isAbortedAfterTheReadTimeout_andResumed() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).stallAfter(64 * 1024, 4_000, 1);
        long t0 = System.nanoTime();
        ResolvedModel r = hub().readTimeout(Duration.ofMillis(400)).build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat((System.nanoTime() - t0) / 1e6).isLessThan(3_500);
        assertThat(rangeStart(server.requests("GET", "/cdn/").getLast())).isBetween(1L, 65_536L);
    }

    @Test
    void serverErrors503_areRetriedWithBackoff() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).fail503(2);
        ResolvedModel r = hub().build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(server.requests("GET", "/cdn/")).hasSize(3);
    }

    @Test
    void corruptedOnce_isDownloadedAgainFromTheStart() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).corrupt(1);
        ResolvedModel r = hub().build().resolve(ref("m.gguf"));
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(server.requests("GET", "/cdn/")).hasSize(2).allMatch(s -> s.range() == null);
    }

    @Test
    void corruptedEveryTime_failsWithChecksumMismatch_andLeavesNothingInTheCache() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).corrupt(100);
        assertThatThrownBy(() -> hub().build().resolve(ref("m.gguf")))
                .isInstanceOf(DownloadException.class)
                .hasMessageStartingWith("checksum mismatch for m.gguf of " + ref("m.gguf") + ": SHA-256 ")
                .hasMessageContaining("but expected " + Hashes.hex(Hashes.sha256().digest(bytes)) + " (hub)")
                .hasMessageNotContaining("\n");
        assertThat(cacheFiles("blobs")).isEmpty();
        assertThat(cacheFiles("files")).isEmpty();
        assertThat(cacheFiles("manifests")).isEmpty();
        assertThat(cacheFiles("partial")).allMatch(f -> f.endsWith(".lock"));
    }

    @Test
    void fullDiskMidDownload_failsWithOneLine_andRemovesThePartial() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        PartialSink.Factory fillsUp = partial -> {
            PartialSink real = PartialSink.append(partial);
            return new PartialSink() {
                long written;

                @Override
                public void write(ByteBuffer b) throws IOException {
                    if (written + b.remaining() > 100_000) {
                        throw new IOException("No space left on device");
                    }
                    written += b.remaining();
                    real.write(b);
                }

                @Override
                public void force() throws IOException {
                    real.force();
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
        assertThatThrownBy(() -> hub().sinkFactory(fillsUp).build().resolve(ref("m.gguf")))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cannot write m.gguf of " + ref("m.gguf"))
                .hasMessageContaining("of 300000 bytes (IOException: No space left on device)")
                .hasMessageContaining("free disk space or set AUTOGLM_CACHE_DIR to a bigger disk; the partial file was removed")
                .hasMessageNotContaining("\n");
        assertThat(server.requests("GET", "/cdn/")).hasSize(1); // a full disk is not retried
        assertThat(cacheFiles("partial")).allMatch(f -> f.endsWith(".lock"));
        assertThat(cacheFiles("blobs")).isEmpty();
    }

    @Test
    void fileLargerThanTheFreeSpace_isRefusedBeforeAnyByteIsFetched() {
        server.file(REPO, "main", "huge.gguf", bytes).advertise(1L << 60);
        assertThatThrownBy(() -> hub().build().resolve(ref("huge.gguf")))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("not enough disk space for huge.gguf")
                .hasMessageContaining("needs " + (1L << 60) + " more bytes");
        assertThat(server.requests("GET", "/cdn/")).isEmpty();
    }

    @Test
    void missingFileAndMissingRepo_areModelNotFound_namingWhatIsMissing() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        assertThatThrownBy(() -> hub().build().resolve(ref("other.gguf")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("no file other.gguf in org/models at revision main for " + ref("other.gguf") + ": check the file name");
        assertThatThrownBy(() -> hub().build().resolve("hf://nobody/nothing/m.gguf"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageStartingWith("repository nobody/nothing not found on 127.0.0.1:")
                .hasMessageContaining("if it is private, set HF_TOKEN");
        assertThat(cacheFiles("")).allMatch(f -> f.endsWith(".lock"));
    }

    @Test
    void gatedRepository_401WithoutToken_403WithAWrongOne_andDownloadsWithTheRightOne() throws Exception {
        server.file("org/gated", "main", "m.gguf", bytes);
        server.gate("org/gated", "good-token");
        assertThatThrownBy(() -> hub().build().resolve("hf://org/gated/m.gguf"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("answered 401 (authentication required): the repository is gated or private; "
                        + "set HF_TOKEN to an access token that can read it");
        assertThatThrownBy(() -> hub().token("bad-token").build().resolve("hf://org/gated/m.gguf"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("answered 403 (forbidden): the repository is gated; accept its conditions at "
                        + server.endpoint() + "/org/gated");
        ResolvedModel r = hub().token("good-token").build().resolve("hf://org/gated/m.gguf");
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
    }

    @Test
    void catalogChecksum_thatDisagreesWithTheHub_isRefusedBeforeDownloading() {
        server.file(REPO, "main", "m.gguf", bytes);
        ModelCatalog c = ModelCatalog.empty().with("mine  " + ref("m.gguf") + "  sha256=" + "b".repeat(64), "test");
        assertThatThrownBy(() -> hub().catalog(c).build().resolve("mine"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("the catalog SHA-256 is " + "b".repeat(64) + " but 127.0.0.1:")
                .hasMessageContaining("the file changed on the hub: pin a revision or update the catalog");
        assertThat(server.requests("GET", "/cdn/")).isEmpty();
    }

    @Test
    void catalogName_isFoundByContentInTheCache_withoutNetwork() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        String sha = Hashes.hex(Hashes.sha256().digest(bytes));
        hub().build().pull(ref("m.gguf"));
        server.close();
        ModelCatalog c = ModelCatalog.empty().with("mine:q  https://elsewhere.invalid/m.gguf  size=300000  sha256=" + sha, "test");
        ModelHub offline = hub().catalog(c).offline(true).build();
        ResolvedModel r = offline.resolve("mine");
        assertThat(r.source()).isEqualTo(ResolvedModel.Source.CACHE);
        assertThat(Files.readAllBytes(r.path())).isEqualTo(bytes);
        assertThat(cacheFiles("blobs")).containsExactly("blobs/sha256-" + sha); // one copy for both references
        assertThat(offline.cached()).extracting(CachedModel::displayName).contains("mine:q");
    }

    @Test
    void offline_withoutTheFile_saysWhatToDo_andMakesNoRequest() {
        ModelCatalog c = ModelCatalog.empty().with("tiny  " + ref("m.gguf") + "  size=5", "test");
        assertThatThrownBy(() -> hub().catalog(c).offline(true).build().resolve("tiny"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("tiny is not in the model cache (" + cache() + ") and AUTOGLM_MODELS is not set, and downloads are off "
                        + "(offline mode): run 'autoglm pull tiny' with network access, or set AUTOGLM_MODELS to a folder holding m.gguf");
        assertThat(server.seen).isEmpty();
        ModelHub fromEnv = ModelHub.builder(Map.of("HF_HUB_OFFLINE", "1")).catalog(c).cacheDir(cache()).build();
        assertThatThrownBy(() -> fromEnv.resolve("tiny")).hasMessageContaining("downloads are off (HF_HUB_OFFLINE=1)");
    }

    @Test
    void searchPath_isUsedInPlace_afterTheCache_whenTheSizeMatches() throws Exception {
        Path shelf = Files.createDirectories(tmp.resolve("shelf"));
        Files.write(shelf.resolve("m.gguf"), bytes);
        ModelCatalog good = ModelCatalog.empty().with("m  " + ref("m.gguf") + "  size=" + bytes.length, "t");
        ResolvedModel r = hub().catalog(good).searchPath(List.of(tmp.resolve("empty"), shelf)).build().resolve("m");
        assertThat(r.source()).isEqualTo(ResolvedModel.Source.SEARCH_PATH);
        assertThat(r.path()).isEqualTo(shelf.resolve("m.gguf"));
        assertThat(server.seen).isEmpty();

        server.file(REPO, "main", "m.gguf", bytes);
        ModelCatalog wrongSize = ModelCatalog.empty().with("m  " + ref("m.gguf") + "  size=" + (bytes.length + 1), "t");
        assertThatThrownBy(() -> hub().catalog(wrongSize).searchPath(List.of(shelf)).build().resolve("m"))
                .isInstanceOf(DownloadException.class).hasMessageContaining("the catalog says 300001 bytes");
    }

    @Test
    void urlReferences_pinnedAreVerified_unpinnedAreHashedAndMarkedUnverified() throws Exception {
        server.plain("a.gguf", bytes);
        String sha = Hashes.hex(Hashes.sha256().digest(bytes));
        String url = server.endpoint() + "/plain/a.gguf";
        ModelHub hub = hub().build();
        assertThat(Files.readAllBytes(hub.resolve(url).path())).isEqualTo(bytes);
        assertThat(hub.cached().get(0).files().get(0).verifiedBy()).isEqualTo("none");
        assertThat(hub.cached().get(0).files().get(0).sha256()).isEqualTo(sha);

        server.plain("b.gguf", bytes);
        String wrong = "c".repeat(64);
        assertThatThrownBy(() -> hub.resolve(server.endpoint() + "/plain/b.gguf#sha256=" + wrong))
                .isInstanceOf(DownloadException.class).hasMessageContaining("but expected " + wrong + " (pinned)");
        ResolvedModel ok = hub.resolve(server.endpoint() + "/plain/b.gguf#sha256=" + sha);
        assertThat(ok.source()).isEqualTo(ResolvedModel.Source.CACHE); // same bytes as a.gguf: found by content
    }

    @Test
    void pullOfABranch_checksTheHubAgain_andReplacesAFileThatChanged() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        ModelHub hub = hub().build();
        ResolvedModel first = hub.pull(ref("m.gguf"));
        String oldSha = first.files().get(0).sha256();
        assertThat(hub.pull(ref("m.gguf")).source()).isEqualTo(ResolvedModel.Source.CACHE); // unchanged: no download
        assertThat(server.requests("GET", "/cdn/")).hasSize(1);

        byte[] v2 = bytes.clone();
        v2[0] ^= 1;
        server.file(REPO, "main", "m.gguf", v2);
        ResolvedModel second = hub.pull(ref("m.gguf"));
        assertThat(second.source()).isEqualTo(ResolvedModel.Source.DOWNLOADED);
        assertThat(Files.readAllBytes(second.path())).isEqualTo(v2);
        assertThat(Files.exists(cache().resolve("blobs/sha256-" + oldSha))).isFalse();
        assertThat(hub.cached()).hasSize(1);
    }

    @Test
    void twoThreadsPullingOneFile_downloadItOnce() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes).throttle(600_000);
        ModelHub a = hub().build();
        ModelHub b = hub().build();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<ResolvedModel> fa = pool.submit((Callable<ResolvedModel>) () -> a.pull(ref("m.gguf")));
            Future<ResolvedModel> fb = pool.submit((Callable<ResolvedModel>) () -> b.pull(ref("m.gguf")));
            assertThat(fa.get().path()).isEqualTo(fb.get().path());
            assertThat(Files.readAllBytes(fa.get().path())).isEqualTo(bytes);
        }
        assertThat(server.requests("GET", "/cdn/")).hasSize(1);
    }

    @Test
    void removeDeletesTheModel_butKeepsFilesAnotherReferenceShares() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        server.file(REPO, "v1", "m.gguf", bytes);
        ModelHub hub = hub().build();
        hub.pull(ref("m.gguf"));
        hub.pull("hf://" + REPO + "/m.gguf@v1");
        assertThat(hub.cached()).hasSize(2);

        CachedModel gone = hub.remove(ref("m.gguf")).orElseThrow();
        assertThat(gone.reference()).isEqualTo(ref("m.gguf"));
        assertThat(hub.cached()).extracting(CachedModel::reference).containsExactly("hf://" + REPO + "/m.gguf@v1");
        assertThat(cacheFiles("blobs")).hasSize(1);
        assertThat(Files.exists(cache().resolve("files/hf/org/models/main"))).isFalse();

        assertThat(hub.remove("hf://" + REPO + "/m.gguf@v1")).isPresent();
        assertThat(cacheFiles("blobs")).isEmpty();
        assertThat(hub.remove("hf://" + REPO + "/m.gguf@v1")).isEmpty();
    }

    @Test
    void noServerListening_failsFastWithOneLineSayingWhatToDo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ModelCatalog c = ModelCatalog.empty().with("tiny  " + ref("tinyllamas/tiny.gguf"), "t");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> hub().catalog(c).endpoint(URI.create("http://127.0.0.1:" + port)).build().resolve("tiny"))
                .isInstanceOf(DownloadException.class)
                .hasMessageStartingWith("cannot download tiny.gguf of tiny from 127.0.0.1:" + port + " (ConnectException")
                .hasMessageContaining("3 attempts")
                .hasMessageEndingWith("Without network: put tiny.gguf in a folder on AUTOGLM_MODELS, or run 'autoglm pull tiny' "
                        + "where there is network and copy its cache folder (AUTOGLM_CACHE_DIR)")
                .hasMessageNotContaining("\n");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    }

    @Test
    void theJdkProxySelector_carriesEveryRequest() throws Exception {
        server.file(REPO, "main", "m.gguf", bytes);
        ProxySelector viaFakeHub = ProxySelector.of(new InetSocketAddress("127.0.0.1", server.port()));
        ModelHub hub = hub().endpoint(URI.create("http://hub.invalid")).proxy(viaFakeHub).build();
        assertThat(Files.readAllBytes(hub.resolve(ref("m.gguf")).path())).isEqualTo(bytes);
        assertThat(server.seen).hasSizeGreaterThanOrEqualTo(2).allMatch(FakeHub.Seen::proxied);
        assertThat(server.seen.get(0).host()).isEqualTo("hub.invalid");
    }

    @Test
    void environment_isRead_andBadValuesAreRejectedNamingTheVariable() {
        ModelHub h = ModelHub.builder(Map.of("AUTOGLM_CACHE_DIR", tmp.toString(), "AUTOGLM_MODELS",
                tmp.resolve("a") + java.io.File.pathSeparator + tmp.resolve("b"), "HF_ENDPOINT", "https://mirror.example/hf/",
                "HF_HUB_OFFLINE", "true")).build();
        assertThat(h.cacheDir()).isEqualTo(tmp.resolve("models"));
        assertThat(h.searchPath()).containsExactly(tmp.resolve("a"), tmp.resolve("b"));
        assertThat(h.offline()).isTrue();
        assertThat(h.hubUrl(new ModelReference.Hub("o/r", "dir/a b.gguf", "refs/pr/1")).toString())
                .isEqualTo("https://mirror.example/hf/o/r/resolve/refs%2Fpr%2F1/dir/a%20b.gguf");
        assertThat(ModelHub.builder(Map.of()).build().endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThatThrownBy(() -> ModelHub.builder(Map.of("HF_ENDPOINT", "ftp://x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HF_ENDPOINT must be an http(s):// URL with a host, was 'ftp://x'");
        assertThatThrownBy(() -> ModelHub.builder(Map.of("AUTOGLM_CATALOG", tmp.resolve("none.txt").toString())).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("AUTOGLM_CATALOG names " + tmp.resolve("none.txt"));
        assertThatThrownBy(() -> hub().maxRetries(-1)).hasMessage("maxRetries must be in [0, 100], was -1");
        assertThatThrownBy(() -> hub().readTimeout(Duration.ZERO)).hasMessage("readTimeout must be > 0, was PT0S");
    }

    @Test
    void referencesThatNameNothing_areClearErrors() {
        ModelHub hub = hub().build();
        assertThatThrownBy(() -> hub.resolve("no-such-model"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageStartingWith("'no-such-model' is neither a model file nor a catalog name (catalog: stories260k, ")
                .hasMessageEndingWith("give a path, hf://owner/repo/file.gguf[@revision], an https:// URL, or a catalog name (AUTOGLM_CATALOG adds names)");
        assertThatThrownBy(() -> hub.resolve(tmp.resolve("missing.gguf").toString()))
                .isInstanceOf(ModelNotFoundException.class).hasMessage("model file not found: " + tmp.resolve("missing.gguf"));
        assertThatThrownBy(() -> hub.pull(tmp.resolve("x.gguf").toString())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a local path");
    }
}
