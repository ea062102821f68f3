package io.autoglm.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file into the cache: a metadata request to the hub ({@code HEAD}, redirects followed by hand so that
 * the token never leaves the hub's host), then {@code GET} with {@code Range} to resume what a failed attempt or a
 * killed process left, retries with exponential backoff, a stall timeout, SHA-256 (and Git SHA-1) verification, and
 * an atomic move into {@code blobs/}.
 */
final class HubClient {
    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "autoglm/0.1.0 (java " + Runtime.version().feature() + ")";
    /** Retries for failures before the server ever answered (no network, DNS, connection refused). */
    private static final int MAX_CONNECT_RETRIES = 2;

    /** What one download must produce. */
    record Request(String reference, URI url, String fileName, int part, int parts, String expectedSha256,
            String expectedBy, long expectedSize, String hubRepo, String hubPath, String hubRevision) {
    }

    /** A verified file in {@code blobs/}. */
    record Fetched(String sha256, long size, String verifiedBy, String commit, String url, boolean downloaded) {
    }

    /** What the hub says about a file before it is downloaded. */
    record Remote(URI location, long size, String sha256, String gitSha1, String validator, String commit) {
    }

    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final ModelCache cache;
    private final ModelHub.Settings settings;
    private final DownloadListener listener;

    HubClient(HttpClient http, URI endpoint, String token, ModelCache cache, ModelHub.Settings settings, DownloadListener listener) {
        this.http = http;
        this.endpoint = endpoint;
        this.token = token;
        this.cache = cache;
        this.settings = settings;
        this.listener = listener;
    }

    /** A failure worth another attempt (network, 5xx, 429, a short body). */
    private static final class Retryable extends Exception {
        private static final long serialVersionUID = 1L;
        final long retryAfterMillis;

        Retryable(String message, Throwable cause, long retryAfterMillis) {
            super(message, cause);
            this.retryAfterMillis = retryAfterMillis;
        }
    }

    /** A write to the cache's disk failed (full disk, quota, read-only): not worth retrying. */
    private static final class LocalWriteFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LocalWriteFailure(IOException cause) {
            super(cause);
        }
    }

    // ---- the public step: one file into blobs/ ------------------------------------------------------------------

    Fetched fetch(Request r) {
        Remote remote = withRetries(r, () -> head(r, r.url()), null);
        String expected = reconcile(r, remote);
        String verifiedBy = r.expectedSha256() != null ? r.expectedBy()
                : remote.sha256() != null ? "hub" : remote.gitSha1() != null ? "git-sha1" : "none";
        long size = r.expectedSize() >= 0 ? r.expectedSize() : remote.size();
        if (r.expectedSize() >= 0 && remote.size() >= 0 && r.expectedSize() != remote.size()) {
            throw new DownloadException(r.fileName() + " of " + r.reference() + ": the catalog says " + r.expectedSize()
                    + " bytes but " + host(r.url()) + " reports " + remote.size() + "; the file changed on the hub: pin a revision or update the catalog");
        }
        if (expected != null && Files.isRegularFile(cache.blob(expected))) {
            return new Fetched(expected, size(cache.blob(expected)), verifiedBy, remote.commit(), r.url().toString(), false);
        }
        String key = expected != null ? expected : Hashes.sha256(r.url().toString()).substring(0, 40);
        cache.createDirectories();
        ModelCache.Lock lock = cache.lock(key, r.fileName());
        try {
            if (expected != null && Files.isRegularFile(cache.blob(expected))) { // another process finished it meanwhile
                return new Fetched(expected, size(cache.blob(expected)), verifiedBy, remote.commit(), r.url().toString(), false);
            }
            Path partial = cache.partial(key);
            Path validatorFile = validatorOf(partial);
            discardStalePartial(partial, validatorFile, remote.validator());
            boolean freshRetryUsed = false;
            while (true) {
                checkSpace(r, partial, size);
                Remote current = remote;
                String got = download(r, partial, current, size);
                long have = size(partial);
                String problem = null;
                if (size >= 0 && have != size) {
                    problem = "size " + have + " but expected " + size;
                } else if (expected != null && !expected.equals(got)) {
                    problem = "SHA-256 " + got + " but expected " + expected + " (" + verifiedBy + ")";
                } else if (expected == null && remote.gitSha1() != null && !remote.gitSha1().equals(gitSha1(partial, have))) {
                    problem = "Git SHA-1 differs from the hub's " + remote.gitSha1();
                }
                if (problem != null) {
                    discard(partial);
                    if (!freshRetryUsed) {
                        freshRetryUsed = true;
                        LOG.warn("{} of {}: downloaded bytes have {}; downloading again from the start", r.fileName(), r.reference(), problem);
                        remote = withRetries(r, () -> head(r, r.url()), null);
                        continue;
                    }
                    throw new DownloadException("checksum mismatch for " + r.fileName() + " of " + r.reference() + ": " + problem
                            + "; the download was discarded (twice). The file on " + host(r.url()) + " is not the one expected");
                }
                try {
                    cache.store(partial, got);
                    Files.deleteIfExists(validatorFile);
                } catch (IOException e) {
                    discard(partial);
                    throw new DownloadException("cannot move " + partial + " into the model cache (" + e + ")", e);
                }
                listener.onProgress(new DownloadProgress(r.reference(), r.fileName(), r.part(), r.parts(), have, have, 0, true));
                return new Fetched(got, have, verifiedBy, remote.commit(), r.url().toString(), true);
            }
        } finally {
            lock.close();
        }
    }

    private String reconcile(Request r, Remote remote) {
        if (r.expectedSha256() != null && remote.sha256() != null && !r.expectedSha256().equals(remote.sha256())) {
            throw new DownloadException(r.fileName() + " of " + r.reference() + ": the " + r.expectedBy() + " SHA-256 is "
                    + r.expectedSha256() + " but " + host(r.url()) + " reports " + remote.sha256()
                    + "; the file changed on the hub: pin a revision or update the catalog");
        }
        return r.expectedSha256() != null ? r.expectedSha256() : remote.sha256();
    }

    private void discardStalePartial(Path partial, Path validatorFile, String validator) {
        try {
            if (Files.exists(partial)) {
                String old = Files.exists(validatorFile) ? Files.readString(validatorFile).strip() : "";
                if (validator != null && !validator.equals(old)) {
                    LOG.info("discarding {}: the file changed on the server since it was started", partial);
                    discard(partial);
                } else {
                    LOG.info("resuming {} from byte {}", partial.getFileName(), Files.size(partial));
                }
            }
            if (validator != null) {
                Files.writeString(validatorFile, validator);
            }
        } catch (IOException e) {
            throw new DownloadException("cannot prepare " + partial + " (" + e + ")", e);
        }
    }

    private void checkSpace(Request r, Path partial, long size) {
        if (size < 0) {
            return;
        }
        try {
            long needed = size - (Files.exists(partial) ? Files.size(partial) : 0);
            long free = Files.getFileStore(partial.getParent()).getUsableSpace();
            if (needed > free) {
                throw new DownloadException("not enough disk space for " + r.fileName() + " of " + r.reference() + ": needs "
                        + needed + " more bytes, " + free + " free in " + cache.root() + "; free space or set AUTOGLM_CACHE_DIR to a bigger disk");
            }
        } catch (IOException e) {
            LOG.debug("cannot check free space in {}: {}", partial.getParent(), e.toString());
        }
    }

    // ---- HEAD: metadata and the download location --------------------------------------------------------------

    private Remote head(Request r, URI start) throws Retryable {
        URI current = start;
        long size = -1;
        String sha256 = null;
        String gitSha1 = null;
        String validator = null;
        String commit = "";
        boolean sawHubHeaders = false;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> resp = send(r, request(current, "HEAD", -1), HttpResponse.BodyHandlers.discarding());
            HttpHeaders h = resp.headers();
            int status = resp.statusCode();
            if (status >= 200 && status < 400) {
                Optional<String> linkedEtag = h.firstValue("X-Linked-Etag");
                Optional<String> linkedSize = h.firstValue("X-Linked-Size");
                if (linkedEtag.isPresent() || linkedSize.isPresent() || h.firstValue("X-Repo-Commit").isPresent()) {
                    sawHubHeaders = true;
                }
                commit = h.firstValue("X-Repo-Commit").orElse(commit);
                String tag = Hashes.unquote(linkedEtag.or(() -> h.firstValue("ETag")).orElse(null));
                if (tag != null && sha256 == null && gitSha1 == null) {
                    validator = tag;
                    if (Hashes.isSha256(tag)) {
                        sha256 = tag;
                    } else if (Hashes.isSha1(tag) && sawHubHeaders) {
                        gitSha1 = tag;
                    }
                }
                if (size < 0) {
                    size = parseLong(linkedSize.orElse(null));
                }
            }
            if (status >= 300 && status < 400) {
                String location = h.firstValue("Location").orElseThrow(() -> new DownloadException(
                        status + " redirect without a Location from " + host(start) + " for " + r.fileName()));
                URI next = current.resolve(location);
                boolean sameHost = sameOrigin(next, current);
                current = next;
                if (!sameHost && sawHubHeaders) {
                    break; // the hub sent us to its CDN: the hub's headers are the metadata, the CDN has the bytes
                }
                continue;
            }
            if (status == 405 || status == 501) {
                break; // no HEAD here: the GET will tell
            }
            if (status >= 200 && status < 300) {
                if (size < 0) {
                    size = parseLong(h.firstValue("Content-Length").orElse(null));
                }
                break;
            }
            throw failure(r, resp.statusCode(), h, current);
        }
        return new Remote(current, size, sha256, gitSha1, validator, commit);
    }

    private RuntimeException failure(Request r, int status, HttpHeaders h, URI url) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String hubMessage = h.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        String what = r.hubRepo() != null ? "hf://" + r.hubRepo() + "/" + r.hubPath() + "@" + r.hubRevision() : url.toString();
        String tokenHint = token == null ? "set HF_TOKEN to an access token that can read it" : "HF_TOKEN was sent but refused: check that it is valid and has read access";
        if (status == 404 || code.equals("RepoNotFound") || code.equals("EntryNotFound") || code.equals("RevisionNotFound")) {
            String msg = switch (code) {
                case "RepoNotFound" -> "repository " + r.hubRepo() + " not found on " + host(url)
                        + (token == null ? " (if it is private, set HF_TOKEN)" : "") + " for " + r.reference();
                case "RevisionNotFound" -> "revision '" + r.hubRevision() + "' not found in " + r.hubRepo() + " for " + r.reference();
                case "EntryNotFound" -> "no file " + r.hubPath() + " in " + r.hubRepo() + " at revision " + r.hubRevision()
                        + " for " + r.reference() + ": check the file name";
                default -> what + " not found (HTTP 404 from " + host(url) + ") for " + r.reference();
            };
            return new ModelNotFoundException(msg + hubMessage);
        }
        if (status == 401) {
            return new DownloadException(what + ": " + host(url) + " answered 401 (authentication required): the repository is gated or private; "
                    + tokenHint + hubMessage);
        }
        if (status == 403) {
            String repoPage = r.hubRepo() != null ? endpoint + "/" + r.hubRepo() : url.toString();
            return new DownloadException(what + ": " + host(url) + " answered 403 (forbidden)"
                    + (code.equals("GatedRepo") ? ": the repository is gated" : "") + "; accept its conditions at " + repoPage
                    + " with your account, and " + (token == null ? "set HF_TOKEN to a token of that account" : "check that HF_TOKEN belongs to that account") + hubMessage);
        }
        return new DownloadException(what + ": unexpected HTTP " + status + " from " + host(url) + hubMessage);
    }

    // ---- GET with Range ------------------------------------------------------------------------------------------

    /** Downloads the rest of the file into {@code partial} (retrying), and returns the whole file's SHA-256. */
    private String download(Request r, Path partial, Remote remote, long size) {
        Remote[] current = {remote};
        return withRetries(r, () -> {
            try {
                return getOnce(r, partial, current[0].location(), size);
            } catch (Retryable e) {
                // a signed CDN URL may have expired: ask the hub again before the next attempt
                try {
                    current[0] = head(r, r.url());
                } catch (Retryable again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        }, partial);
    }

    private String getOnce(Request r, Path partial, URI location, long size) throws Retryable {
        long have = Files.exists(partial) ? size(partial) : 0;
        if (size >= 0 && have > size) {
            discard(partial);
            have = 0;
        }
        MessageDigest sha = Hashes.sha256();
        if (size >= 0 && have == size) {
            hashPrefix(partial, have, sha);
            return Hashes.hex(sha.digest());
        }
        URI current = location;
        HttpResponse<InputStream> resp = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            resp = send(r, request(current, "GET", have), HttpResponse.BodyHandlers.ofInputStream());
            int status = resp.statusCode();
            if (status >= 300 && status < 400) {
                closeQuietly(resp.body());
                String loc = resp.headers().firstValue("Location").orElseThrow(() -> new DownloadException(
                        status + " redirect without a Location from " + host(location) + " for " + r.fileName()));
                current = current.resolve(loc);
                continue;
            }
            break;
        }
        int status = resp.statusCode();
        if (status == 416) {
            closeQuietly(resp.body());
            discard(partial);
            throw new Retryable("the server refused to resume at byte " + have + " (416); starting again", null, 0);
        }
        if (status != 200 && status != 206) {
            closeQuietly(resp.body());
            if (status == 429 || status >= 500) {
                throw new Retryable("HTTP " + status + " from " + host(current), null, retryAfter(resp.headers()));
            }
            throw failure(r, status, resp.headers(), current);
        }
        if (status == 200 && have > 0) {
            LOG.info("{} does not resume (answered 200 to a Range request): downloading {} from the start", host(current), r.fileName());
            discard(partial);
            have = 0;
        }
        if (status == 206) {
            long start = contentRangeStart(resp.headers());
            if (start != have) {
                closeQuietly(resp.body());
                discard(partial);
                throw new Retryable("the server resumed at byte " + start + " instead of " + have + "; starting again", null, 0);
            }
        }
        long total = size;
        if (total < 0) {
            OptionalLong len = resp.headers().firstValueAsLong("Content-Length");
            if (len.isPresent()) {
                total = have + len.getAsLong();
            }
        }
        try {
            hashPrefix(partial, have, sha);
        } catch (Retryable e) {
            closeQuietly(resp.body());
            throw e;
        }
        return stream(r, resp.body(), partial, have, total, sha);
    }

    private String stream(Request r, InputStream body, Path partial, long have, long total, MessageDigest sha) throws Retryable {
        AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        long stallNanos = settings.readTimeout().toNanos();
        Thread watchdog = Thread.ofVirtual().name("autoglm-download-watchdog").start(() -> {
            while (!finished.get()) {
                try {
                    Thread.sleep(Math.max(10, stallNanos / 4_000_000));
                } catch (InterruptedException e) {
                    return;
                }
                if (!finished.get() && System.nanoTime() - lastProgressNanos.get() > stallNanos) {
                    stalled.set(true);
                    closeQuietly(body);
                    return;
                }
            }
        });
        long done = have;
        long reportEvery = settings.progressInterval().toNanos();
        long lastReport = 0;
        double rate = 0;
        long rateBytes = 0;
        long rateStart = System.nanoTime();
        try (InputStream in = body; PartialSink sink = openSink(partial)) {
            byte[] buf = new byte[1 << 16];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    sink.force();
                    throw new Retryable(stalled.get() ? "no data for " + settings.readTimeout().toMillis() + " ms" : describe(e), e, 0);
                }
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                bb.clear().limit(n);
                try {
                    sink.write(bb);
                } catch (IOException e) {
                    throw new LocalWriteFailure(e);
                }
                sha.update(buf, 0, n);
                done += n;
                rateBytes += n;
                long now = System.nanoTime();
                lastProgressNanos.set(now);
                if (now - rateStart >= 500_000_000L) {
                    double inst = rateBytes * 1e9 / (now - rateStart);
                    rate = rate == 0 ? inst : 0.7 * rate + 0.3 * inst;
                    rateBytes = 0;
                    rateStart = now;
                }
                if (now - lastReport >= reportEvery) {
                    lastReport = now;
                    listener.onProgress(new DownloadProgress(r.reference(), r.fileName(), r.part(), r.parts(), done, total, rate, false));
                }
            }
            if (stalled.get()) {
                sink.force();
                throw new Retryable("no data for " + settings.readTimeout().toMillis() + " ms", null, 0);
            }
            try {
                sink.force();
            } catch (IOException e) {
                throw new LocalWriteFailure(e);
            }
        } catch (LocalWriteFailure e) {
            discard(partial);
            IOException cause = (IOException) e.getCause();
            throw new DownloadException("cannot write " + r.fileName() + " of " + r.reference() + " to " + partial.getParent()
                    + " after " + done + (total >= 0 ? " of " + total : "") + " bytes (" + describe(cause)
                    + "): free disk space or set AUTOGLM_CACHE_DIR to a bigger disk; the partial file was removed", cause);
        } catch (IOException e) {
            // closing the stream or the sink failed; the bytes written so far stay for the next attempt
            throw new Retryable(describe(e), e, 0);
        } finally {
            finished.set(true);
            watchdog.interrupt();
        }
        if (total >= 0 && done < total) {
            throw new Retryable("connection closed after " + done + " of " + total + " bytes", null, 0);
        }
        listener.onProgress(new DownloadProgress(r.reference(), r.fileName(), r.part(), r.parts(), done, total, rate, false));
        return Hashes.hex(sha.digest());
    }

    private PartialSink openSink(Path partial) throws LocalWriteFailure {
        try {
            return settings.sinks().open(partial);
        } catch (IOException e) {
            throw new LocalWriteFailure(e);
        }
    }

    private static void hashPrefix(Path partial, long have, MessageDigest sha) throws Retryable {
        if (have == 0) {
            return;
        }
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long left = have;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("partial file shorter than " + have + " bytes");
                }
                buf.flip();
                sha.update(buf);
                left -= n;
            }
        } catch (IOException e) {
            discard(partial);
            throw new Retryable("cannot re-read " + partial + ": " + e, e, 0);
        }
    }

    private static String gitSha1(Path file, long size) {
        MessageDigest d = Hashes.sha1();
        d.update(Hashes.gitBlobHeader(size));
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        } catch (IOException e) {
            return "unreadable: " + e;
        }
        return Hashes.hex(d.digest());
    }

    // ---- retries ------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws Retryable;
    }

    /**
     * Runs {@code attempt} until it succeeds, retrying {@link Retryable} failures with exponential backoff and jitter
     * (honouring {@code Retry-After}). Attempts that made progress on {@code partial} do not count against the limit.
     */
    private <T> T withRetries(Request r, Attempt<T> attempt, Path partial) {
        int failures = 0;
        boolean answered = false;
        long before = partial != null && Files.exists(partial) ? size(partial) : 0;
        while (true) {
            try {
                return attempt.run();
            } catch (Retryable e) {
                boolean connectLevel = e.getCause() instanceof ConnectException || e.getCause() instanceof UnknownHostException
                        || e.getCause() instanceof HttpConnectTimeoutException;
                answered |= !connectLevel;
                long now = partial != null && Files.exists(partial) ? size(partial) : 0;
                if (now > before) {
                    failures = 0; // progress: a flaky link, not a dead one
                }
                before = now;
                failures++;
                int limit = answered ? settings.maxRetries() : Math.min(settings.maxRetries(), MAX_CONNECT_RETRIES);
                if (failures > limit || e.getCause() instanceof UnknownHostException) {
                    throw gaveUp(r, e, failures, partial);
                }
                long base = settings.retryBackoff().toMillis() << Math.min(failures - 1, 16);
                long wait = Math.max(e.retryAfterMillis, Math.min(base, settings.maxBackoff().toMillis()));
                wait += (long) (wait * 0.2 * ThreadLocalRandom.current().nextDouble());
                if (answered) {
                    LOG.warn("{} of {}: {}; retry {} of {} in {} ms", r.fileName(), r.reference(), e.getMessage(), failures, limit, wait);
                } else { // no server reached yet: the final error says it all, in one line
                    LOG.debug("{} of {}: {}; retry {} of {} in {} ms", r.fileName(), r.reference(), e.getMessage(), failures, limit, wait);
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DownloadException("interrupted while downloading " + r.fileName() + " of " + r.reference(), ie);
                }
            }
        }
    }

    private DownloadException gaveUp(Request r, Retryable e, int attempts, Path partial) {
        long kept = partial != null && Files.exists(partial) ? size(partial) : 0;
        String keptNote = kept > 0 ? "; " + kept + " bytes are kept in " + partial + " and the next attempt resumes" : "";
        String local = r.hubPath() != null ? r.hubPath().substring(r.hubPath().lastIndexOf('/') + 1) : r.fileName();
        return new DownloadException("cannot download " + r.fileName() + " of " + r.reference() + " from " + host(r.url()) + " ("
                + e.getMessage() + ", " + attempts + (attempts == 1 ? " attempt" : " attempts") + ")" + keptNote
                + ". Without network: put " + local + " in a folder on AUTOGLM_MODELS, or run 'autoglm pull " + r.reference()
                + "' where there is network and copy its cache folder (AUTOGLM_CACHE_DIR)", e);
    }

    private static long retryAfter(HttpHeaders h) {
        return h.firstValue("Retry-After").map(v -> {
            try {
                return Math.min(60_000L, Long.parseLong(v.strip()) * 1000);
            } catch (NumberFormatException e) {
                return 0L;
            }
        }).orElse(0L);
    }

    // ---- HTTP plumbing ------------------------------------------------------------------------------------------

    private HttpRequest request(URI uri, String method, long rangeStart) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(settings.readTimeout())
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity")
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null && sameOrigin(uri, endpoint)) {
            b.header("Authorization", "Bearer " + token); // only to the hub itself, never to a CDN or another host
        }
        if (rangeStart > 0) {
            b.header("Range", "bytes=" + rangeStart + "-");
        }
        return b.build();
    }

    private <T> HttpResponse<T> send(Request r, HttpRequest req, HttpResponse.BodyHandler<T> handler) throws Retryable {
        try {
            HttpResponse<T> resp = http.send(req, handler);
            if (resp.statusCode() == 429 || resp.statusCode() >= 500) {
                if (resp.body() instanceof InputStream in) {
                    closeQuietly(in);
                }
                throw new Retryable("HTTP " + resp.statusCode() + " from " + host(req.uri()), null, retryAfter(resp.headers()));
            }
            return resp;
        } catch (IOException e) {
            throw new Retryable(describe(e), e, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException("interrupted while downloading " + r.fileName() + " of " + r.reference(), e);
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    static String host(URI u) {
        return u.getHost() == null ? u.toString() : u.getPort() >= 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
    }

    /** The exception's class and the first message found along its causes ({@code ConnectException} has none). */
    private static String describe(Throwable e) {
        String m = null;
        for (Throwable t = e; t != null && m == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                m = t.getMessage();
            }
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static long contentRangeStart(HttpHeaders h) {
        String v = h.firstValue("Content-Range").orElse("");
        // "bytes 100-199/200"
        try {
            String s = v.strip().toLowerCase(Locale.ROOT);
            if (s.startsWith("bytes ")) {
                return Long.parseLong(s.substring(6, s.indexOf('-')).strip());
            }
        } catch (RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static long parseLong(String v) {
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    /** The file beside a partial download that records which version of the remote file it holds. */
    static Path validatorOf(Path partial) {
        String n = partial.getFileName().toString();
        return partial.resolveSibling(n.substring(0, n.length() - ".part".length()) + ".etag");
    }

    /** Deletes a partial download and its validator. */
    private static void discard(Path partial) {
        deleteQuietly(partial);
        deleteQuietly(validatorOf(partial));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // nothing more to do
        }
    }
}
