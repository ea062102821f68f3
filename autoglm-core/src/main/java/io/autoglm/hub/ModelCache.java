package io.autoglm.hub;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of the model cache:
 * <pre>
 * models/
 *   blobs/sha256-&lt;hex&gt;        each distinct file once, named by its SHA-256, read-only
 *   files/&lt;source&gt;/&lt;name&gt;     the same files under their own names (hard links), so that the parts of a split
 *                                model sit side by side as llama.cpp expects; this is the path models are loaded from
 *   manifests/&lt;key&gt;.properties what a reference resolved to (parts, checksums, source); its mtime is "last used"
 *   partial/&lt;key&gt;.part, .lock  downloads in progress (resumed after a failure) and their inter-process locks
 * </pre>
 */
final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    /** In-process locks: a {@link FileLock} is per process, so threads of one JVM must also exclude each other. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path root;

    ModelCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path blob(String sha256) {
        return root.resolve("blobs").resolve("sha256-" + sha256);
    }

    Path partialDir() {
        return root.resolve("partial");
    }

    Path partial(String key) {
        return partialDir().resolve(key + ".part");
    }

    Path view(String relative) {
        Path p = root.resolve("files").resolve(relative).normalize();
        if (!p.startsWith(root.resolve("files"))) {
            throw new IllegalArgumentException("cache path escapes the cache: " + relative);
        }
        return p;
    }

    private Path manifestFile(String reference) {
        return root.resolve("manifests").resolve(Hashes.sha256(reference).substring(0, 32) + ".properties");
    }

    void createDirectories() {
        try {
            Files.createDirectories(root.resolve("blobs"));
            Files.createDirectories(root.resolve("files"));
            Files.createDirectories(root.resolve("manifests"));
            Files.createDirectories(partialDir());
        } catch (IOException e) {
            throw new DownloadException("cannot create the model cache " + root + " (" + e + "); set AUTOGLM_CACHE_DIR to a writable folder", e);
        }
    }

    // ---- manifests ----------------------------------------------------------------------------------------------

    /**
     * What a reference resolved to.
     *
     * @param reference the canonical reference (key of the manifest)
     * @param names other names it was asked for by (catalog names)
     * @param commit the hub's commit ({@code X-Repo-Commit}), or empty
     * @param parts the files, in part order
     * @param pulledAt when it was downloaded
     * @param lastUsed when it was last resolved (the manifest's modification time)
     */
    record Manifest(String reference, Set<String> names, String commit, List<Part> parts, Instant pulledAt, Instant lastUsed) {
        /**
         * @param name file name
         * @param view path under {@code files/}
         * @param url where it was downloaded from
         * @param sha256 its SHA-256
         * @param size its size
         * @param verifiedBy what vouched for the checksum: catalog, hub, pinned, git-sha1 or none
         */
        record Part(String name, String view, String url, String sha256, long size, String verifiedBy) {
        }

        Manifest withNames(Set<String> more) {
            Set<String> all = new LinkedHashSet<>(names);
            all.addAll(more);
            return new Manifest(reference, all, commit, parts, pulledAt, lastUsed);
        }
    }

    Optional<Manifest> manifest(String reference) {
        return read(manifestFile(reference));
    }

    List<Manifest> manifests() {
        List<Manifest> out = new ArrayList<>();
        Path dir = root.resolve("manifests");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.properties")) {
            for (Path p : ds) {
                read(p).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    private Optional<Manifest> read(Path file) {
        Properties p = new Properties();
        FileTime mtime;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            mtime = Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring unreadable cache manifest {}: {}", file, e.toString());
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(p.getProperty("parts", "0"));
            List<Manifest.Part> parts = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                String k = "part." + i + ".";
                parts.add(new Manifest.Part(req(p, k + "name"), req(p, k + "view"), p.getProperty(k + "url", ""),
                        req(p, k + "sha256"), Long.parseLong(req(p, k + "size")), p.getProperty(k + "verified_by", "none")));
            }
            Set<String> names = new LinkedHashSet<>();
            for (String s : p.getProperty("names", "").split(",")) {
                if (!s.isBlank()) {
                    names.add(s.strip());
                }
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("no parts");
            }
            return Optional.of(new Manifest(req(p, "reference"), names, p.getProperty("commit", ""), List.copyOf(parts),
                    Instant.parse(req(p, "pulled_at")), mtime.toInstant()));
        } catch (RuntimeException e) {
            LOG.warn("ignoring malformed cache manifest {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private static String req(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    void write(Manifest m) {
        Properties p = new Properties();
        p.setProperty("reference", m.reference());
        p.setProperty("names", String.join(",", m.names()));
        p.setProperty("commit", m.commit());
        p.setProperty("pulled_at", m.pulledAt().toString());
        p.setProperty("parts", Integer.toString(m.parts().size()));
        for (int i = 0; i < m.parts().size(); i++) {
            Manifest.Part part = m.parts().get(i);
            String k = "part." + (i + 1) + ".";
            p.setProperty(k + "name", part.name());
            p.setProperty(k + "view", part.view());
            p.setProperty(k + "url", part.url());
            p.setProperty(k + "sha256", part.sha256());
            p.setProperty(k + "size", Long.toString(part.size()));
            p.setProperty(k + "verified_by", part.verifiedBy());
        }
        Path file = manifestFile(m.reference());
        try {
            StringWriter w = new StringWriter();
            p.store(w, "AutoGLM model cache manifest");
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".manifest", ".tmp");
            try {
                Files.writeString(tmp, w.toString(), StandardCharsets.UTF_8);
                moveAtomically(tmp, file);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new DownloadException("cannot write cache manifest " + file + " (" + e + ")", e);
        }
    }

    /** Records that a reference was just used (its manifest's modification time). */
    void touch(Manifest m) {
        try {
            Files.setLastModifiedTime(manifestFile(m.reference()), FileTime.from(Instant.now()));
        } catch (IOException e) {
            LOG.debug("cannot record last use of {}: {}", m.reference(), e.toString());
        }
    }

    boolean complete(Manifest m) {
        return m.parts().stream().allMatch(p -> Files.isRegularFile(blob(p.sha256())));
    }

    /**
     * Deletes a manifest and its views, then every blob no other manifest refers to.
     *
     * @return bytes freed
     */
    long remove(Manifest m) throws IOException {
        Files.deleteIfExists(manifestFile(m.reference()));
        for (Manifest.Part p : m.parts()) {
            deleteWritable(view(p.view()));
            pruneEmptyParents(view(p.view()).getParent(), root.resolve("files"));
        }
        long freed = 0;
        Set<String> stillUsed = new java.util.HashSet<>();
        for (Manifest other : manifests()) {
            other.parts().forEach(p -> stillUsed.add(p.sha256()));
        }
        for (Manifest.Part p : m.parts()) {
            Path b = blob(p.sha256());
            if (!stillUsed.contains(p.sha256()) && Files.exists(b)) {
                freed += Files.size(b);
                deleteWritable(b);
            }
            Files.deleteIfExists(partial(p.sha256()));
        }
        return freed;
    }

    private static void deleteWritable(Path p) throws IOException {
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            p.toFile().setWritable(true, true);
            Files.deleteIfExists(p);
        }
    }

    private static void pruneEmptyParents(Path dir, Path stop) {
        for (Path d = dir; d != null && d.startsWith(stop) && !d.equals(stop); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (IOException e) {
                return; // not empty (or gone): stop
            }
        }
    }

    // ---- blobs and views ----------------------------------------------------------------------------------------

    /**
     * Makes {@code files/<view>} the blob's bytes under its own name: a hard link, else a symbolic link, else a copy.
     *
     * @return the view's path
     */
    Path link(String sha256, String relativeView) {
        Path blob = blob(sha256);
        Path view = view(relativeView);
        try {
            if (Files.exists(view) && Files.isSameFile(view, blob)) {
                return view;
            }
            Files.createDirectories(view.getParent());
            Path tmp = view.resolveSibling(".link-" + Hashes.sha256(relativeView + System.nanoTime()).substring(0, 12));
            try {
                try {
                    Files.createLink(tmp, blob);
                } catch (UnsupportedOperationException | IOException e) {
                    try {
                        Files.createSymbolicLink(tmp, blob);
                    } catch (UnsupportedOperationException | IOException e2) {
                        LOG.debug("no hard or symbolic link for {} ({}); copying", view, e2.toString());
                        Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                moveAtomically(tmp, view);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return view;
        } catch (IOException e) {
            throw new DownloadException("cannot place " + view + " in the model cache (" + e + ")", e);
        }
    }

    /** Moves a verified partial file into {@code blobs/} and makes it read-only. */
    Path store(Path verified, String sha256) throws IOException {
        Path blob = blob(sha256);
        Files.createDirectories(blob.getParent());
        if (Files.exists(blob)) {
            Files.deleteIfExists(verified); // another process stored the same bytes first
        } else {
            moveAtomically(verified, blob);
        }
        blob.toFile().setWritable(false, false);
        return blob;
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            Files.delete(to);
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    // ---- locks --------------------------------------------------------------------------------------------------

    /** Holds a download's lock: a JVM-wide lock and an inter-process {@link FileLock} on {@code partial/<key>.lock}. */
    final class Lock implements AutoCloseable {
        private final ReentrantLock jvm;
        private final FileChannel channel;
        private final FileLock fileLock;

        private Lock(ReentrantLock jvm, FileChannel channel, FileLock fileLock) {
            this.jvm = jvm;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public void close() {
            try {
                fileLock.release();
                channel.close();
            } catch (IOException e) {
                LOG.debug("releasing a cache lock: {}", e.toString());
            } finally {
                jvm.unlock();
            }
        }
    }

    /**
     * Waits for the lock of one download key (another thread or process downloading the same file holds it).
     *
     * @param key the download's key
     * @param what the file, for the log line while waiting
     */
    Lock lock(String key, String what) {
        Path file = partialDir().resolve(key + ".lock");
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        if (!jvm.tryLock()) {
            LOG.info("waiting for another thread downloading {}", what);
            jvm.lock();
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.tryLock();
            if (fl == null) {
                LOG.info("waiting for another process downloading {} (lock {})", what, file);
                fl = ch.lock();
            }
            return new Lock(jvm, ch, fl);
        } catch (IOException | OverlappingFileLockException e) {
            jvm.unlock();
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the lock failure is what matters
                }
            }
            throw new DownloadException("cannot lock " + file + " (" + e + "); is the cache folder writable?", e);
        }
    }
}
