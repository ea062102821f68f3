package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.Completion;
import io.autoglm.FinishReason;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Disconnects, slow readers, timeouts and graceful shutdown, with the tiny random-weight model (it rarely stops by itself). */
class LifecycleTest {
    static final String LONG_STREAM = "{\"model\":\"tiny\",\"stream\":true,\"max_tokens\":3000,\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell a very long story\"}]}";

    static OpenAiServer.Builder server(RecordingModel m) {
        return OpenAiServer.builder().model(ServedModel.builder("tiny", m).chatTemplate("chatml").build()).port(0).responseCache(0);
    }

    static Socket openStream(OpenAiServer s, String body, int receiveBuffer) throws Exception {
        Socket sock = new Socket();
        if (receiveBuffer > 0) {
            sock.setReceiveBufferSize(receiveBuffer);
        }
        sock.connect(new InetSocketAddress("127.0.0.1", s.port()), 5000);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream os = sock.getOutputStream();
        os.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        os.write(b);
        os.flush();
        return sock;
    }

    static Completion awaitFinished(RecordingModel m, Predicate<Completion> which, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            for (Completion c : m.finished) {
                if (which.test(c)) {
                    return c;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching completion within " + millis + " ms; finished: " + m.finished + ", failed: " + m.failed);
    }

    @Test
    void clientDisconnect_midStream_cancelsItsGeneration() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        try (OpenAiServer s = server(m).build().start()) {
            Socket sock = openStream(s, LONG_STREAM, 0);
            InputStream in = sock.getInputStream();
            int events = 0;
            StringBuilder line = new StringBuilder();
            while (events < 5) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                if (c == '\n') {
                    if (line.toString().startsWith("data: ")) {
                        events++;
                    }
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            assertThat(events).isEqualTo(5);
            sock.close();
            Completion c = awaitFinished(m, x -> true, 20_000);
            assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(c.usage().completionTokens()).isLessThan(3000);
        }
    }

    @Test
    void keyWithOneStream_getsA429ForASecondConcurrentStream() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        try (OpenAiServer s = server(m).apiKey(ApiKey.builder().secret("sk-one-stream-0123456789").maxConcurrentStreams(1).build())
                .build().start()) {
            String auth = "Authorization: Bearer sk-one-stream-0123456789\r\n";
            Socket first = new Socket("127.0.0.1", s.port());
            byte[] b = LONG_STREAM.getBytes(StandardCharsets.UTF_8);
            first.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            first.getOutputStream().write(b);
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // until the stream has started
            }
            HttpResponse<String> second = Http.post(s.url() + "/v1/chat/completions", LONG_STREAM, "Authorization",
                    "Bearer sk-one-stream-0123456789");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
            assertThat(second.body()).contains("streams open");
            assertThat(second.headers().firstValue("retry-after")).isPresent();
            first.close();
            HttpResponse<String> plain = Http.post(s.url() + "/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                    "Authorization", "Bearer sk-one-stream-0123456789");
            assertThat(plain.statusCode()).isEqualTo(200); // non-streamed requests do not count against the stream limit
        }
    }

    @Test
    void requestTimeout_cancelsTheGeneration_with504() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        try (OpenAiServer s = server(m).requestTimeout(Duration.ofMillis(150)).build().start()) {
            HttpResponse<String> r = Http.post(s.url() + "/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":4000,\"n\":2,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(r.body()).contains("\"type\":\"timeout_error\"").contains("150 ms");
            Completion c = awaitFinished(m, x -> true, 20_000);
            assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
        }
    }

    @Test
    void gracefulShutdown_letsRunningRequestsFinish_andRefusesNewOnes() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        OpenAiServer s = server(m).shutdownTimeout(Duration.ofSeconds(90)).build().start();
        String url = s.url();
        CompletableFuture<HttpResponse<String>> running = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> running.complete(post(url,
                "{\"model\":\"tiny\",\"max_tokens\":400,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        while (m.started.get() == 0) {
            Thread.sleep(5);
        }
        Thread closing = Thread.ofVirtual().start(s::close);
        long end = System.currentTimeMillis() + 10_000;
        HttpResponse<String> refused;
        do {
            refused = post(url, "{\"model\":\"tiny\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        } while (refused.statusCode() == 200 && System.currentTimeMillis() < end);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("shutting_down");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        HttpResponse<String> r = running.get(90, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        closing.join(Duration.ofSeconds(90));
        assertThat(s.isRunning()).isFalse();
        assertThat(m.finished).noneMatch(c -> c.finishReason() == FinishReason.CANCELLED);
    }

    @Test
    void shutdownDeadline_cancelsWhatStillRuns() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        OpenAiServer s = server(m).shutdownTimeout(Duration.ofMillis(100)).build().start();
        Socket sock = openStream(s, LONG_STREAM, 0);
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
            // headers and chunk sizes
        }
        assertThat(line).startsWith("data: ");
        long t0 = System.nanoTime();
        s.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        StringBuilder rest = new StringBuilder();
        while ((line = in.readLine()) != null) {
            rest.append(line).append('\n');
        }
        sock.close();
        assertThat(rest.toString()).contains("\"code\":\"shutting_down\"").doesNotContain("[DONE]");
        Completion c = awaitFinished(m, x -> true, 20_000);
        assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.usage().completionTokens()).isLessThan(3000);
    }

    static HttpResponse<String> post(String url, String body) {
        try {
            return Http.post(url + "/v1/chat/completions", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
