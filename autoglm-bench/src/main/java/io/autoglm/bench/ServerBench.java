package io.autoglm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import io.autoglm.server.openai.OpenAiJson;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server benchmarks, side by side in one run (docs/benchmarks.md, "Server"):
 * <ol>
 * <li>cached responses: {@code wrk} (a separate process) at 64 keep-alive connections against a cached
 *     deterministic chat request; requests/s, latency percentiles, and wrk's own CPU share;</li>
 * <li>uncached streaming: 8 concurrent streamed chats over HTTP (JDK HttpClient in this JVM, parsing every
 *     SSE event) against the same 8 requests made in-process on the same model; aggregate generated tok/s;</li>
 * <li>with {@code --llama-server PATH}: the same 8 streams against llama.cpp's {@code llama-server}
 *     ({@code -np 8 -t THREADS}, same model and prompts), and the time to first token of a request whose long
 *     system prompt an earlier request already used, on both servers.</li>
 * </ol>
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.ServerBench
 * --model ../shared/models/stories260K.gguf [--threads 2] [--seconds 20] [--llama-server /path/to/llama-server]}.
 */
public final class ServerBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String KEY = "sk-bench-0123456789";
    static final String[] PROMPTS = {"Once upon a time", "The little dog", "Lily and Ben", "In a big forest", "The sun was hot",
        "Tom had a red ball", "A girl named Sue", "One day a cat"};

    private ServerBench() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Path model = null;
        Path llamaServer = null;
        int threads = 2;
        int seconds = 20;
        int maxTokens = 256;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--llama-server" -> llamaServer = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--model, --llama-server, --threads, --seconds, --max-tokens)");
            }
        }
        if (model == null || !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model must name a GGUF file, was " + model);
        }
        System.out.println("load before: " + uptime());
        try (LanguageModel m = AutoGLM.builder().model(model).threads(threads).contextSize(1024).parallel(8).build();
                OpenAiServer server = OpenAiServer.builder()
                        .model(ServedModel.builder("stories", m).chatTemplate("chatml").build())
                        .apiKey(KEY).port(0).build().start()) {
            cached(server, seconds);
            streaming(server, m, maxTokens);
            if (llamaServer != null) {
                compareWithLlamaServer(server, llamaServer, model, threads, maxTokens);
            }
        }
        System.out.println("load after: " + uptime());
    }

    // ---- 1. cached responses through wrk ---------------------------------------------------------

    static void cached(OpenAiServer server, int seconds) throws Exception {
        String body = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
                + "\"max_tokens\":32,\"temperature\":0}";
        HttpResponse<String> warm = post(server.url() + "/v1/chat/completions", body);
        HttpResponse<String> hit = post(server.url() + "/v1/chat/completions", body);
        if (!"hit".equals(hit.headers().firstValue("x-autoglm-cache").orElse(""))) {
            throw new IllegalStateException("the request is not cached: " + warm.body());
        }
        Path lua = Files.createTempFile("autoglm-wrk", ".lua");
        Files.writeString(lua, "wrk.method = \"POST\"\nwrk.body = '" + body + "'\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + KEY + "\"\n");
        // warm-up (JIT), then the measured run
        runWrk(server, lua, 64, 5);
        WrkResult r = runWrk(server, lua, 64, seconds);
        Files.deleteIfExists(lua);
        System.out.printf(Locale.ROOT, "%n== cached chat completions: wrk -t2 -c64 -d%ds (keep-alive, one API key) ==%n", seconds);
        System.out.printf(Locale.ROOT, "requests/s %.0f | latency p50 %s p90 %s p99 %s | non-2xx %d | wrk CPU %.0f%% of one core "
                + "(%.0f%% of the machine's %d)%n", r.rps, r.p50, r.p90, r.p99, r.non2xx, 100 * r.cpuSeconds / r.wallSeconds,
                100 * r.cpuSeconds / r.wallSeconds / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors());
    }

    record WrkResult(double rps, String p50, String p90, String p99, long non2xx, double cpuSeconds, double wallSeconds) {
    }

    static WrkResult runWrk(OpenAiServer server, Path lua, int connections, int seconds) throws Exception {
        String cmd = "TIMEFORMAT='cpu %U %S %R'; time wrk -t2 -c" + connections + " -d" + seconds + "s --latency -s " + lua
                + " " + server.url() + "/v1/chat/completions";
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        String p50 = find(out, "\\n\\s+50%\\s+(\\S+)");
        String p90 = find(out, "\\n\\s+90%\\s+(\\S+)");
        String p99 = find(out, "\\n\\s+99%\\s+(\\S+)");
        String non = findOr(out, "Non-2xx or 3xx responses:\\s+(\\d+)", "0");
        Matcher cpu = Pattern.compile("cpu ([0-9.]+) ([0-9.]+) ([0-9.]+)").matcher(out);
        if (!cpu.find()) {
            throw new IllegalStateException("no timing in wrk output:\n" + out);
        }
        return new WrkResult(rps, p50, p90, p99, Long.parseLong(non),
                Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2)), Double.parseDouble(cpu.group(3)));
    }

    // ---- 2. uncached streaming: HTTP vs in-process -------------------------------------------------

    static void streaming(OpenAiServer server, LanguageModel m, int maxTokens) throws Exception {
        String url = server.url() + "/v1/chat/completions";
        streamAll(url, maxTokens, true); // warm-up
        inProcessAll(m, maxTokens);
        double[] http = new double[5];
        double[] local = new double[5];
        for (int round = 0; round < 5; round++) { // alternate, to share the machine's drifts
            Aggregate h = streamAll(url, maxTokens, true);
            Aggregate l = inProcessAll(m, maxTokens);
            System.out.printf(Locale.ROOT, "  round %d: HTTP %d tokens in %.2f s, in-process %d tokens in %.2f s%n", round + 1,
                    h.tokens(), h.seconds(), l.tokens(), l.seconds());
            http[round] = h.tokPerSec();
            local[round] = l.tokPerSec();
        }
        java.util.Arrays.sort(http);
        java.util.Arrays.sort(local);
        System.out.printf(Locale.ROOT, "%n== uncached streaming, 8 concurrent chats, max_tokens %d (median of 5 alternating rounds) ==%n", maxTokens);
        System.out.printf(Locale.ROOT, "HTTP SSE (JDK HttpClient, this JVM) %.0f tok/s | in-process %.0f tok/s | ratio %.2f%n",
                http[2], local[2], http[2] / local[2]);
    }

    record Aggregate(long tokens, double seconds, double meanTtftMillis) {
        double tokPerSec() {
            return tokens / seconds;
        }
    }

    static String streamBody(int i, int maxTokens, String system) {
        String sys = system == null ? "" : "{\"role\":\"system\",\"content\":" + OpenAiJson.string(system) + "},";
        return "{\"model\":\"stories\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":" + maxTokens
                + ",\"temperature\":0.8,\"top_p\":1,\"seed\":" + (1000 + i) + ",\"messages\":[" + sys
                + "{\"role\":\"user\",\"content\":\"" + PROMPTS[i % PROMPTS.length] + "\"}]}";
    }

    static Aggregate streamAll(String url, int maxTokens, boolean noCache) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            List<Future<long[]>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = streamBody(i, maxTokens, null);
                fs.add(pool.submit(() -> stream(url, body, noCache)));
            }
            long tokens = 0;
            double ttft = 0;
            for (Future<long[]> f : fs) {
                long[] r = f.get();
                tokens += r[0];
                ttft += r[1] / 1e6;
            }
            return new Aggregate(tokens, (System.nanoTime() - t0) / 1e9, ttft / 8);
        }
    }

    /** @return {completion tokens (from usage), nanos to the first content}; retried once on a connection the server closed */
    static long[] stream(String url, String body, boolean noCache) throws IOException, InterruptedException {
        try {
            return streamOnce(url, body, noCache);
        } catch (IOException staleKeepAlive) { // llama-server closes idle keep-alive connections after 5 s
            return streamOnce(url, body, noCache);
        }
    }

    static long[] streamOnce(String url, String body, boolean noCache) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (noCache) {
            b.header("Cache-Control", "no-cache");
        }
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long tokens = -1;
        long ttft = -1;
        long chunks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                // a light client: only the usage event is parsed; content events are recognised by their text
                if (line.contains("\"usage\":{")) {
                    JsonNode c = OpenAiJson.mapper().readTree(line.substring(6));
                    tokens = c.get("usage").get("completion_tokens").asLong();
                } else if (line.contains("\"delta\":{\"content\":\"") && !line.contains("\"delta\":{\"content\":\"\"")) {
                    chunks++;
                    if (ttft < 0) {
                        ttft = System.nanoTime() - t0;
                    }
                }
            }
        }
        return new long[] {tokens >= 0 ? tokens : chunks, ttft};
    }

    static Aggregate inProcessAll(LanguageModel m, int maxTokens) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int k = i;
                fs.add(pool.submit((Callable<Integer>) () -> m.chat(ChatRequest.builder()
                        .message(ChatMessage.user(PROMPTS[k % PROMPTS.length])).chatTemplate("chatml").maxTokens(maxTokens)
                        .sampling(SamplingParams.builder().temperature(0.8f).topK(0).topP(1f).minP(0f).seed(1000 + k).build())
                        .build(), c -> true).usage().completionTokens()));
            }
            long tokens = 0;
            for (Future<Integer> f : fs) {
                tokens += f.get();
            }
            return new Aggregate(tokens, (System.nanoTime() - t0) / 1e9, 0);
        }
    }

    // ---- 3. llama-server ---------------------------------------------------------------------------

    static void compareWithLlamaServer(OpenAiServer server, Path binary, Path model, int threads, int maxTokens) throws Exception {
        int port = freePort();
        Process p = new ProcessBuilder(binary.toString(), "-m", model.toString(), "-np", "8", "-t", Integer.toString(threads),
                "-c", Integer.toString(8 * 1024), "--host", "127.0.0.1", "--port", Integer.toString(port), "--chat-template", "chatml")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(Path.of("/tmp/llama-server-bench.log").toFile()))
                .start();
        try {
            String base = "http://127.0.0.1:" + port;
            long end = System.currentTimeMillis() + 60_000;
            while (true) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                if (System.currentTimeMillis() > end || !p.isAlive()) {
                    throw new IllegalStateException("llama-server did not start; see /tmp/llama-server-bench.log");
                }
                Thread.sleep(100);
            }
            String ours = server.url() + "/v1/chat/completions";
            String theirs = base + "/v1/chat/completions";
            streamAll(theirs, maxTokens, false); // warm-up
            double[] a = new double[3];
            double[] b = new double[3];
            for (int round = 0; round < 3; round++) {
                Aggregate x = streamAll(ours, maxTokens, true);
                Aggregate y = streamAll(theirs, maxTokens, false);
                System.out.printf(Locale.ROOT, "  round %d: autoglm %d tokens in %.2f s, llama-server %d tokens in %.2f s%n", round + 1,
                        x.tokens(), x.seconds(), y.tokens(), y.seconds());
                a[round] = x.tokPerSec();
                b[round] = y.tokPerSec();
            }
            java.util.Arrays.sort(a);
            java.util.Arrays.sort(b);
            System.out.printf(Locale.ROOT, "%n== 8 concurrent streams vs llama-server (-np 8 -t %d), same model, prompts and seeds ==%n", threads);
            System.out.printf(Locale.ROOT, "autoglm %.0f tok/s | llama-server %.0f tok/s | ratio %.2f%n", a[1], b[1], a[1] / b[1]);

            String system = "You are a storyteller. " + "Tell gentle stories about animals, friends, and the sun. ".repeat(30);
            double oursTtft = sharedPrefixTtft(ours, system, true);
            double theirsTtft = sharedPrefixTtft(theirs, system, false);
            System.out.printf(Locale.ROOT, "time to first token, second request sharing a %d-character system prompt: "
                    + "autoglm %.1f ms | llama-server %.1f ms (median of 5)%n", system.length(), oursTtft, theirsTtft);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    static double sharedPrefixTtft(String url, String system, boolean noCache) throws Exception {
        double[] t = new double[5];
        for (int i = 0; i < 5; i++) {
            stream(url, streamBody(i, 4, system), noCache); // the first request fills the prefix
            t[i] = stream(url, streamBody(i + 1, 4, system), noCache)[1] / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[2];
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("'" + regex + "' not found in:\n" + text);
        }
        return m.group(1);
    }

    static String findOr(String text, String regex, String deflt) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : deflt;
    }

    static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
