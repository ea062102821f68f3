package io.autoglm.bench;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Soak test of the server (not part of CI): {@code --minutes} (default 10) of mixed load from
 * {@code --clients} (default 8) virtual-thread clients on loopback: streams, streams the client abandons
 * after a few events, cached requests, completions, embeddings, malformed bodies, requests with a wrong
 * key. Passes when every answer has the expected status (no 5xx), the server is idle at the end (no
 * active requests or streams), and the resident set grew by less than 50 MB after warm-up. Exit code 0
 * on pass, 1 on failure.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.ServerSoak
 * --model ../shared/models/stories260K.gguf [--minutes 10] [--clients 8]}.
 */
public final class ServerSoak {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String KEY = "sk-soak-0123456789";
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final Map<String, String> UNEXPECTED = new ConcurrentHashMap<>();

    private ServerSoak() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Path model = null;
        double minutes = 10;
        int clients = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--model, --minutes, --clients)");
            }
        }
        if (model == null || !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model must name a GGUF file, was " + model);
        }
        System.out.println("load before: " + ServerBench.uptime());
        boolean ok;
        try (LanguageModel m = AutoGLM.builder().model(model).contextSize(512).threads(1).parallel(8).build();
                OpenAiServer server = OpenAiServer.builder().model(ServedModel.builder("stories", m).chatTemplate("chatml").build())
                        .apiKey(KEY).port(0).responseCache(8L << 20).build().start()) {
            String url = server.url();
            runFor(url, clients, 20_000); // warm-up
            System.gc();
            long rss0 = rssKb();
            long end = System.currentTimeMillis() + (long) (minutes * 60_000);
            COUNTS.clear();
            runFor(url, clients, end - System.currentTimeMillis());
            Thread.sleep(2000);
            System.gc();
            long rss1 = rssKb();
            String metrics = get(url + "/metrics");
            double activeRequests = gauge(metrics, "autoglm_server_active_requests") - 1; // this scrape
            double activeStreams = gauge(metrics, "autoglm_server_active_streams");
            io.autoglm.ModelStats st = m.stats();
            Map<String, Long> sorted = new TreeMap<>();
            COUNTS.forEach((k, v) -> sorted.put(k, v.sum()));
            System.out.printf(Locale.ROOT, "%n== soak: %.1f minutes, %d clients ==%n", minutes, clients);
            sorted.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-28s %d%n", k, v));
            long growthMb = (rss1 - rss0) / 1024;
            System.out.printf(Locale.ROOT, "RSS after warm-up %d MB, at the end %d MB (growth %d MB); active requests %.0f, "
                    + "active streams %.0f; engine: %d busy sequences, %d queued, requests %s%n", rss0 / 1024, rss1 / 1024, growthMb,
                    activeRequests, activeStreams, st.busySequences(), st.queuedRequests(),
                    java.util.Arrays.stream(io.autoglm.ModelStats.Outcome.values()).map(o -> o + "=" + st.requests(o)).toList());
            UNEXPECTED.forEach((k, v) -> System.out.println("UNEXPECTED " + k + ": " + v));
            ok = UNEXPECTED.isEmpty() && growthMb < 50 && activeRequests == 0 && activeStreams == 0 && st.busySequences() == 0
                    && st.queuedRequests() == 0;
        }
        System.out.println("load after: " + ServerBench.uptime());
        System.out.println(ok ? "SOAK PASSED" : "SOAK FAILED");
        System.exit(ok ? 0 : 1);
    }

    static void runFor(String url, int clients, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        Thread[] ts = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            ts[i] = Thread.ofVirtual().start(() -> {
                while (System.currentTimeMillis() < end) {
                    try {
                        oneAction(url);
                    } catch (Exception e) {
                        UNEXPECTED.merge("exception " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()), (a, b) -> a);
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    static void oneAction(String url) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int pick = r.nextInt(100);
        String chat = url + "/v1/chat/completions";
        String[] auth = {"Authorization", "Bearer " + KEY, "Content-Type", "application/json"};
        if (pick < 25) {
            expect("stream", 200, send(chat, "{\"model\":\"stories\",\"stream\":true,\"max_tokens\":" + r.nextInt(8, 96)
                    + ",\"temperature\":0.9,\"messages\":[{\"role\":\"user\",\"content\":\"Story " + r.nextInt(1000) + "\"}]}", auth), "[DONE]");
        } else if (pick < 40) {
            abandonedStream(chat, auth);
        } else if (pick < 60) {
            expect("cached", 200, send(chat, "{\"model\":\"stories\",\"max_tokens\":24,\"temperature\":0,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Cached " + r.nextInt(20) + "\"}]}", auth), "\"choices\"");
        } else if (pick < 70) {
            expect("completion", 200, send(url + "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"The cat\",\"max_tokens\":16,"
                    + "\"seed\":" + r.nextInt() + "}", auth), "text_completion");
        } else if (pick < 80) {
            expect("embeddings", 200, send(url + "/v1/embeddings", "{\"model\":\"stories\",\"input\":[\"a\",\"b c\"]}", auth), "\"embedding\"");
        } else if (pick < 90) {
            String[] bodies = {"{\"model\":", "[]", "{\"model\":\"stories\",\"messages\":[{\"role\":\"x\",\"content\":\"y\"}]}",
                "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"y\"}],\"max_tokens\":-5}"};
            expect("malformed", 400, send(chat, bodies[r.nextInt(bodies.length)], auth), "invalid_request_error");
        } else {
            expect("unauthorized", 401, send(chat, "{\"model\":\"stories\",\"messages\":[]}",
                    new String[] {"Authorization", "Bearer sk-wrong-0123456789"}), "invalid_api_key");
        }
    }

    static void abandonedStream(String url, String[] auth) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).headers(auth)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"stream\":true,\"max_tokens\":400,\"temperature\":1,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"A long tale\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            in.readNBytes(600);
        }
        count("abandoned " + r.statusCode());
        if (r.statusCode() != 200) {
            UNEXPECTED.merge("abandoned " + r.statusCode(), "", (a, b) -> a);
        }
    }

    static HttpResponse<String> send(String url, String body, String[] headers) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void expect(String what, int status, HttpResponse<String> r, String contains) {
        count(what + " " + r.statusCode());
        if (r.statusCode() != status || !r.body().contains(contains)) {
            UNEXPECTED.merge(what + " " + r.statusCode(), r.body().length() > 300 ? r.body().substring(0, 300) : r.body(), (a, b) -> a);
        }
    }

    static void count(String k) {
        COUNTS.computeIfAbsent(k, x -> new LongAdder()).increment();
    }

    static String get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static double gauge(String page, String name) {
        return page.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElse(-1);
    }

    static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }
}
