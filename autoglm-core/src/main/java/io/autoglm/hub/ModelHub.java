package io.autoglm.hub;

import io.autoglm.ModelFormatException;
import io.autoglm.ModelLoadException;
import io.autoglm.gguf.GgufFile;
import io.autoglm.internal.BundledLibrary;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns model references into local GGUF files: looks in the cache, then in the folders on {@code AUTOGLM_MODELS},
 * then downloads. Thread-safe; two threads or two processes pulling the same file wait for each other and download it
 * once.
 *
 * <pre>{@code
 * ModelHub hub = ModelHub.builder()          // settings from the environment, see below
 *         .listener(p -> System.err.printf("%s %d/%d%n", p.fileName(), p.bytesDone(), p.totalBytes()))
 *         .build();
 * ResolvedModel m = hub.resolve("qwen2.5-0.5b-instruct:q4_k_m");   // or a path, hf://..., https://...
 * try (LanguageModel model = AutoGLM.builder().model(m.path()).build()) { ... }
 * // or simply: AutoGLM.builder().model("stories260k").modelHub(hub).build()
 * }</pre>
 *
 * <p>{@link #builder()} reads these settings (each has a setter that wins over it):
 * <ul>
 * <li>cache: {@code -Dautoglm.cache.dir}, else {@code AUTOGLM_CACHE_DIR}, else {@code ~/.cache/autoglm}; models live
 *     in its {@code models} folder (the native library in its {@code native} folder);</li>
 * <li>search path: {@code -Dautoglm.models}, else {@code AUTOGLM_MODELS}: folders separated by
 *     {@link File#pathSeparator}, searched for the model's file name (files there are used in place; their size is
 *     checked against the catalog, they are not hashed);</li>
 * <li>catalog: the built-in one plus the files on {@code -Dautoglm.catalog} / {@code AUTOGLM_CATALOG};</li>
 * <li>hub: {@code HF_ENDPOINT} (default {@code https://huggingface.co}), files at
 *     {@code {endpoint}/{owner}/{repo}/resolve/{revision}/{path}} as Hugging Face's own clients fetch them;
 *     {@code HF_TOKEN} for gated and private repositories (sent to the hub's host only, never to its CDN);</li>
 * <li>offline: {@code HF_HUB_OFFLINE=1} (or {@code -Dautoglm.offline=true}): no network at all;</li>
 * <li>proxy: the JDK's ({@code -Dhttps.proxyHost}, {@code -Dhttps.proxyPort}, {@code -Dhttp.nonProxyHosts},
 *     {@code -Djava.net.useSystemProxies=true}).</li>
 * </ul>
 */
public final class ModelHub {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHub.class);
    /** The Hugging Face hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    /** Download tuning shared with {@link HubClient}. */
    record Settings(int maxRetries, Duration retryBackoff, Duration maxBackoff, Duration readTimeout,
            Duration progressInterval, PartialSink.Factory sinks) {
    }

    private final ModelCache cache;
    private final List<Path> searchPath;
    private final String searchPathOrigin;
    private final ModelCatalog catalog;
    private final URI endpoint;
    private final String token;
    private final boolean offline;
    private final String offlineReason;
    private final DownloadListener listener;
    private final ProxySelector proxy;
    private final Duration connectTimeout;
    private final Settings settings;
    private volatile HubClient client;

    private ModelHub(Builder b, ModelCatalog catalog) {
        this.cache = new ModelCache(b.cacheDir);
        this.searchPath = List.copyOf(b.searchPath);
        this.searchPathOrigin = b.searchPathOrigin;
        this.catalog = catalog;
        this.endpoint = b.endpoint;
        this.token = b.token;
        this.offline = b.offline;
        this.offlineReason = b.offlineReason;
        this.listener = b.listener;
        this.proxy = b.proxy;
        this.connectTimeout = b.connectTimeout;
        this.settings = new Settings(b.maxRetries, b.retryBackoff, b.maxBackoff, b.readTimeout, b.progressInterval, b.sinks);
    }

    /** @return a builder with the settings of this JVM's system properties and environment variables (see above) */
    public static Builder builder() {
        return new Builder(System.getenv(), true);
    }

    /**
     * @param environment the variables to read instead of {@link System#getenv()} ({@code AUTOGLM_CACHE_DIR},
     *     {@code AUTOGLM_MODELS}, {@code AUTOGLM_CATALOG}, {@code HF_ENDPOINT}, {@code HF_TOKEN},
     *     {@code HF_HUB_OFFLINE}); system properties are not read
     * @return a builder with those settings
     */
    public static Builder builder(Map<String, String> environment) {
        return new Builder(Map.copyOf(Objects.requireNonNull(environment, "environment")), false);
    }

    /** @return the cache folder (holding {@code blobs}, {@code files}, {@code manifests}, {@code partial}) */
    public Path cacheDir() {
        return cache.root();
    }

    /** @return the folders searched after the cache */
    public List<Path> searchPath() {
        return searchPath;
    }

    /** @return the catalog names are looked up in */
    public ModelCatalog catalog() {
        return catalog;
    }

    /** @return the hub's base URL */
    public URI endpoint() {
        return endpoint;
    }

    /** @return whether downloads are off */
    public boolean offline() {
        return offline;
    }

    // ---- resolve and pull ---------------------------------------------------------------------------------------

    /**
     * Finds a model: a local path as it is; anything else in the cache, then on the search path, then by download
     * (unless offline).
     *
     * @param reference a path, {@code hf://owner/repo/file.gguf[@revision]}, an {@code https://} URL or a catalog name
     * @return the local files
     * @throws IllegalArgumentException when the reference is malformed
     * @throws ModelNotFoundException when it names nothing, the hub has no such file, or it is not available offline
     * @throws DownloadException when the download fails (network, 401/403, checksum, disk)
     * @throws ModelFormatException when the parts of a split model do not belong together
     */
    public ResolvedModel resolve(String reference) {
        return resolve(ModelReference.parse(reference), reference.strip(), false);
    }

    /**
     * Makes sure a model is in the cache: downloads it unless the cache already holds it. A reference whose checksum
     * is not pinned (an {@code hf://} file on a branch, a catalog entry marked {@code unverified}) is checked against
     * the hub and downloaded again when the hub's file changed. The search path is not used.
     *
     * @param reference {@code hf://...}, {@code https://...} or a catalog name
     * @return the cached files
     * @throws IllegalArgumentException for a local path or a malformed reference
     * @throws ModelNotFoundException when it names nothing, or offline and not cached
     * @throws DownloadException when the download fails
     */
    public ResolvedModel pull(String reference) {
        ModelReference ref = ModelReference.parse(reference);
        if (ref instanceof ModelReference.Local l) {
            throw new IllegalArgumentException("pull takes a catalog name, hf://owner/repo/file.gguf or an https:// URL; '"
                    + l.path() + "' is a local path");
        }
        return resolve(ref, reference.strip(), true);
    }

    private ResolvedModel resolve(ModelReference ref, String asWritten, boolean pull) {
        ResolvedModel r = switch (ref) {
            case ModelReference.Local l -> local(l.path(), asWritten);
            case ModelReference.Catalog c -> fetch(plan(catalogEntry(c.name(), asWritten), asWritten), pull);
            case ModelReference.Hub h -> fetch(plan(h, asWritten), pull);
            case ModelReference.Url u -> fetch(plan(u, asWritten), pull);
        };
        checkSplit(r.files().stream().map(ResolvedModel.File::path).toList());
        LOG.debug("{} resolved to {} ({})", asWritten, r.path(), r.source());
        return r;
    }

    private CatalogEntry catalogEntry(String name, String asWritten) {
        return catalog.find(name).orElseThrow(() -> new ModelNotFoundException("'" + asWritten
                + "' is neither a model file nor a catalog name (catalog: " + catalog.names() + "); give a path, "
                + "hf://owner/repo/file.gguf[@revision], an https:// URL, or a catalog name (AUTOGLM_CATALOG adds names)"));
    }

    private static ResolvedModel local(Path path, String asWritten) {
        List<String> names = SplitFiles.parts(path.getFileName().toString());
        if (names.size() > 1 && !declaresSplit(path.resolveSibling(names.get(0)))) {
            names = List.of(path.getFileName().toString()); // named like a part, but a whole model
        }
        List<ResolvedModel.File> files = new ArrayList<>();
        for (String n : names) {
            Path p = names.size() == 1 ? path : path.resolveSibling(n);
            String what = names.size() == 1 ? "model file" : "part " + n + " of the split model";
            if (!Files.exists(p)) {
                throw new ModelNotFoundException(what + " not found: " + p.toAbsolutePath());
            }
            if (Files.isDirectory(p)) {
                throw new ModelLoadException("model path is a directory, not a GGUF file: " + p.toAbsolutePath());
            }
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new ModelLoadException(what + " is not a readable regular file: " + p.toAbsolutePath());
            }
            files.add(new ResolvedModel.File(p, sizeOf(p), ""));
        }
        return new ResolvedModel(asWritten, files.get(0).path(), files, ResolvedModel.Source.LOCAL);
    }

    // ---- plans: what files a reference stands for ---------------------------------------------------------------

    /** One file to find or fetch. */
    private record Part(ModelReference source, URI url, String fileName, String repoPath, long size, String sha256,
            String shaBy, String view) {
    }

    /** The files of one reference, and the key of its manifest. */
    private record Plan(String key, String asWritten, Set<String> names, List<Part> parts) {
        boolean allPinned() {
            return parts.stream().allMatch(p -> p.sha256() != null);
        }
    }

    private Plan plan(CatalogEntry e, String asWritten) {
        List<Part> parts = new ArrayList<>();
        for (CatalogEntry.File f : e.files()) {
            parts.add(part(f.source(), f.sizeBytes(), f.sha256(), "catalog"));
        }
        return new Plan(parts.get(0).source().canonical(), asWritten, Set.of(e.name()), parts);
    }

    private Plan plan(ModelReference.Hub h, String asWritten) {
        List<Part> parts = ModelCatalog.partsOf(h).stream().map(p -> part(p, -1, null, null)).toList();
        return new Plan(parts.get(0).source().canonical(), asWritten, Set.of(), parts);
    }

    private Plan plan(ModelReference.Url u, String asWritten) {
        List<ModelReference> refs = ModelCatalog.partsOf(new ModelReference.Url(u.uri(), null));
        if (refs.size() > 1 && u.sha256() != null) {
            throw new IllegalArgumentException("a #sha256= pin covers one file, but " + u.fileName()
                    + " is one part of a split model; describe the parts in a catalog file (AUTOGLM_CATALOG) instead");
        }
        List<Part> parts = refs.stream().map(p -> part(p, -1, u.sha256(), "pinned")).toList();
        return new Plan(parts.get(0).source().canonical(), asWritten, Set.of(), parts);
    }

    private Part part(ModelReference source, long size, String sha256, String shaBy) {
        return switch (source) {
            case ModelReference.Hub h -> new Part(h, hubUrl(h), h.fileName(), h.path(), size, sha256, shaBy,
                    "hf/" + h.repo() + "/" + h.revision().replace("/", "%2F") + "/" + h.path());
            case ModelReference.Url u -> new Part(u, u.uri(), u.fileName(), u.fileName(), size, sha256, shaBy, urlView(u.uri()));
            default -> throw new IllegalArgumentException("not a remote file: " + source.canonical());
        };
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{path}}, the revision encoded whole and the path per segment. */
    URI hubUrl(ModelReference.Hub h) {
        String base = endpoint.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        StringBuilder path = new StringBuilder();
        for (String seg : h.path().split("/")) {
            path.append('/').append(encode(seg));
        }
        return URI.create(base + "/" + h.repo() + "/resolve/" + encode(h.revision()) + path);
    }

    private static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    private static String urlView(URI u) {
        StringBuilder sb = new StringBuilder("url/").append(safe(u.getHost() + (u.getPort() >= 0 ? "_" + u.getPort() : "")));
        for (String seg : u.getPath().split("/")) {
            if (!seg.isEmpty()) {
                sb.append('/').append(safe(seg));
            }
        }
        return sb.toString();
    }

    private static String safe(String seg) {
        String s = seg.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.equals(".") || s.equals("..") ? "_" : s;
    }

    // ---- cache, search path, download ---------------------------------------------------------------------------

    private ResolvedModel fetch(Plan plan, boolean pull) {
        Optional<ModelCache.Manifest> existing = cache.manifest(plan.key());
        if (plan.allPinned() && plan.parts().stream().allMatch(p -> Files.isRegularFile(cache.blob(p.sha256())))) {
            ModelCache.Manifest m = existing.filter(x -> sameFiles(x, plan)).orElseGet(() -> pinnedManifest(plan));
            return fromCache(m.withNames(plan.names()), plan.asWritten(), existing.isEmpty() || !existing.get().names().containsAll(plan.names()));
        }
        boolean cachedOk = existing.isPresent() && cache.complete(existing.get())
                && (!plan.allPinned() || sameFiles(existing.get(), plan));
        if (cachedOk && !(pull && !offline)) {
            return fromCache(existing.get().withNames(plan.names()), plan.asWritten(),
                    !existing.get().names().containsAll(plan.names()));
        }
        if (!pull) {
            Optional<ResolvedModel> found = onSearchPath(plan);
            if (found.isPresent()) {
                return found.get();
            }
        }
        if (offline) {
            throw new ModelNotFoundException(notAvailableOffline(plan));
        }
        return download(plan, existing);
    }

    private static boolean sameFiles(ModelCache.Manifest m, Plan plan) {
        if (m.parts().size() != plan.parts().size()) {
            return false;
        }
        for (int i = 0; i < m.parts().size(); i++) {
            String want = plan.parts().get(i).sha256();
            if (want != null && !want.equals(m.parts().get(i).sha256())) {
                return false;
            }
        }
        return true;
    }

    private ModelCache.Manifest pinnedManifest(Plan plan) {
        List<ModelCache.Manifest.Part> parts = plan.parts().stream().map(p -> new ModelCache.Manifest.Part(p.fileName(),
                p.view(), p.url().toString(), p.sha256(), sizeOf(cache.blob(p.sha256())), p.shaBy())).toList();
        Instant now = Instant.now();
        return new ModelCache.Manifest(plan.key(), new LinkedHashSet<>(plan.names()), "", parts, now, now);
    }

    private ResolvedModel fromCache(ModelCache.Manifest m, String asWritten, boolean rewrite) {
        List<ResolvedModel.File> files = new ArrayList<>();
        for (ModelCache.Manifest.Part p : m.parts()) {
            files.add(new ResolvedModel.File(cache.link(p.sha256(), p.view()), p.size(), p.sha256()));
        }
        if (rewrite) {
            cache.write(m);
        } else {
            cache.touch(m);
        }
        return new ResolvedModel(asWritten, files.get(0).path(), files, ResolvedModel.Source.CACHE);
    }

    private Optional<ResolvedModel> onSearchPath(Plan plan) {
        for (Path dir : searchPath) {
            List<ResolvedModel.File> files = new ArrayList<>();
            for (Part p : plan.parts()) {
                Path hit = null;
                for (String rel : new LinkedHashSet<>(List.of(p.fileName(), p.repoPath()))) {
                    Path c;
                    try {
                        c = dir.resolve(rel);
                    } catch (InvalidPathException e) {
                        continue;
                    }
                    if (Files.isRegularFile(c)) {
                        if (p.size() >= 0 && sizeOf(c) != p.size()) {
                            LOG.warn("ignoring {} on AUTOGLM_MODELS: {} bytes, but {} has {}", c, sizeOf(c), plan.asWritten(), p.size());
                            continue;
                        }
                        hit = c;
                        break;
                    }
                }
                if (hit == null) {
                    break;
                }
                files.add(new ResolvedModel.File(hit, sizeOf(hit), ""));
            }
            if (files.size() == plan.parts().size()) {
                Path folder = files.get(0).path().getParent();
                if (files.stream().allMatch(f -> Objects.equals(f.path().getParent(), folder))) {
                    return Optional.of(new ResolvedModel(plan.asWritten(), files.get(0).path(), files, ResolvedModel.Source.SEARCH_PATH));
                }
            }
        }
        return Optional.empty();
    }

    private String notAvailableOffline(Plan plan) {
        String file = plan.parts().get(0).fileName();
        return plan.asWritten() + " is not in the model cache (" + cache.root() + ")"
                + (searchPath.isEmpty() ? " and AUTOGLM_MODELS is not set" : " nor on AUTOGLM_MODELS (" + searchPathOrigin + ")")
                + ", and downloads are off (" + offlineReason + "): run 'autoglm pull " + plan.asWritten()
                + "' with network access, or set AUTOGLM_MODELS to a folder holding " + file;
    }

    private ResolvedModel download(Plan plan, Optional<ModelCache.Manifest> previous) {
        HubClient c = client();
        List<ModelCache.Manifest.Part> parts = new ArrayList<>();
        String commit = "";
        boolean anyDownloaded = false;
        for (int i = 0; i < plan.parts().size(); i++) {
            Part p = plan.parts().get(i);
            ModelReference.Hub h = p.source() instanceof ModelReference.Hub hub ? hub : null;
            HubClient.Fetched f = c.fetch(new HubClient.Request(plan.asWritten(), p.url(), p.fileName(), i + 1,
                    plan.parts().size(), p.sha256(), p.shaBy(), p.size(), h == null ? null : h.repo(),
                    h == null ? null : h.path(), h == null ? null : h.revision()));
            anyDownloaded |= f.downloaded();
            commit = commit.isEmpty() ? f.commit() : commit;
            parts.add(new ModelCache.Manifest.Part(p.fileName(), p.view(), p.url().toString(), f.sha256(), f.size(), f.verifiedBy()));
        }
        Set<String> names = new LinkedHashSet<>(plan.names());
        previous.ifPresent(m -> names.addAll(m.names()));
        Instant now = Instant.now();
        Instant pulledAt = anyDownloaded || previous.isEmpty() ? now : previous.get().pulledAt();
        ModelCache.Manifest m = new ModelCache.Manifest(plan.key(), names, commit, List.copyOf(parts), pulledAt, now);
        List<ResolvedModel.File> files = new ArrayList<>();
        for (ModelCache.Manifest.Part p : parts) {
            files.add(new ResolvedModel.File(cache.link(p.sha256(), p.view()), p.size(), p.sha256()));
        }
        cache.write(m);
        previous.ifPresent(old -> dropUnused(old, m));
        return new ResolvedModel(plan.asWritten(), files.get(0).path(), files,
                anyDownloaded ? ResolvedModel.Source.DOWNLOADED : ResolvedModel.Source.CACHE);
    }

    /** After a reference moved to new files, deletes the old blobs nothing refers to any more. */
    private void dropUnused(ModelCache.Manifest old, ModelCache.Manifest now) {
        Set<String> used = new LinkedHashSet<>();
        cache.manifests().forEach(m -> m.parts().forEach(p -> used.add(p.sha256())));
        for (ModelCache.Manifest.Part p : old.parts()) {
            if (!used.contains(p.sha256())) {
                try {
                    Path b = cache.blob(p.sha256());
                    b.toFile().setWritable(true, true);
                    Files.deleteIfExists(b);
                    LOG.info("removed the previous version of {} ({}) from the cache", now.reference(), p.sha256());
                } catch (IOException e) {
                    LOG.warn("cannot remove the unused cache file {}: {}", cache.blob(p.sha256()), e.toString());
                }
            }
        }
    }

    private HubClient client() {
        HubClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout);
                    ProxySelector ps = proxy != null ? proxy : ProxySelector.getDefault();
                    if (ps != null) {
                        b.proxy(ps);
                    }
                    c = new HubClient(b.build(), endpoint, token, cache, settings, listener);
                    client = c;
                }
            }
        }
        return c;
    }

    /** @return whether the file exists and its {@code split.count} is above 1 (true when it cannot be read: let the checks say why) */
    private static boolean declaresSplit(Path first) {
        if (!Files.isRegularFile(first)) {
            return true;
        }
        try (GgufFile f = GgufFile.open(first)) {
            return f.getLong("split.count").orElse(1) > 1;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The parts of a split model must say so, in order ({@code split.no}, {@code split.count}). */
    private static void checkSplit(List<Path> files) {
        if (files.size() < 2) {
            return;
        }
        for (int i = 0; i < files.size(); i++) {
            try (GgufFile f = GgufFile.open(files.get(i))) {
                long no = f.getLong("split.no").orElse(-1);
                long count = f.getLong("split.count").orElse(-1);
                if (no != i || count != files.size()) {
                    throw new ModelFormatException(files.get(i) + " is not part " + (i + 1) + " of " + files.size()
                            + " of a split model (its split.no is " + no + ", split.count " + count + ")", -1);
                }
            }
        }
    }

    // ---- cache listing and removal ------------------------------------------------------------------------------

    /** @return the models in the cache, most recently used first */
    public List<CachedModel> cached() {
        return cache.manifests().stream().map(this::describe)
                .sorted(Comparator.comparing(CachedModel::lastUsed).reversed()).toList();
    }

    private CachedModel describe(ModelCache.Manifest m) {
        List<CachedModel.File> files = m.parts().stream().map(p -> new CachedModel.File(p.name(), cache.view(p.view()),
                p.size(), p.sha256(), p.url(), p.verifiedBy())).toList();
        return new CachedModel(m.reference(), List.copyOf(m.names()), m.commit(), files, m.pulledAt(), m.lastUsed(), cache.complete(m));
    }

    /**
     * Removes a model from the cache: its manifest, its files (unless another cached reference shares them) and any
     * partial download. No network is used.
     *
     * @param reference as pulled: a catalog name, {@code hf://...} or a URL (or the canonical reference
     *     {@code autoglm models} shows)
     * @return what was removed, or empty when it was not in the cache
     * @throws IllegalArgumentException for a malformed reference or a local path
     */
    public Optional<CachedModel> remove(String reference) {
        ModelReference ref = ModelReference.parse(reference);
        Set<String> keys = new LinkedHashSet<>();
        List<Part> parts = new ArrayList<>();
        switch (ref) {
            case ModelReference.Local l -> throw new IllegalArgumentException("rm takes a cached model's reference; '" + l.path()
                    + "' is a local path (delete it yourself)");
            case ModelReference.Catalog c -> catalog.find(c.name()).ifPresent(e -> {
                Plan p = plan(e, reference);
                keys.add(p.key());
                parts.addAll(p.parts());
            });
            case ModelReference.Hub h -> {
                Plan p = plan(h, reference);
                keys.add(p.key());
                parts.addAll(p.parts());
            }
            case ModelReference.Url u -> {
                Plan p = plan(u, reference);
                keys.add(p.key());
                parts.addAll(p.parts());
            }
        }
        String lower = reference.strip().toLowerCase(Locale.ROOT);
        List<ModelCache.Manifest> matches = cache.manifests().stream()
                .filter(m -> keys.contains(m.reference()) || m.reference().equals(reference.strip())
                        || m.names().stream().anyMatch(n -> n.equals(lower)))
                .toList();
        for (Part p : parts) { // partial downloads of this reference, finished or not
            try {
                String key = p.sha256() != null ? p.sha256() : Hashes.sha256(p.url().toString()).substring(0, 40);
                Files.deleteIfExists(cache.partial(key));
                Files.deleteIfExists(cache.partialDir().resolve(key + ".etag"));
            } catch (IOException e) {
                LOG.warn("cannot remove a partial download of {}: {}", reference, e.toString());
            }
        }
        if (matches.isEmpty()) {
            return Optional.empty();
        }
        CachedModel first = describe(matches.get(0));
        for (ModelCache.Manifest m : matches) {
            try {
                cache.remove(m);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + m.reference() + " from " + cache.root() + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(first);
    }

    /** @return bytes held by unfinished downloads in {@code partial/} */
    public long partialBytes() {
        try (var s = Files.list(cache.partialDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).mapToLong(ModelHub::sizeOf).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "ModelHub[cache=" + cache.root() + ", searchPath=" + searchPath + ", endpoint=" + endpoint
                + (offline ? ", offline" : "") + "]";
    }

    // ---- builder ------------------------------------------------------------------------------------------------

    /** Settings of a {@link ModelHub}; each setter validates at once and wins over the environment. */
    public static final class Builder {
        private Path cacheDir;
        private List<Path> searchPath;
        private String searchPathOrigin;
        private ModelCatalog catalog;
        private final List<Path> catalogFiles = new ArrayList<>();
        private String catalogOrigin;
        private URI endpoint = DEFAULT_ENDPOINT;
        private String token;
        private boolean offline;
        private String offlineReason = "offline(true)";
        private DownloadListener listener = DownloadListener.NONE;
        private ProxySelector proxy;
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration readTimeout = Duration.ofSeconds(60);
        private int maxRetries = 5;
        private Duration retryBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration progressInterval = Duration.ofMillis(100);
        private PartialSink.Factory sinks = PartialSink::append;

        private Builder(Map<String, String> env, boolean system) {
            String cacheRoot = system ? BundledLibrary.cacheDir().toString() : env.get("AUTOGLM_CACHE_DIR");
            cacheDir = cacheRoot == null || cacheRoot.isBlank()
                    ? Path.of(System.getProperty("user.home"), ".cache", "autoglm", "models")
                    : Path.of(cacheRoot).resolve("models");
            String models = system ? firstSet(System.getProperty("autoglm.models"), env.get("AUTOGLM_MODELS")) : env.get("AUTOGLM_MODELS");
            searchPath = paths(models, "AUTOGLM_MODELS");
            searchPathOrigin = models == null ? "" : models;
            String catalogs = system ? firstSet(System.getProperty("autoglm.catalog"), env.get("AUTOGLM_CATALOG")) : env.get("AUTOGLM_CATALOG");
            catalogFiles.addAll(paths(catalogs, "AUTOGLM_CATALOG"));
            catalogOrigin = "AUTOGLM_CATALOG";
            String ep = env.get("HF_ENDPOINT");
            if (ep != null && !ep.isBlank()) {
                endpoint = checkEndpoint("HF_ENDPOINT", ep.strip());
            }
            String t = env.get("HF_TOKEN");
            token = t == null || t.isBlank() ? null : t.strip();
            String off = env.get("HF_HUB_OFFLINE");
            if (truthy(off)) {
                offline = true;
                offlineReason = "HF_HUB_OFFLINE=" + off;
            } else if (system && truthy(System.getProperty("autoglm.offline"))) {
                offline = true;
                offlineReason = "-Dautoglm.offline=true";
            }
        }

        private static String firstSet(String a, String b) {
            return a != null && !a.isBlank() ? a : b;
        }

        private static boolean truthy(String v) {
            return v != null && Set.of("1", "true", "yes", "on").contains(v.strip().toLowerCase(Locale.ROOT));
        }

        private static List<Path> paths(String list, String name) {
            List<Path> out = new ArrayList<>();
            if (list == null) {
                return out;
            }
            for (String s : list.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
                if (!s.isBlank()) {
                    try {
                        out.add(Path.of(s.strip()));
                    } catch (InvalidPathException e) {
                        throw new IllegalArgumentException(name + " holds an invalid path '" + s + "': " + e.getReason());
                    }
                }
            }
            return out;
        }

        private static URI checkEndpoint(String name, String v) {
            URI u;
            try {
                u = URI.create(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " must be an http(s):// URL, was '" + v + "'");
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || u.getHost() == null) {
                throw new IllegalArgumentException(name + " must be an http(s):// URL with a host, was '" + v + "'");
            }
            return u;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + d);
            }
            return d;
        }

        /** @param v the cache folder itself (its {@code blobs}, {@code files}, ... are created inside) @return this */
        public Builder cacheDir(Path v) {
            cacheDir = Objects.requireNonNull(v, "cacheDir");
            return this;
        }

        /** @param v folders to search after the cache, in order (replaces {@code AUTOGLM_MODELS}) @return this */
        public Builder searchPath(List<Path> v) {
            searchPath = List.copyOf(Objects.requireNonNull(v, "searchPath"));
            searchPathOrigin = searchPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
            return this;
        }

        /** @param v the catalog (replaces the built-in one and {@code AUTOGLM_CATALOG}) @return this */
        public Builder catalog(ModelCatalog v) {
            catalog = Objects.requireNonNull(v, "catalog");
            catalogFiles.clear();
            return this;
        }

        /** @param v the hub's base URL, e.g. a mirror (replaces {@code HF_ENDPOINT}) @return this */
        public Builder endpoint(URI v) {
            endpoint = checkEndpoint("endpoint", Objects.requireNonNull(v, "endpoint").toString());
            return this;
        }

        /** @param v an access token for gated or private repositories, or null for none (replaces {@code HF_TOKEN}) @return this */
        public Builder token(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("token must not be blank (use null for none)");
            }
            token = v == null ? null : v.strip();
            return this;
        }

        /** @param v true for no network at all (replaces {@code HF_HUB_OFFLINE}) @return this */
        public Builder offline(boolean v) {
            offline = v;
            offlineReason = v ? "offline mode" : offlineReason;
            return this;
        }

        /** @param v told of download progress @return this */
        public Builder listener(DownloadListener v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /** @param v the proxies to use (default: the JDK's {@link ProxySelector#getDefault()}) @return this */
        public Builder proxy(ProxySelector v) {
            proxy = Objects.requireNonNull(v, "proxy");
            return this;
        }

        /** @param v time to connect, &gt; 0 (default 20 s) @return this */
        public Builder connectTimeout(Duration v) {
            connectTimeout = positive("connectTimeout", v);
            return this;
        }

        /** @param v longest wait for a response or for the next bytes of a download before retrying, &gt; 0 (default 60 s) @return this */
        public Builder readTimeout(Duration v) {
            readTimeout = positive("readTimeout", v);
            return this;
        }

        /** @param v retries after a network failure, 0..100 (default 5; attempts that made progress do not count) @return this */
        public Builder maxRetries(int v) {
            if (v < 0 || v > 100) {
                throw new IllegalArgumentException("maxRetries must be in [0, 100], was " + v);
            }
            maxRetries = v;
            return this;
        }

        /** @param v the first retry's delay, doubled for each further one up to 30 s, &gt; 0 (default 500 ms) @return this */
        public Builder retryBackoff(Duration v) {
            retryBackoff = positive("retryBackoff", v);
            maxBackoff = retryBackoff.compareTo(Duration.ofSeconds(30)) > 0 ? retryBackoff : Duration.ofSeconds(30);
            return this;
        }

        /** @param v least time between two progress reports of one file, &gt; 0 (default 100 ms) @return this */
        public Builder progressInterval(Duration v) {
            progressInterval = positive("progressInterval", v);
            return this;
        }

        /** Test hook: where downloaded bytes are written (to simulate a full disk). */
        Builder sinkFactory(PartialSink.Factory v) {
            sinks = Objects.requireNonNull(v, "sinkFactory");
            return this;
        }

        /**
         * @return the hub; nothing is read or written until it is used
         * @throws IllegalArgumentException when a catalog file is malformed or unreadable
         */
        public ModelHub build() {
            ModelCatalog c = catalog != null ? catalog : ModelCatalog.builtIn();
            for (Path f : catalogFiles) {
                try {
                    c = c.withFile(f);
                } catch (UncheckedIOException e) {
                    throw new IllegalArgumentException(catalogOrigin + " names " + f + ", which cannot be read: " + e.getCause().getMessage(), e);
                }
            }
            return new ModelHub(this, c);
        }
    }
}
