package io.autoglm.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server that behaves like the Hugging Face hub for the tests: {@code /{repo}/resolve/{rev}/{path}}
 * answers with the hub's headers ({@code X-Linked-Etag}, {@code X-Linked-Size}, {@code X-Repo-Commit}, {@code ETag})
 * and a 302 to its "CDN" on another host name ({@code localhost} instead of {@code 127.0.0.1}), which serves the bytes
 * with {@code Range}. It can rename repositories (307), gate them (401 without a token, 403 with the wrong one),
 * answer 404 with {@code X-Error-Code}, fail with 503, cut the connection part-way, stall, corrupt bytes, and
 * throttle. It also works as an HTTP proxy (requests in absolute form are recorded as proxied). Every request is
 * recorded.
 */
public final class FakeHub implements AutoCloseable {
    /** One request as the server saw it. */
    public record Seen(String method, String host, String path, String range, String authorization, boolean proxied, long nanos) {
    }

    /** A file and what goes wrong when it is served. */
    public static final class Served {
        /** The file's bytes. */
        public final byte[] bytes;
        /** Their SHA-256, in hex. */
        public final String sha256;
        volatile int cutAfter = -1;
        final AtomicInteger cuts = new AtomicInteger();
        volatile int stallAfter = -1;
        volatile long stallMillis;
        final AtomicInteger stalls = new AtomicInteger();
        final AtomicInteger corruptions = new AtomicInteger();
        final AtomicInteger failures503 = new AtomicInteger();
        volatile long bytesPerSecond = -1;
        volatile boolean ranges = true;
        volatile String linkedEtagOverride;
        volatile boolean lfs = true;

        volatile long advertisedSize = -1;

        Served(byte[] bytes) {
            this.bytes = bytes;
            this.sha256 = sha256(bytes);
        }

        /** Claims this size in HEAD answers (to ask for more disk than there is). */
        public Served advertise(long size) {
            advertisedSize = size;
            return this;
        }

        long size() {
            return advertisedSize >= 0 ? advertisedSize : bytes.length;
        }

        /** Cuts the connection after {@code n} body bytes, for the next {@code times} GETs. */
        public Served cutAfter(int n, int times) {
            cutAfter = n;
            cuts.set(times);
            return this;
        }

        /** Stops sending for {@code millis} after {@code n} body bytes, for the next {@code times} GETs. */
        public Served stallAfter(int n, long millis, int times) {
            stallAfter = n;
            stallMillis = millis;
            stalls.set(times);
            return this;
        }

        /** Flips one byte of the body, for the next {@code times} GETs. */
        public Served corrupt(int times) {
            corruptions.set(times);
            return this;
        }

        /** Answers 503 to the next {@code times} GETs of the bytes. */
        public Served fail503(int times) {
            failures503.set(times);
            return this;
        }

        /** Sends at most this many bytes per second. */
        public Served throttle(long bps) {
            bytesPerSecond = bps;
            return this;
        }

        /**
         * Serves the file as the hub serves a small file kept in Git rather than LFS: no redirect, no
         * {@code X-Linked-Etag}, and an {@code ETag} that is the Git blob SHA-1.
         */
        public Served notLfs() {
            lfs = false;
            return this;
        }

        /** Ignores Range (answers 200 with the whole file). */
        public Served noRanges() {
            ranges = false;
            return this;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    private final Map<String, Served> byHash = new ConcurrentHashMap<>();
    private final Map<String, Served> plain = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, String> gated = new ConcurrentHashMap<>();
    /** Every request, in order. */
    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** Body bytes sent by the CDN and the plain files. */
    public final AtomicInteger cdnBodyBytes = new AtomicInteger();
    /** {@link System#nanoTime()} when the last complete body was sent. */
    public final java.util.concurrent.atomic.AtomicLong lastBodyDone = new java.util.concurrent.atomic.AtomicLong();

    public FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** @return the hub's address ({@code http://127.0.0.1:port}) */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Registers a file at {@code /{repo}/resolve/{revision}/{path}}. */
    public Served file(String repo, String revision, String path, byte[] bytes) {
        Served s = new Served(bytes);
        files.put(repo + "/resolve/" + revision + "/" + path, s);
        byHash.put(s.sha256, s);
        return s;
    }

    /** Registers a file at {@code /plain/{name}}: no hub headers, an opaque ETag. */
    public Served plain(String name, byte[] bytes) {
        Served s = new Served(bytes);
        plain.put(name, s);
        return s;
    }

    /** Requests to {@code from} get a relative 307 to {@code to} (a renamed repository). */
    public void rename(String from, String to) {
        renamed.put(from, to);
    }

    /** The repository answers 401 without a token and 403 with any token but {@code token}. */
    public void gate(String repo, String token) {
        gated.put(repo, token);
    }

    public List<Seen> requests(String method, String pathPrefix) {
        return seen.stream().filter(s -> s.method().equals(method) && s.path().startsWith(pathPrefix)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String path = uri.getRawPath();
            String host = ex.getRequestHeaders().getFirst("Host");
            seen.add(new Seen(ex.getRequestMethod(), host == null ? "" : host.replaceFirst(":\\d+$", ""), path,
                    ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization"), uri.isAbsolute(),
                    System.nanoTime()));
            if (path.startsWith("/cdn/")) {
                Served s = byHash.get(path.substring(5));
                if (s == null) {
                    send(ex, 404, null);
                    return;
                }
                serveBytes(ex, s, "\"cdn-" + s.sha256.substring(0, 8) + "\"");
                return;
            }
            if (path.startsWith("/plain/")) {
                Served s = plain.get(path.substring(7));
                if (s == null) {
                    send(ex, 404, null);
                    return;
                }
                serveBytes(ex, s, "\"opaque-" + s.sha256.substring(0, 8) + "\"");
                return;
            }
            String rel = java.net.URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
            String[] parts = rel.split("/", 3);
            if (parts.length < 3 || !parts[2].startsWith("resolve/")) {
                send(ex, 404, "RepoNotFound");
                return;
            }
            String repo = parts[0] + "/" + parts[1];
            if (renamed.containsKey(repo)) {
                ex.getResponseHeaders().set("Location", "/" + renamed.get(repo) + "/" + path.substring(repo.length() + 2));
                send(ex, 307, null);
                return;
            }
            String required = gated.get(repo);
            if (required != null) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth == null) {
                    send(ex, 401, null);
                    return;
                }
                if (!auth.equals("Bearer " + required)) {
                    send(ex, 403, "GatedRepo");
                    return;
                }
            }
            Served s = files.get(rel);
            if (s == null) {
                boolean repoKnown = files.keySet().stream().anyMatch(k -> k.startsWith(repo + "/"));
                send(ex, 404, repoKnown ? "EntryNotFound" : "RepoNotFound");
                return;
            }
            Headers h = ex.getResponseHeaders();
            if (!s.lfs) {
                h.set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
                serveBytes(ex, s, "\"" + gitSha1(s.bytes) + "\"");
                return;
            }
            String etag = s.linkedEtagOverride != null ? s.linkedEtagOverride : s.sha256;
            h.set("X-Linked-Etag", "\"" + etag + "\"");
            h.set("X-Linked-Size", Long.toString(s.size()));
            h.set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
            h.set("ETag", "\"" + etag + "\"");
            h.set("Location", "http://localhost:" + port() + "/cdn/" + s.sha256);
            send(ex, 302, null);
        } catch (IOException e) {
            // the client went away (a cut or a killed process): nothing to do
        }
    }

    private static void send(HttpExchange ex, int status, String errorCode) throws IOException {
        if (errorCode != null) {
            ex.getResponseHeaders().set("X-Error-Code", errorCode);
        }
        ex.sendResponseHeaders(status, -1);
    }

    private void serveBytes(HttpExchange ex, Served s, String etag) throws IOException {
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(s.size()));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (s.failures503.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().set("Retry-After", "0");
            ex.sendResponseHeaders(503, -1);
            return;
        }
        int start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && s.ranges && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Integer.parseInt(range.substring(6, range.length() - 1));
            if (start >= s.bytes.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + s.bytes.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (s.bytes.length - 1) + "/" + s.bytes.length);
            ex.sendResponseHeaders(206, s.bytes.length - start);
        } else {
            ex.sendResponseHeaders(200, s.bytes.length);
        }
        byte[] body = java.util.Arrays.copyOfRange(s.bytes, start, s.bytes.length);
        if (s.corruptions.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            body[body.length / 2] ^= 0x5a;
        }
        int cut = s.cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? s.cutAfter : -1;
        int stall = s.stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? s.stallAfter : -1;
        OutputStream out = ex.getResponseBody();
        int chunk = 8192;
        long t0 = System.nanoTime();
        int sent = 0;
        while (sent < body.length) {
            int n = Math.min(chunk, body.length - sent);
            if (cut >= 0 && sent + n > cut) {
                n = cut - sent;
                out.write(body, sent, n);
                out.flush();
                cdnBodyBytes.addAndGet(n);
                throw new IOException("cut on purpose"); // closes the exchange (and the connection) short
            }
            if (stall >= 0 && sent + n > stall) {
                n = stall - sent;
                out.write(body, sent, n);
                out.flush();
                sent += n;
                cdnBodyBytes.addAndGet(n);
                sleep(s.stallMillis);
                stall = -1;
                continue;
            }
            out.write(body, sent, n);
            sent += n;
            cdnBodyBytes.addAndGet(n);
            if (s.bytesPerSecond > 0) {
                out.flush();
                long due = (long) (sent * 1e9 / s.bytesPerSecond);
                long now = System.nanoTime() - t0;
                if (due > now) {
                    sleep((due - now) / 1_000_000);
                }
            }
        }
        lastBodyDone.set(System.nanoTime());
    }

    /** @param bytes any bytes @return their Git blob SHA-1 ({@code sha1("blob <size>\0" + bytes)}) in hex */
    public static String gitSha1(byte[] bytes) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-1");
            d.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(d.digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param bytes any bytes @return their SHA-256 in hex */
    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
